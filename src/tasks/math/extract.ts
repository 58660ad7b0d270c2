/**
 * Final-answer extraction for MATH-style outputs: the last `\boxed{...}` (nested braces; also
 * `\fbox{...}` and the brace-less `\boxed 5`), else the last "The (final) answer is: ..." phrase,
 * else the content of the last `<answer>` thought (src/core/thought-format.ts). Linear time in the
 * output length; braces are counted (src/tasks/boxed.ts), never matched with a regex, so 5,000
 * nested braces are fine.
 */
import { lastAnswerTag } from '../answer-tags.ts';
import { findBoxes } from '../boxed.ts';
import { answersEquivalent } from './equivalence.ts';

/** Longest answer we take from a phrase like "The answer is ..." (characters). */
const MAX_PHRASE_ANSWER = 200;

/**
 * Content of the last `\boxed{...}` / `\fbox{...}` / `\boxed x` in `text` (trimmed), or null.
 * The last opener wins even inside another box, as in MATH's `last_boxed_only_string`; an
 * unclosed box is skipped, so an unclosed last box falls back to the previous complete one.
 */
export function lastBoxed(text: string): string | null {
  const boxes = findBoxes(text, { braceless: true, nested: true });
  return boxes.length > 0 ? boxes[boxes.length - 1]!.content.trim() : null;
}

/**
 * What may stand between boxes that together hold one answer: spaces, commas, semicolons, `$`,
 * math delimiters, `\quad`, and "and"/"or" (also in `\text{}`).
 */
const BETWEEN_BOXES = /^(?:\s|[,;.$&]|\\[()[\]]|\\q?quad|\\[,;!]|\\text\{\s*(?:and|or|,)?\s*\}|\band\b|\bor\b)*$/;

/**
 * The final answer when the output ends with several boxes in a row, one value each
 * (`\boxed{-2} and \boxed{1}`): their contents joined as a list `-2, 1`, which is what
 * Math-Verify reads. Null when the last box stands alone (then it is the answer), when prose
 * separates the boxes (then only the last counts: earlier boxes are intermediate results), or
 * when the boxes are one value written several ways.
 */
export function lastBoxRun(text: string): string | null {
  const boxes = findBoxes(text, { braceless: true });
  if (boxes.length < 2) return null;
  let first = boxes.length - 1;
  while (first > 0 && BETWEEN_BOXES.test(text.slice(boxes[first - 1]!.end, boxes[first]!.start))) first--;
  if (first === boxes.length - 1) return null;
  const contents = boxes.slice(first).map((box) => box.content.trim());
  if (contents.some((c) => c === '')) return null;
  // `\boxed{15\frac{39}{40}}, or \boxed{\frac{639}{40}}`: one value in two forms is one answer
  const last = contents[contents.length - 1]!;
  if (contents.every((c) => answersEquivalent(c, last).equal)) return null;
  return contents.join(', ');
}

/** Answer after the last "answer is" / "answer:" phrase, cut at the end of its sentence or line. */
function lastAnswerPhrase(text: string): string | null {
  // "Answer: x", "the answer is x", and "Answer $x$" / "Answer \[x\]" (a math delimiter right after)
  const matches = [...text.matchAll(/(?:final answer|the answer|answer)\s*(?:(?:is|:|=)\s*:?\s*|(?=\$|\\\[|\\\())/gi)];
  for (let k = matches.length - 1; k >= 0; k--) {
    const m = matches[k]!;
    let rest = text.slice(m.index! + m[0].length, m.index! + m[0].length + MAX_PHRASE_ANSWER * 2);
    // "Answer $$\n 9" / "Answer \[\n 9 \n\]": a math block opened right after the phrase spans lines
    const block = /^(?:\$\$([\s\S]+?)(?:\$\$|$)|\\\[([\s\S]+?)(?:\\\]|$))/.exec(rest);
    if (block && (block[1] ?? block[2])!.trim() !== '') {
      const inner = (block[1] ?? block[2])!.trim();
      if (inner.length <= MAX_PHRASE_ANSWER) return inner;
    }
    rest = rest.split('\n')[0]!.replace(/^\\?["“]/, '');
    // "is $12$ and $13$": the run of math blocks that opens the phrase (as lastDelimitedMath joins runs)
    const run = /^\$[^$]/.test(rest) ? (delimitedRun(rest, 'first')?.text ?? null) : null;
    const dollar =
      (run !== null ? [rest, run] : null) ?? /^\$+([^$]+)\$+/.exec(rest) ?? /^\\\((.+?)\\\)/.exec(rest) ?? /^\\\[(.+?)\\\]/.exec(rest);
    let answer = dollar ? dollar[1]! : rest.replace(/\.\s.*$/, '').replace(/\.\s*$/, '');
    answer = answer.replace(/^\*\*|\*\*$/g, '').trim();
    // a sentence as the answer ("The volume of $ABCDEFGH$ is 120"): its last math or number
    if (/[A-Za-z]{3,}\s+[A-Za-z]{2,}/.test(answer.replace(/\$[^$]*\$|\\[A-Za-z]+/g, ''))) answer = lastMathOrNumber(answer) ?? answer;
    if (answer && answer.length <= MAX_PHRASE_ANSWER) return answer;
  }
  return null;
}

/** Content of the last `$$...$$`, `$...$`, `\[...\]` or `\(...\)` of `text` (trimmed), or null. */
export function lastDelimitedMath(text: string): string | null {
  return delimitedRun(text, 'last')?.text ?? null;
}

/** The first or last run of math blocks in `text`, joined as a list (see `lastDelimitedMath`). */
function delimitedRun(text: string, which: 'first' | 'last'): { text: string; end: number } | null {
  let run: string[] = [];
  let end = -1;
  for (const m of text.matchAll(/\$\$([^$]+)\$\$|\$([^$]+)\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)/g)) {
    const content = (m[1] ?? m[2] ?? m[3] ?? m[4])!.trim();
    if (content === '' || content.length > MAX_PHRASE_ANSWER) continue;
    // `$1$ and $2$ and $3$`: a run joined only by separators is one list answer, as with boxes
    const joined = end >= 0 && BETWEEN_BOXES.test(text.slice(end, m.index));
    if (!joined && which === 'first' && run.length > 0) break;
    run = joined ? [...run, content] : [content];
    end = m.index + m[0].length;
  }
  return run.length ? { text: run.join(', '), end } : null;
}

/**
 * `math-lenient` (Math-Verify's extraction): as `extractMathAnswer`, then the later of the last
 * delimited math (`Therefore $x \geq 5$ is the solution.`) and the last plain number of the output. An output that never boxed its answer
 * then still gets a verdict, so the no-answer rate (docs/method.md section 5) no longer counts it: use
 * it to compare with graders that read that way, not for rewards.
 */
export function extractMathAnswerLenient(output: string): string | null {
  return extractMathAnswer(output) ?? lastMathOrNumber(output);
}

/**
 * A plain number in prose (`1,000.99`, `1 000`, `.4`, `2/3`), not one inside a LaTeX group such
 * as the `9` of `\frac{10}{9}`.
 */
const PLAIN_NUMBER =
  /(?<![\w{}\\.^_/])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?![\d.,])|\d+|(?=\.\d))(?:\.\d+)?(?:\/\d+)?(?![{}^\d])/g;

/**
 * The later of the last run of delimited math and the last plain number of `text`, as Math-Verify's
 * latex and expression targets read it ("The volume of $ABCDEFGH$ is 120" is 120).
 */
function lastMathOrNumber(text: string): string | null {
  const math = delimitedRun(text, 'last');
  let number: { text: string; end: number } | null = null;
  for (const m of text.matchAll(PLAIN_NUMBER))
    if (m[0] !== '' && m[0] !== '-') number = { text: m[0].replace(/[, ]/g, ''), end: m.index + m[0].length };
  if (number && (!math || number.end > math.end)) return number.text;
  return math?.text ?? null;
}

/**
 * The final answer of a MATH/AIME output as LaTeX text; null when nothing is extractable.
 * Order: a run of boxes at the end (`lastBoxRun`), the last `\boxed`/`\fbox`, then the last
 * "answer is ..." phrase, then the last `<answer>` thought.
 */
export function extractMathAnswer(output: string): string | null {
  // Minerva's format ends "Final Answer: The final answer is $x$. I hope it is correct.": a final
  // statement after the last box wins over that box (an intermediate result)
  const finalPhrase = /final answer is/gi;
  const boxes = findBoxes(output, { braceless: true });
  const lastBoxEnd = boxes.length ? boxes[boxes.length - 1]!.end : -1;
  let finalAt = -1;
  for (const m of output.matchAll(finalPhrase)) finalAt = m.index;
  if (finalAt > lastBoxEnd && lastBoxEnd >= 0) {
    const phrase = lastAnswerPhrase(output.slice(finalAt));
    if (phrase !== null) return phrase;
  }
  const run = lastBoxRun(output);
  if (run !== null) return run;
  const boxed = lastBoxed(output);
  if (boxed !== null && boxed !== '') return boxed;
  const phrase = lastAnswerPhrase(output);
  if (phrase !== null) return phrase;
  const tag = lastAnswerTag(output);
  if (tag !== null) {
    const content = tag
      .trim()
      .replace(/^\$+|\$+$/g, '')
      .replace(/\.$/, '')
      .trim();
    if (content && content.length <= MAX_PHRASE_ANSWER) return content;
  }
  return null;
}
