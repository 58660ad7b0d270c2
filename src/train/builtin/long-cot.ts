/**
 * The "distilled long CoT" baseline rows (issue 10 item 5; the paper's Table 4 compares tree data
 * with R1-distilled Sky-T1 data): what a reasoning-style teacher writes for the same questions, here
 * the policy's own format (policy-format.ts: compact or marked, as the tree row it stands beside)
 * forced to over-think. How a row is made:
 *
 * - a first attempt: right (70%) or a wrong attempt of the policy's kinds (30%; policy-data.ts
 *   wrongAttempt);
 * - then 2 or 3 re-checks (uniform), each a `<reflection>Wait, let me check again.</reflection>`
 *   followed by a complete re-think (spelled again, recounted, double-checked), always right: the
 *   R1-style "wait" loop that re-verifies an answer that was already right;
 * - then the answer. Re-checks are dropped from the end while the row is over `maxTokens`.
 *
 * The rows are never shaped to be worse than the tree data: every final answer is right and every
 * re-think is a correct, complete attempt; they are only longer.
 */
import { Rng, renderThought } from '../../core/index.ts';
import { BUILTIN_TAGS } from './format.ts';
import { POLICY_TRAIN_PHRASINGS, renderPhrasing } from './phrasings.ts';
import { correctAttempt, renderAttempt, type PolicyFormat } from './policy-format.ts';
import { wrongAttempt } from './policy-data.ts';

/** The over-thinking reflection of the long-CoT rows (R1's "Wait, ..."). */
export const LONG_COT_RECHECK = renderThought('reflection', 'Wait, let me check again.');

export interface LongCotRow {
  prompt: string;
  completion: string;
  /** Re-checks written (reflections). */
  rechecks: number;
  firstWrong: boolean;
}

export interface LongCotOptions {
  /** Row length limit; re-checks are dropped from the end while the row is longer. */
  maxTokens: number;
  /** Sequence length of prompt + completion, in the unit of `maxTokens`. */
  countTokens: (prompt: string, completion: string) => number;
  /** The spelling format, the tree data's (policyFormatOf). */
  format: PolicyFormat;
}

/**
 * The long-CoT response for `letters` in `word`, within `options.maxTokens` where one re-check allows.
 */
export function formatLongCotResponse(
  rng: Rng,
  prompt: string,
  word: string,
  letters: readonly string[],
  options: LongCotOptions,
): LongCotRow {
  const { format } = options;
  const right = correctAttempt(word, letters, format);
  const firstWrong = rng.float() < 0.3;
  const first = firstWrong ? wrongAttempt(rng, word, letters, format).attempt : right;
  let rechecks = rng.int(2, 3);
  const render = (k: number): string =>
    [
      renderThought(BUILTIN_TAGS.subTask, letters.join('+')),
      renderAttempt(letters, first),
      ...Array.from({ length: k }, () => LONG_COT_RECHECK + renderAttempt(letters, right)),
      renderThought(BUILTIN_TAGS.answer, String(right.total)),
    ].join('');
  let completion = render(rechecks);
  while (rechecks > 1 && options.countTokens(prompt, completion) > options.maxTokens) completion = render(--rechecks);
  return { prompt, completion, rechecks, firstWrong };
}

/**
 * `count` long-CoT rows on the given questions (the tree data's questions, so the two rows sets ask
 * the same things), cycling through them. Row i depends only on (seed, i).
 */
export function buildLongCotRows(
  questions: readonly { question: string; word: string; letters: readonly string[] }[],
  count: number,
  seed: number,
  options: LongCotOptions,
): LongCotRow[] {
  if (questions.length === 0) throw new RangeError('buildLongCotRows: no questions');
  const root = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const q = questions[i % questions.length]!;
    return formatLongCotResponse(root.split(`long-cot:${i}`), q.question, q.word, q.letters, options);
  });
}

/** A phrased question for the long-CoT rows when no tree data is at hand (training words and phrasings). */
export function longCotQuestion(rng: Rng, word: string, letters: readonly string[]): string {
  return renderPhrasing(rng.pick(POLICY_TRAIN_PHRASINGS.filter((p) => p.letters === letters.length)), letters, word);
}
