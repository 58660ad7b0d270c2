/**
 * GSM8K (Cobbe et al. 2021, grade-school math word problems): the reference is the number after
 * the solution's last `####`; a prediction's final number is taken from (in this order, the last
 * match of the first kind found) `#### n`, `\boxed{n}`, or "The (final) answer is n" / "Answer: n".
 * Inside an `<answer>...</answer>` thought (src/core/thought-format.ts) a bare number also counts.
 * Numbers compare exactly as decimals: `$`, thousands commas, trailing units/words and trailing
 * zeros (`18.00` = `18`) are tolerated, and scientific notation is read whole (`1e2` = 100). Text without any of these forms is `no_answer`
 * (we do not guess "the last number in the text": docs/method.md section 5 counts no-answers).
 */
import { DataError } from '../core/index.ts';
import { lastAnswerTag } from './answer-tags.ts';
import { findBoxes } from './boxed.ts';
import { canonicalDecimal, EXPONENT_SOURCE } from './decimal.ts';
import { loadProblems } from './load-problems.ts';
import type { LoadOptions, Problem, Task, Verdict } from './types.ts';

/** GSM8K reference: the canonical decimal answer and the row's worked solution (if it had one). */
export interface Gsm8kReference {
  /** Canonical decimal string, e.g. "18", "-3.5". */
  answer: string;
  /** The worked solution text ending in `#### n`, or null when the row held only a number. */
  solution: string | null;
}

/**
 * A number as written: optional sign, thousands-comma groups or plain digits, optional decimals,
 * optional exponent (`1e2`, `2.5 \times 10^{3}`). The exponent is part of the number so that
 * `#### 1e2` reads 100: a grader that stopped at the `e` would read 1, and judge a model that
 * wrote 1e2 right when the answer is 1. May match no digits (then `canonicalDecimal` gives null).
 */
const NUMBER = String.raw`[-−–]?\s*(?:(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?${EXPONENT_SOURCE}?|\.\d+${EXPONENT_SOURCE}?)?`;
const NUMBER_AFTER_PREFIX = new RegExp(String.raw`^[\s:=*]*(?:\\\$|\$|\\\(|\\\[|\\text\{\s*\$?)?\s*(${NUMBER})`);

/** First number at the start of `text` (after `$`, `:` and spaces), canonicalised; null if none. */
function numberAtStart(text: string): string | null {
  const match = NUMBER_AFTER_PREFIX.exec(text);
  return match ? canonicalDecimal(match[1]!) : null;
}

/**
 * The final numeric answer of a GSM8K-style output, canonical (see `canonicalDecimal`); null when
 * the output has no `#### n`, `\boxed{n}`, "answer is n" or `<answer>` number.
 */
export function extractGsm8kAnswer(output: string): string | null {
  const answerTag = lastAnswerTag(output);
  const scope = answerTag ?? output;
  const hashes = scope.split('####');
  if (hashes.length > 1) {
    const value = numberAtStart(hashes[hashes.length - 1]!);
    if (value !== null) return value;
  }
  const boxes = findBoxes(scope);
  for (let i = boxes.length - 1; i >= 0; i--) {
    const inner = boxes[i]!.content.replace(/\\!|\\,|\{,\}/g, '');
    const value = numberAtStart(inner.replace(/^\\text\{/, ''));
    if (value !== null) return value;
  }
  const phrases = [...scope.matchAll(/(?:answer is|answer:|answer =)/gi)];
  for (let i = phrases.length - 1; i >= 0; i--) {
    const match = phrases[i]!;
    const value = numberAtStart(scope.slice(match.index! + match[0].length).replace(/^\s*(?:\*\*|:)/, ''));
    if (value !== null) return value;
  }
  if (answerTag !== null) {
    const numbers = [...scope.matchAll(new RegExp(NUMBER, 'g'))].map((m) => canonicalDecimal(m[0])).filter((v) => v !== null);
    if (numbers.length) return numbers[numbers.length - 1]!;
  }
  return null;
}

/** Turn a GSM8K `answer` field (worked solution with `####`, or a bare number) into a reference. */
function toReference(value: unknown, where: { file: string; line: number; field: string }): Gsm8kReference {
  const text = String(value);
  const parts = text.split('####');
  const answer = canonicalDecimal(parts[parts.length - 1]!.trim().replace(/^\$/, ''));
  if (answer === null) {
    throw new DataError({ file: where.file, line: where.line, field: where.field }, `no number after "####" (or as the whole value) in ${JSON.stringify(text.slice(-60))}`);
  }
  return { answer, solution: parts.length > 1 ? text : null };
}

export const gsm8kTask: Task = {
  name: 'gsm8k',
  description: 'GSM8K grade-school math: reference after ####, exact numeric match of the final number',
  defaultInstruction:
    'Solve the following math word problem step by step. End with the final numeric answer as "#### <number>".\n',
  load(file: string, options?: LoadOptions): Problem[] {
    return loadProblems(file, options, { questionField: 'question', answerField: 'answer', reference: toReference });
  },
  extractAnswer: extractGsm8kAnswer,
  verify(output: string, problem: Problem): Verdict {
    const reference = (problem.reference as Gsm8kReference).answer;
    const extracted = extractGsm8kAnswer(output);
    if (extracted === null) return { verdict: 'no_answer', extracted, reference, reason: 'no "#### n", \\boxed{n} or "answer is n" found' };
    return extracted === reference
      ? { verdict: 'correct', extracted, reference, reason: `${extracted} equals the reference` }
      : { verdict: 'wrong', extracted, reference, reason: `${extracted} differs from the reference ${reference}` };
  },
  goldOutput(problem: Problem): string | null {
    return (problem.reference as Gsm8kReference).solution;
  },
};
