/**
 * GSM8K (Cobbe et al. 2021, grade-school math word problems): the reference is the number after
 * the solution's last `####`; a prediction's final number is taken from (in this order, the last
 * match of the first kind found) `#### n`, `\boxed{n}`, or "The (final) answer is n" / "Answer: n".
 * Inside an `<answer>...</answer>` thought (src/core/thought-format.ts) a bare number also counts.
 * Numbers compare exactly as decimals: `$`, thousands commas, trailing units/words and trailing
 * zeros (`18.00` = `18`) are tolerated, and scientific notation is read whole (`1e2` = 100).
 * What follows the number counts (answer-number.ts): `#### 48 + 24 = 72` is 72, `\boxed{36/2}` is
 * 18, while `#### 70-72`, `\boxed{1/2}` against 1 and "20% of 50" are wrong. Text without any of
 * these forms is `no_answer` (we do not guess "the last number in the text": docs/method.md section 5
 * counts no-answers).
 */
import { DataError } from '../core/index.ts';
import { lastAnswerTag } from './answer-tags.ts';
import { findBoxes } from './boxed.ts';
import { canonicalDecimal, EXPONENT_SOURCE } from './decimal.ts';
import { readAnswerNumber, type AnswerNumber } from './answer-number.ts';
import { loadProblems } from './load-problems.ts';
import type { LoadOptions, Problem, Task, Verdict } from './types.ts';

/** GSM8K reference: the canonical decimal answer and the row's worked solution (if it had one). */
export interface Gsm8kReference {
  /** Canonical decimal string, e.g. "18", "-3.5". */
  answer: string;
  /** The worked solution text ending in `#### n`, or null when the row held only a number. */
  solution: string | null;
}

/** A bare number, for the fallback inside an `<answer>` thought (its last number). */
const NUMBER = String.raw`[-−–]?\s*(?:(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?${EXPONENT_SOURCE}?|\.\d+${EXPONENT_SOURCE}?)?`;

/** The final answer of a GSM8K-style output and how it was read; null when there is none. */
export interface Gsm8kAnswer extends AnswerNumber {
  /** Which marker pointed at it. */
  marker: '####' | 'boxed' | 'answer phrase' | 'answer tag';
}

/**
 * The final answer of a GSM8K-style output (see the file comment for the order), read with what
 * follows it (answer-number.ts): `#### 48 + 24 = 72` is 72, `#### 70-72` a range that equals no
 * number. Null when the output has no `#### n`, `\boxed{n}`, "answer is n" or `<answer>` number.
 */
export function readGsm8kAnswer(output: string): Gsm8kAnswer | null {
  const answerTag = lastAnswerTag(output);
  const scope = answerTag ?? output;
  const hashes = scope.split('####');
  if (hashes.length > 1) {
    const answer = readAnswerNumber(hashes[hashes.length - 1]!.slice(0, 512));
    if (answer !== null) return { ...answer, marker: '####' };
  }
  const boxes = findBoxes(scope);
  for (let i = boxes.length - 1; i >= 0; i--) {
    const inner = boxes[i]!.content.replace(/\\!|\\,|\{,\}/g, '');
    const answer = readAnswerNumber(inner.replace(/^\\text\{/, ''));
    if (answer !== null) return { ...answer, marker: 'boxed' };
  }
  const phrases = [...scope.matchAll(/(?:answer is|answer:|answer =)/gi)];
  for (let i = phrases.length - 1; i >= 0; i--) {
    const match = phrases[i]!;
    const from = match.index! + match[0].length;
    const answer = readAnswerNumber(scope.slice(from, from + 512).replace(/^\s*(?:\*\*|:)/, ''));
    if (answer !== null) return { ...answer, marker: 'answer phrase' };
  }
  if (answerTag !== null) {
    const numbers = [...scope.matchAll(new RegExp(NUMBER, 'g'))].map((m) => canonicalDecimal(m[0])).filter((v) => v !== null);
    if (numbers.length)
      return { value: numbers[numbers.length - 1]!, text: numbers[numbers.length - 1]!, rule: 'number', marker: 'answer tag' };
  }
  return null;
}

/**
 * The final numeric answer of a GSM8K-style output, canonical (see `canonicalDecimal`); for an
 * answer that is not one number (a range, `1/3`) its text as written. Null when there is none.
 */
export function extractGsm8kAnswer(output: string): string | null {
  const answer = readGsm8kAnswer(output);
  return answer === null ? null : (answer.value ?? answer.text);
}

/** Turn a GSM8K `answer` field (worked solution with `####`, or a bare number) into a reference. */
function toReference(value: unknown, where: { file: string; line: number; field: string }): Gsm8kReference {
  const text = String(value);
  const parts = text.split('####');
  const answer = canonicalDecimal(parts[parts.length - 1]!.trim().replace(/^\$/, ''));
  if (answer === null) {
    throw new DataError(
      { file: where.file, line: where.line, field: where.field },
      `no number after "####" (or as the whole value) in ${JSON.stringify(text.slice(-60))}`,
    );
  }
  return { answer, solution: parts.length > 1 ? text : null };
}

export const gsm8kTask: Task = {
  name: 'gsm8k',
  description: 'GSM8K grade-school math: reference after ####, exact numeric match of the final number',
  defaultInstruction: 'Solve the following math word problem step by step. End with the final numeric answer as "#### <number>".\n',
  load(file: string, options?: LoadOptions): Problem[] {
    return loadProblems(file, options, { questionField: 'question', answerField: 'answer', reference: toReference });
  },
  extractAnswer: extractGsm8kAnswer,
  verify(output: string, problem: Problem): Verdict {
    const reference = (problem.reference as Gsm8kReference).answer;
    const answer = readGsm8kAnswer(output);
    if (answer === null)
      return {
        verdict: 'no_answer',
        extracted: null,
        reference,
        reason: 'no "#### n", \\boxed{n} or "answer is n" found',
        rule: 'no-answer',
      };
    const rule = `${answer.marker}: ${answer.rule}`;
    if (answer.value === null) {
      const why =
        {
          range: 'a range',
          'percent-of': 'a percentage of another number',
          'non-terminating': 'a fraction that is no terminating decimal',
          unevaluable: 'an expression that does not evaluate',
        }[answer.rule as string] ?? 'not a number';
      return {
        verdict: 'wrong',
        extracted: answer.text,
        reference,
        reason: `${JSON.stringify(answer.text)} is ${why}, not the number ${reference}`,
        rule,
      };
    }
    const how = answer.rule !== 'expression' ? answer.value : answer.text.includes('=') ? answer.text : `${answer.text} = ${answer.value}`;
    return answer.value === reference
      ? { verdict: 'correct', extracted: answer.value, reference, reason: `${how} equals the reference`, rule }
      : { verdict: 'wrong', extracted: answer.value, reference, reason: `${how} differs from the reference ${reference}`, rule };
  },
  goldOutput(problem: Problem): string | null {
    return (problem.reference as Gsm8kReference).solution;
  },
};
