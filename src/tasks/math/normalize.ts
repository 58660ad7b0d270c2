/**
 * String-level normalisation of a LaTeX answer before it is split into structure and parsed:
 * the usual MATH answer clean-ups (Hendrycks et al. 2021 `is_equiv` / PRM800K grader), i.e.
 * drop `$`, `\left`/`\right`, spacing commands, `\dfrac`/`\tfrac`, degrees, percent, dollars,
 * units in `\text{}`/`\mbox{}`, thousands separators, a trailing period and `x \in`.
 *
 * Choices where the graders differ (docs/tasks.md): `50\%` equals `50` (the percent sign is
 * dropped, not divided by 100); `90^\circ` equals `90`, not `\frac{\pi}{2}`.
 */

/** Maximum answer length (characters) that we normalise and compare; longer is no answer. */
export const MAX_ANSWER_LENGTH = 2000;

const UNIT_WORDS =
  /^(?:units?|cm|m|km|mm|in|inch|inches|ft|feet|foot|yd|yards?|miles?|meters?|centimeters?|kilometers?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|degrees?|cents?|dollars?|points?|square|sq|cubic|ways|people|students|dogs|cats|apples|pounds?|ounces?|grams?|kg|mph|percent|°)$/i;

/** Unwrap `\text{...}`-like groups (`\text`, `\textbf`, `\mbox`, `\mathrm`, `\textrm`) to their content. */
export function unwrapText(s: string): string {
  return s.replace(/\\(?:text|textbf|textit|mbox|mathrm|textrm|mathbf|operatorname)\s*\{([^{}]*)\}/g, '$1');
}

/** True when the text (after unwrapping) is only words, e.g. `\text{Evelyn}` or `\text{even}`. */
export function isWordAnswer(s: string): boolean {
  return /^[A-Za-z][A-Za-z\s']*$/.test(s) && /[A-Za-z]{3,}/.test(s);
}

/** Remove unit words after a number: `5.4 \text{ cents}`, `15\mbox{ cm}^2`, `864 inches^2`. */
function stripUnits(s: string): string {
  let out = s.replace(/\\(?:text|mbox|mathrm|textrm)\s*\{\s*([^{}]*)\}(\^\{?\d\}?)?/g, (whole, content: string) => {
    const words = content.trim().split(/\s+/);
    return words.length && words.every((w) => UNIT_WORDS.test(w) || /^[a-z]+$/i.test(w)) ? ' ' : whole;
  });
  // bare trailing unit words after a number: "864 inches^2", "5 cm"
  out = out.replace(/(\d)\s*((?:\s*[A-Za-z]+)+)(\^\{?\d\}?)?\s*$/, (whole, digit: string, words: string) =>
    words.trim().split(/\s+/).every((w) => UNIT_WORDS.test(w)) ? digit : whole,
  );
  return out.trim();
}

/**
 * Normalise a LaTeX answer string. Idempotent. The result may still hold LaTeX (fractions,
 * roots, matrices) for the structure parser and the compute engine.
 */
export function normalizeAnswer(input: string): string {
  let s = input.trim();
  if (s.length > MAX_ANSWER_LENGTH) return s;
  s = s.replace(/^\$+|\$+$/g, '').replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/(?:\s|\.|\\[.,;!]\s*$)+$/, '').replace(/^\$+|\$+$/g, '');
  s = s.replace(/\\(?:textbf|mathbf|textit|mathit|boldsymbol|bm)\s*\{([^{}]*)\}/g, '$1');
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)\s*[.|]/g, (m) => (m.endsWith('|') ? '|' : ''));
  s = s.replace(/\\displaystyle|\\left|\\right|\\bigl|\\bigr|\\Bigl|\\Bigr|\\big|\\Big/g, '');
  s = s.replace(/,\\!\s*(?=\d{3})/g, ',').replace(/\{,\}/g, ',');
  s = s.replace(/(?<!\\)\\(?:[!,;: ]|quad|qquad)|~/g, ' ');
  s = s.replace(/\\[dt]frac/g, '\\frac').replace(/\\[dt]binom/g, '\\binom');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree/g, '');
  s = s.replace(/\\%|%|\\\$|\$/g, '');
  s = s.replace(/\\le(?![a-z])/g, '\\leq').replace(/\\ge(?![a-z])/g, '\\geq');
  s = s.replace(/\\(?:text|mbox|mathrm|textrm)\s*\{\s*(or|and)\s*\}/g, ',');
  const plain = unwrapText(s).trim();
  if (isWordAnswer(plain) || choiceLetter(plain)) return plain.replace(/\s+/g, ' ');
  const withoutUnits = stripUnits(s);
  if (withoutUnits !== '') s = withoutUnits;
  s = s.replace(/^\s*[a-zA-Z]\s*\\in\s*/, '');
  s = s.replace(/[.\s]+$/, '').replace(/^[\s]+/, '');
  // thousands separators in a whole-number answer: 58,500 / 11,111,111,100
  if (/^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s.replace(/\s+/g, ''))) s = s.replace(/[,\s]/g, '');
  // zero-padded integers (AIME "025")
  if (/^-?0+\d+$/.test(s)) s = s.replace(/^(-?)0+(?=\d)/, '$1');
  // mixed numbers: 137 \frac{1}{2} -> (137+\frac{1}{2})
  s = s.replace(/^(-?)(\d+)\s*\\frac\s*\{?(\d+)\}?\s*\{?(\d+)\}?$/, (_m, sign: string, whole: string, n: string, d: string) =>
    `${sign}(${whole}+\\frac{${n}}{${d}})`,
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
  return unwrapText(s).toLowerCase().replace(/[^a-z0-9]/g, '');
}
