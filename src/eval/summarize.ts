/**
 * Turn per-question evaluation records into an `EvalSummary`. Pure: the report and `--compare`
 * recompute numbers from stored JSONL with this same function.
 */
import type { VerdictKind } from '../tasks/index.ts';
import { accuracy, majorityBaseline, mean, meanPassAtK, median, noAnswerRate } from './metrics.ts';
import { proportionStandardError, rateWithError } from './statistics.ts';
import type { EvalQuestionRecord, EvalSummary } from './types.ts';

export interface SummaryContext {
  name: string;
  task: string;
  policy: string;
  decode: 'sample' | 'mcts';
  data: string;
  temperature: number;
  maxTokens: number;
  /** k values for pass@k; each must be <= the samples per question to count a question. */
  k: number[];
  wallS: number;
}

/** Summarise records (all samples of all questions pooled for the rates; pass@k per question). */
export function summarize(records: readonly EvalQuestionRecord[], context: SummaryContext): EvalSummary {
  const samples = records.flatMap((r) => r.samples);
  const verdicts = samples.map((s) => s.verdict);
  const counts: Record<VerdictKind, number> = { correct: 0, wrong: 0, no_answer: 0, timeout: 0 };
  for (const v of verdicts) counts[v]++;
  const passAtK: Record<string, number> = {};
  for (const k of context.k)
    passAtK[String(k)] = meanPassAtK(
      records.map((r) => ({ n: r.n, c: r.correct })),
      k,
    );
  // Per-question shares: the question is the unit of the standard error (samples of one question are not independent).
  const share = (r: EvalQuestionRecord, kind: VerdictKind): number =>
    r.samples.length ? r.samples.filter((s) => s.verdict === kind).length / r.samples.length : 0;
  const accuracyRate = rateWithError(records.map((r) => share(r, 'correct')));
  const noAnswer = rateWithError(records.map((r) => share(r, 'no_answer')));
  const majority = majorityBaseline(records.map((r) => r.reference));
  const summary: EvalSummary = {
    name: context.name,
    task: context.task,
    policy: context.policy,
    decode: context.decode,
    data: context.data,
    questions: records.length,
    samples_per_question: records.length ? Math.max(...records.map((r) => r.n)) : 0,
    temperature: context.temperature,
    max_tokens: context.maxTokens,
    accuracy: accuracy(verdicts),
    no_answer_rate: noAnswerRate(verdicts),
    accuracy_se: accuracyRate.se,
    accuracy_ci95: accuracyRate.ci95,
    no_answer_rate_se: noAnswer.se,
    no_answer_rate_ci95: noAnswer.ci95,
    pass_at_k: passAtK,
    mean_length_chars: mean(samples.map((s) => s.length_chars)),
    median_length_chars: median(samples.map((s) => s.length_chars)),
    reflection_markers_per_response: mean(samples.map((s) => s.reflection_markers)),
    repeated_line_rate: mean(samples.map((s) => s.repeated_line_rate)),
    majority_baseline: { ...majority, se: proportionStandardError(Math.round(majority.accuracy * records.length), records.length) },
    verdicts: counts,
    prompt_tokens: records.reduce((sum, r) => sum + (r.prompt_tokens ?? 0), 0),
    completion_tokens: samples.reduce((sum, s) => sum + s.completion_tokens, 0),
    wall_s: context.wallS,
  };
  const stepAccuracy = meanStepScores(samples.map((s) => s.steps));
  if (stepAccuracy) summary.step_accuracy = stepAccuracy;
  return summary;
}

/** Mean of each step score over the samples where it is not null; undefined when no sample has steps. */
export function meanStepScores(steps: readonly (Record<string, number | null> | undefined)[]): Record<string, number> | undefined {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const row of steps) {
    if (!row) continue;
    for (const [key, value] of Object.entries(row)) {
      if (value === null || value === undefined) continue;
      const entry = sums.get(key) ?? { sum: 0, n: 0 };
      entry.sum += value;
      entry.n++;
      sums.set(key, entry);
    }
  }
  if (sums.size === 0) return undefined;
  return Object.fromEntries([...sums].map(([key, { sum, n }]) => [key, sum / n]));
}
