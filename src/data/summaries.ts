/** Small numeric summaries used by the data stats and card. */

/** count, min, quartiles (nearest-rank), max and mean of a list of numbers; all 0 when empty. */
export interface NumberSummary {
  count: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  max: number;
  mean: number;
}

/** One equal-width histogram bucket [from, to) (the last bucket includes `to`). */
export interface HistogramBucket {
  from: number;
  to: number;
  count: number;
}

/** Nearest-rank quantile of sorted values (q in [0, 1]). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(values: readonly number[]): NumberSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? 0,
    p25: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    max: sorted[sorted.length - 1] ?? 0,
    mean: sorted.length ? round(total / sorted.length) : 0,
  };
}

/**
 * Equal-width histogram over [min, max] of integer-valued data: `buckets` buckets with
 * integer edges (fewer when the range is small); [] for no values.
 */
export function histogram(values: readonly number[], buckets = 8): HistogramBucket[] {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const width = Math.max(1, Math.ceil((max - min + 1) / buckets));
  const out: HistogramBucket[] = [];
  for (let from = min; from <= max; from += width) out.push({ from, to: Math.min(from + width - 1, max), count: 0 });
  for (const v of values) out[Math.min(out.length - 1, Math.floor((v - min) / width))]!.count++;
  return out;
}

/** Count of each distinct key. */
export function tally(keys: readonly (string | number | null)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of keys) out[String(key)] = (out[String(key)] ?? 0) + 1;
  return out;
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
