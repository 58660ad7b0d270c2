/**
 * Evaluation of the built-in policy (issue 10 "Must show"): greedy accuracy and no-answer rate with
 * standard errors on held-out words and held-out phrasings, and how its reflections go: how often it
 * reflects, and how often a reflection turns a wrong first attempt into a right answer.
 */
import { rateWithError, type RateWithError } from '../../eval/statistics.ts';
import { letterCountAttempts } from '../../eval/reflection.ts';
import type { GgufGenerator } from './gguf-generator.ts';
import type { PolicyEvalQuestion } from './policy-data.ts';

export interface PolicySetResult {
  questions: number;
  accuracy: RateWithError;
  noAnswer: RateWithError;
  majorityBaseline: { answer: number; accuracy: number };
  /** Responses with at least one reflection. */
  reflected: number;
  /** Reflected responses whose first attempt was wrong and whose final answer is right. */
  reflectionFixed: number;
  /** Reflected responses whose first attempt was right and whose final answer is wrong. */
  reflectionBroke: number;
  /** Per question: id, answer given (null = none), right or not. */
  records: { id: string; answer: string | null; correct: boolean; text: string }[];
}

/** Decode each question (greedy unless `temperature` > 0) and score it. */
export async function evaluatePolicySet(
  generator: GgufGenerator,
  questions: readonly PolicyEvalQuestion[],
  options: { temperature?: number; seed?: number; maxTokens?: number } = {},
): Promise<PolicySetResult> {
  const records: PolicySetResult['records'] = [];
  let reflected = 0;
  let fixed = 0;
  let broke = 0;
  for (const [i, q] of questions.entries()) {
    const { text } = await generator.generate(q.question, {
      temperature: options.temperature ?? 0,
      seed: (options.seed ?? 0) + i,
      maxTokens: options.maxTokens ?? 256,
    });
    const answer = /<answer>\s*(\d+)\s*<\/answer>/.exec(text)?.[1] ?? null;
    const correct = answer !== null && Number(answer) === q.answer;
    const attempts = letterCountAttempts(text);
    if (attempts.length > 1) {
      reflected++;
      const first = attempts[0]!.answer;
      const firstRight = first !== null && Number(first) === q.answer;
      if (!firstRight && correct) fixed++;
      if (firstRight && !correct) broke++;
    }
    records.push({ id: q.id, answer, correct, text });
  }
  const counts = new Map<number, number>();
  for (const q of questions) counts.set(q.answer, (counts.get(q.answer) ?? 0) + 1);
  const [majAnswer, majCount] = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] ?? [0, 0];
  return {
    questions: questions.length,
    accuracy: rateWithError(records.map((r) => (r.correct ? 1 : 0))),
    noAnswer: rateWithError(records.map((r) => (r.answer === null ? 1 : 0))),
    majorityBaseline: { answer: majAnswer, accuracy: questions.length ? majCount / questions.length : 0 },
    reflected,
    reflectionFixed: fixed,
    reflectionBroke: broke,
    records,
  };
}
