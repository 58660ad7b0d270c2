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
  const matches = [...text.matchAll(/(?:final answer|the answer|answer)\s*(?:is|:|=)\s*:?\s*/gi)];
  for (let k = matches.length - 1; k >= 0; k--) {
    const m = matches[k]!;
    let rest = text.slice(m.index! + m[0].length, m.index! + m[0].length + MAX_PHRASE_ANSWER * 2);
    rest = rest.split('\n')[0]!;
    const dollar = /^\$+([^$]+)\$+/.exec(rest) ?? /^\\\((.+?)\\\)/.exec(rest) ?? /^\\\[(.+?)\\\]/.exec(rest);
    let answer = dollar ? dollar[1]! : rest.replace(/\.\s.*$/, '').replace(/\.\s*$/, '');
    answer = answer.replace(/^\*\*|\*\*$/g, '').trim();
    if (answer && answer.length <= MAX_PHRASE_ANSWER) return answer;
  }
  return null;
}

/**
 * The final answer of a MATH/AIME output as LaTeX text; null when nothing is extractable.
 * Order: a run of boxes at the end (`lastBoxRun`), the last `\boxed`/`\fbox`, then the last
 * "answer is ..." phrase, then the last `<answer>` thought.
 */
export function extractMathAnswer(output: string): string | null {
  const run = lastBoxRun(output);
  if (run !== null) return run;
  const boxed = lastBoxed(output);
  if (boxed !== null && boxed !== '') return boxed;
  const phrase = lastAnswerPhrase(output);
  if (phrase !== null) return phrase;
  const tag = lastAnswerTag(output);
  if (tag !== null) {
    const content = tag.trim().replace(/^\$+|\$+$/g, '').replace(/\.$/, '').trim();
    if (content && content.length <= MAX_PHRASE_ANSWER) return content;
  }
  return null;
}
