/**
 * String-level normalisation of a LaTeX answer before it is split into structure and parsed:
 * the usual MATH answer clean-ups (Hendrycks et al. 2021 `is_equiv` / PRM800K grader), i.e.
 * drop `$`, `\left`/`\right`, spacing commands, `\dfrac`/`\tfrac`, degrees, percent, dollars,
 * units in `\text{}`/`\mbox{}`, thousands separators, a trailing period and `x \in`.
 *
 * Nothing here may delete information a comparison needs (issue 11): whitespace is kept until
 * the end, so `1, 234` (a list) never reads as the thousands-separated `1,234`; ASCII relations
 * become their LaTeX commands instead of being dropped; "and"/"or" between items become commas.
 *
 * Choices where the graders differ (docs/tasks.md): `50\%` equals `50` (the percent sign is
 * dropped, not divided by 100); `90^\circ` equals `90`, not `\frac{\pi}{2}`.
 */

/** Maximum answer length (characters) that we normalise and compare; longer is no answer. */
export const MAX_ANSWER_LENGTH = 2000;

const UNIT_WORDS =
  /^(?:units?|cm|m|km|mm|in|inch|inches|ft|feet|foot|yd|yards?|miles?|meters?|centimeters?|kilometers?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|degrees?|cents?|dollars?|points?|square|sq|cubic|ways|people|students|dogs|cats|apples|pounds?|ounces?|grams?|kg|mph|percent|percentage|pct|°)$/i;

/** Unwrap `\text{...}`-like groups (`\text`, `\textbf`, `\mbox`, `\mathrm`, `\textrm`) to their content. */
export function unwrapText(s: string): string {
  return s.replace(/\\(?:text|textbf|textit|textnormal|textsf|mbox|mathrm|textrm|mathbf|operatorname)\s*\{([^{}]*)\}/g, '$1');
}

/**
 * LaTeX that arrived escaped twice (JSON inside JSON: `\\frac{1}{2}`): when every backslash run has
 * an even length and one run of two precedes a command name, each run is halved, so a
 * double-escaped matrix row break `\\\\` becomes `\\`. Single-escaped matrices keep their
 * `\\` row breaks (they hold a one-backslash `\begin`).
 */
export function undoubleEscapes(s: string): string {
  if (!/\\\\[A-Za-z]/.test(s)) return s;
  const runs = s.match(/\\+/g) ?? [];
  if (runs.every((run) => run.length % 2 === 0)) return s.replace(/\\+/g, (run) => run.slice(run.length / 2));
  // Mixed (`\\dfrac{1}{2} + \frac{1}{72}`, from MATH's own tests): without an environment or `&`
  // a row break before a letter means nothing in an answer, so `\\name` is the command `\name`.
  if (/\\begin|&/.test(s)) return s;
  return s.replace(/\\\\(?=[A-Za-z])/g, '\\');
}

/** True when the text (after unwrapping) is only words, e.g. `\text{Evelyn}` or `\text{even}`. */
export function isWordAnswer(s: string): boolean {
  return /^[A-Za-z][A-Za-z\s']*$/.test(s) && /[A-Za-z]{3,}/.test(s);
}

/** Remove unit words after a number: `5.4 \text{ cents}`, `15\mbox{ cm}^2`, `864 inches^2`. */
function stripUnits(s: string): string {
  let out = s.replace(/\\(?:text|textnormal|textsf|mbox|mathrm|textrm)\s*\{\s*([^{}]*)\}(\^\{?\d\}?)?/g, (whole, content: string) => {
    const words = content.trim().split(/\s+/);
    // one letter is a symbol, not a unit: `2\text{i}` is 2i, `\text{e}` is e (never deleted)
    if (/^[A-Za-z]$/.test(content.trim())) return content.trim();
    return words.length && words.every((w) => UNIT_WORDS.test(w) || /^[a-z]{2,}$/i.test(w)) ? ' ' : whole;
  });
  // bare trailing unit words after a number: "864 inches^2", "5 cm"
  out = out.replace(/([\d}])\s*((?:\s*[A-Za-z]+)+)(\^\{?\d\}?)?\s*$/, (whole, digit: string, words: string) =>
    words
      .trim()
      .split(/\s+/)
      .every((w) => UNIT_WORDS.test(w))
      ? digit
      : whole,
  );
  return out.trim();
}

/**
 * Normalise a LaTeX answer string. Idempotent. The result may still hold LaTeX (fractions,
 * roots, matrices) for the structure parser and the compute engine.
 */
export function normalizeAnswer(input: string): string {
  let s = undoubleEscapes(input.trim());
  if (s.length > MAX_ANSWER_LENGTH) return s;
  s = s
    .replace(/^\$+|\$+$/g, '')
    .replace(/^\\\(|\\\)$/g, '')
    .replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/(?:\s|\.|\\[.,;!]\s*$)+$/, '').replace(/^\$+|\$+$/g, '');
  s = s.replace(/\\(?:textbf|mathbf|textit|mathit|textnormal|textsf|boldsymbol|bm)\s*\{([^{}]*)\}/g, '$1');
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)\s*[.|]/g, (m) => (m.endsWith('|') ? '|' : ''));
  s = s.replace(/\\displaystyle|\\left|\\right|\\bigl|\\bigr|\\Bigl|\\Bigr|\\big|\\Big/g, '');
  s = s.replace(/,\\!\s*(?=\d{3})/g, ',').replace(/\s*\{\s*,\s*\}\s*/g, ',');
  s = s.replace(/(?<!\\)\\(?:[!,;: ]|quad|qquad)|~/g, ' ');
  s = s.replace(/\\[dt]frac/g, '\\frac').replace(/\\[dt]binom/g, '\\binom');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree/g, '');
  s = s.replace(/\\%|%|\\\$|\$/g, '');
  s = s
    .replace(/\\le(?![a-z])/g, '\\leq')
    .replace(/\\ge(?![a-z])/g, '\\geq')
    .replace(/\\ne(?![a-z])/g, '\\neq');
  s = s
    .replace(/>=|≥|\\geqslant/g, '\\geq')
    .replace(/<=|≤|\\leqslant/g, '\\leq')
    .replace(/!=|≠/g, '\\neq');
  s = s.replace(/\\lt(?![a-z])/g, '<').replace(/\\gt(?![a-z])/g, '>');
  s = s.replace(/\\(?:text|mbox|mathrm|textrm)\s*\{\s*(or|and)\s*\}/g, ',');
  const plain = unwrapText(s).trim();
  if (isWordAnswer(plain) || choiceLetter(plain)) return plain.replace(/\s+/g, ' ');
  // "1 and 2", "(11,7)or(7,11)", "19, 46, and 82": items joined by words are a list
  s = s.replace(/\s*\b(?:and|or)\b\s*/g, ', ').replace(/(?:,\s*){2,}/g, ', ');
  const withoutUnits = stripUnits(s);
  if (withoutUnits !== '') s = withoutUnits;
  s = s.replace(/^\s*[a-zA-Z]\s*\\in\s*/, '');
  s = s.replace(/[.\s]+$/, '').replace(/^[\s]+/, '');
  // thousands separators in a whole-number answer: 58,500 / 11,111,111,100. Tested on the text
  // as written: after `, ` a number is a new list item (`1, 234` is two answers, not 1234).
  if (/^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  // zero-padded integers (AIME "025")
  if (/^-?0+\d+$/.test(s)) s = s.replace(/^(-?)0+(?=\d)/, '$1');
  // mixed numbers: 137 \frac{1}{2} -> (137+\frac{1}{2})
  s = s.replace(
    /^(-?)(\d+)\s*\\frac\s*\{?(\d+)\}?\s*\{?(\d+)\}?$/,
    (_m, sign: string, whole: string, n: string, d: string) => `${sign}(${whole}+\\frac{${n}}{${d}})`,
  );
  return s.replace(/\s+/g, ' ').trim();
}

/** Multiple-choice letter of an answer like `(C)`, `\text{(C)}`, `C`, `C)`; null when not one. */
export function choiceLetter(s: string): string | null {
  const m = /^\(?\s*([A-E])\s*\)?$/.exec(unwrapText(s).trim());
  return m ? m[1]! : null;
}

/** Comparable text of a word answer: lower case, letters and digits only. */
export function wordKey(s: string): string {
  return unwrapText(s)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
