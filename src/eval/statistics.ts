/**
 * Uncertainty of evaluation numbers, as small pure functions (issue 10 item 3): every accuracy and
 * no-answer rate is reported with its standard error and a 95% interval, and every change between
 * two models evaluated on the same questions with a paired test and its p-value.
 *
 * Unit of analysis: the question. With one sample per question a rate is a binomial proportion;
 * with n samples per question the per-question shares are the observations (samples of one
 * question are not independent), so the standard error is that of their mean.
 */
import { Rng } from '../core/index.ts';

/** z of a two-sided 95% normal interval. */
export const Z95 = 1.959963984540054;

/** A rate with its uncertainty. `ci95` is [low, high], both in [0, 1]. */
export interface RateWithError {
  value: number;
  se: number;
  ci95: [number, number];
  /** Observations (questions) behind the rate. */
  n: number;
}

/** Standard error of a binomial proportion: `sqrt(p (1 - p) / n)`, p = successes / n; 0 for n = 0. */
export function proportionStandardError(successes: number, n: number): number {
  if (n <= 0) return 0;
  const p = successes / n;
  return Math.sqrt((p * (1 - p)) / n);
}

/**
 * Wilson score interval of a binomial proportion (Wilson 1927; Agresti & Coull 1998 recommend it
 * over the normal interval, which collapses to a point at 0% and 100%):
 * `(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`. [0, 0] for n = 0.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 0];
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return [Math.max(0, (centre - half) / denominator), Math.min(1, (centre + half) / denominator)];
}

/** Standard error of a mean: sample standard deviation (n - 1) / sqrt(n); 0 for fewer than 2 values. */
export function meanStandardError(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const m = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1);
  return Math.sqrt(variance / n);
}

/**
 * A rate over questions from each question's share in [0, 1] (1/0 for one sample per question).
 * All shares 0 or 1: binomial standard error and Wilson interval. Otherwise: the standard error of the
 * mean of the shares and the normal interval `mean ± z se`, clipped to [0, 1].
 */
export function rateWithError(shares: readonly number[]): RateWithError {
  const n = shares.length;
  if (n === 0) return { value: 0, se: 0, ci95: [0, 0], n: 0 };
  const value = shares.reduce((a, b) => a + b, 0) / n;
  if (shares.every((s) => s === 0 || s === 1)) {
    const successes = shares.filter((s) => s === 1).length;
    return { value, se: proportionStandardError(successes, n), ci95: wilsonInterval(successes, n), n };
  }
  const se = meanStandardError(shares);
  return { value, se, ci95: [Math.max(0, value - Z95 * se), Math.min(1, value + Z95 * se)], n };
}

/** Binomial coefficient as a float (exact for the sizes of evaluation sets' discordant pairs). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Exact McNemar test (two-sided), for paired right/wrong outcomes: `b` questions right only under
 * A, `c` right only under B. Under H0 the b + c discordant questions split Binomial(b + c, 1/2):
 * `p = min(1, 2 sum_{i=0}^{min(b,c)} C(b+c, i) / 2^(b+c))`; 1 when there is no discordant question.
 * @throws RangeError for negative or non-integer counts.
 */
export function exactMcNemar(b: number, c: number): number {
  if (![b, c].every((x) => Number.isInteger(x) && x >= 0))
    throw new RangeError(`exactMcNemar needs non-negative integer counts (got b=${b}, c=${c})`);
  const n = b + c;
  if (n === 0) return 1;
  let tail = 0;
  for (let i = 0; i <= Math.min(b, c); i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Paired bootstrap of a mean difference (Efron & Tibshirani 1993, ch. 15; Koehn 2004 for evaluation
 * sets): resample questions with replacement `resamples` times. Two-sided p-value
 * `min(1, 2 (min(#(mean <= 0), #(mean >= 0)) + 1) / (resamples + 1))` over the resampled means (the
 * resamples on the far side of zero, with the +1 that keeps a finite bootstrap from claiming p = 0),
 * and the percentile 95% interval. Seeded, so reports are reproducible.
 */
export function pairedBootstrap(
  differences: readonly number[],
  options: { resamples?: number; seed?: number } = {},
): { pValue: number; ci95: [number, number] } {
  const n = differences.length;
  if (n === 0) return { pValue: 1, ci95: [0, 0] };
  const resamples = options.resamples ?? 10000;
  const rng = new Rng(options.seed ?? 0);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[rng.int(0, n - 1)]!;
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  const atOrBelow = means.filter((m) => m <= 0).length;
  const atOrAbove = means.filter((m) => m >= 0).length;
  const quantile = (q: number): number => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  // (count + 1) / (resamples + 1) (Davison & Hinkley 1997, eq. 4.11): a finite bootstrap cannot show p = 0,
  // only p below about 1 / resamples.
  const tail = (Math.min(atOrBelow, atOrAbove) + 1) / (resamples + 1);
  return { pValue: Math.min(1, 2 * tail), ci95: [quantile(0.025), quantile(0.975)] };
}

/** Change of a rate from A to B on the same questions. */
export interface PairedComparison {
  /** Questions both were evaluated on (matched by id). */
  n: number;
  a: number;
  b: number;
  /** b - a. */
  difference: number;
  /** Standard error of the mean per-question difference. */
  se: number;
  ci95: [number, number];
  /** Exact McNemar with one sample per question; paired bootstrap with several. */
  test: 'exact-mcnemar' | 'paired-bootstrap';
  pValue: number;
  /** Questions right (share 1) only under A / only under B (McNemar's b and c); with several samples, questions where A / B scored higher. */
  onlyA: number;
  onlyB: number;
}

/**
 * Compare two models' per-question shares (question id -> share in [0, 1]) over the questions both
 * have. One sample per question (all shares 0/1): exact McNemar, interval `d ± z se`.
 * Otherwise a seeded paired bootstrap.
 * @throws RangeError when the two have no question in common.
 */
export function comparePaired(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
  options: { seed?: number; resamples?: number } = {},
): PairedComparison {
  const ids = [...a.keys()].filter((id) => b.has(id));
  if (ids.length === 0) throw new RangeError('comparePaired: the two evaluations share no question id');
  const xs = ids.map((id) => a.get(id)!);
  const ys = ids.map((id) => b.get(id)!);
  const diffs = ys.map((y, i) => y - xs[i]!);
  const n = ids.length;
  const meanA = xs.reduce((s, v) => s + v, 0) / n;
  const meanB = ys.reduce((s, v) => s + v, 0) / n;
  const difference = meanB - meanA;
  const se = meanStandardError(diffs);
  const onlyA = diffs.filter((d) => d < 0).length;
  const onlyB = diffs.filter((d) => d > 0).length;
  const binary = [...xs, ...ys].every((v) => v === 0 || v === 1);
  if (binary) {
    return {
      n,
      a: meanA,
      b: meanB,
      difference,
      se,
      ci95: [difference - Z95 * se, difference + Z95 * se],
      test: 'exact-mcnemar',
      pValue: exactMcNemar(onlyA, onlyB),
      onlyA,
      onlyB,
    };
  }
  const boot = pairedBootstrap(diffs, options);
  return { n, a: meanA, b: meanB, difference, se, ci95: boot.ci95, test: 'paired-bootstrap', pValue: boot.pValue, onlyA, onlyB };
}

/** "64.6% ± 2.1 (95% CI 60.4-68.7)": a rate with its standard error in points and its interval. */
export function formatRate(rate: RateWithError): string {
  const pct = (x: number): string => (x * 100).toFixed(1);
  return `${pct(rate.value)}% ± ${pct(rate.se)} (95% CI ${pct(rate.ci95[0])}-${pct(rate.ci95[1])})`;
}

/** "+3.2 points (SE 1.4, exact-mcnemar p = 0.031; 12 vs 4 questions)": a paired change. */
export function formatComparison(c: PairedComparison): string {
  const sign = c.difference >= 0 ? '+' : '';
  const p = c.pValue < 0.001 ? c.pValue.toExponential(1) : c.pValue.toFixed(3);
  return `${sign}${(c.difference * 100).toFixed(1)} points (SE ${(c.se * 100).toFixed(1)}, ${c.test} p = ${p}; better on ${c.onlyB}, worse on ${c.onlyA} of ${c.n})`;
}
