/**
 * Evaluation metrics as pure functions. Each doc comment gives the formula and its source.
 * Inputs are plain arrays (verdict kinds, response texts), so the CLI, the pipeline report and
 * the tests compute every number the same way from stored results.
 */
import type { VerdictKind } from '../tasks/index.ts';

/**
 * Accuracy: share of verdicts that are `correct`. `accuracy = #correct / n`; 0 for n = 0.
 * Verifier timeouts count as not correct (they are in the denominator). docs/method.md section 5.
 */
export function accuracy(verdicts: readonly VerdictKind[]): number {
  if (verdicts.length === 0) return 0;
  return verdicts.filter((v) => v === 'correct').length / verdicts.length;
}

/**
 * No-answer rate: share of outputs with no valid final answer (`no_answer` verdicts), the paper's
 * over-thinking signal (docs/method.md section 5). `no_answer_rate = #no_answer / n`; 0 for n = 0.
 * Verifier timeouts are not counted as no-answer (the answer existed; the checker ran out of time).
 */
export function noAnswerRate(verdicts: readonly VerdictKind[]): number {
  if (verdicts.length === 0) return 0;
  return verdicts.filter((v) => v === 'no_answer').length / verdicts.length;
}

/**
 * Unbiased pass@k estimator from n samples of which c are correct (Chen et al. 2021,
 * "Evaluating Large Language Models Trained on Code", eq. 1 and its numerically stable form):
 * `pass@k = 1 - C(n-c, k) / C(n, k) = 1 - prod_{i=n-c+1}^{n} (1 - k / i)`.
 * Returns 1 when n - c < k (every k-subset holds a correct sample).
 * @throws RangeError unless 0 <= c <= n and 1 <= k <= n (integers).
 */
export function passAtK(n: number, c: number, k: number): number {
  if (![n, c, k].every(Number.isInteger) || c < 0 || c > n || k < 1 || k > n) {
    throw new RangeError(`passAtK needs integers 0 <= c <= n and 1 <= k <= n (got n=${n}, c=${c}, k=${k})`);
  }
  if (n - c < k) return 1;
  let product = 1;
  for (let i = n - c + 1; i <= n; i++) product *= 1 - k / i;
  return 1 - product;
}

/** Mean pass@k over questions, each given as {n, c}; questions with n < k are skipped. 0 when none qualify. */
export function meanPassAtK(counts: readonly { n: number; c: number }[], k: number): number {
  const usable = counts.filter((q) => q.n >= k);
  if (usable.length === 0) return 0;
  return usable.reduce((sum, q) => sum + passAtK(q.n, q.c, k), 0) / usable.length;
}

/** Arithmetic mean; 0 for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Median (mean of the two middle values for an even count); 0 for an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Phrases counted as reflection markers: the `<reflection>` tag of the action graph (docs/method.md
 * section 1) and the self-correction words that R1-style long CoT overuses ("wait", "something is
 * wrong", "let me re-check"...). Case-insensitive, whole words.
 */
export const REFLECTION_MARKERS: readonly RegExp[] = [
  /<reflection>/gi,
  /\bwait\b/gi,
  /\bsomething is wrong\b/gi,
  /\blet'?s think again\b/gi,
  /\blet me (?:re-?check|double[- ]check|reconsider|re-?think)\b/gi,
  /\bi made (?:a|an) (?:mistake|error)\b/gi,
];

/**
 * Reflection markers in one response: total matches of REFLECTION_MARKERS. A `<reflection>` tag
 * whose prefill is "Wait! something is wrong, let's think again." counts 4 (tag, wait, something
 * is wrong, let's think again): the number measures reflective language, not reflection nodes.
 * `reflectionTag`: the graph's tag for reflections (the search config's; default `reflection`),
 * counted as `<reflection>` is.
 */
export function reflectionMarkers(response: string, reflectionTag = 'reflection'): number {
  // Written as `<reflection>` first, so a tag that is itself a marker word (`<wait>`) counts once, as the default tag does.
  const text =
    reflectionTag === 'reflection'
      ? response
      : response.replaceAll(`<${reflectionTag}>`, '<reflection>').replaceAll(`</${reflectionTag}>`, '</reflection>');
  let count = 0;
  for (const pattern of REFLECTION_MARKERS) count += text.match(pattern)?.length ?? 0;
  return count;
}

/**
 * The units a response is made of for repetition checks: the contents of typed thoughts when the
 * response has thought tags (`<tag>content</tag>`), else its non-empty trimmed lines.
 */
export function responseSegments(response: string): string[] {
  const thoughts = [...response.matchAll(/<([a-z][a-z-]*)>([\s\S]*?)<\/\1>/g)].map((m) => `${m[1]}:${m[2]!.trim()}`);
  if (thoughts.length > 0) return thoughts;
  return response
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Repeated-line rate of one response: share of its segments (see responseSegments) that repeat an
 * earlier segment of the same response exactly: `(#segments - #distinct) / #segments`; 0 for an
 * empty response. A looping model ("wait, wait, ...") scores near 1. treecot's own definition; the
 * paper describes the symptom (endless "wait") but gives no formula.
 */
export function repeatedLineRate(response: string): number {
  const segments = responseSegments(response);
  if (segments.length === 0) return 0;
  return (segments.length - new Set(segments).size) / segments.length;
}

/**
 * Majority-answer baseline: the accuracy of always answering the most common reference.
 * `max_a #{reference = a} / n`. For the authors' letter-count set (298 of 500 are 3) it is 0.596.
 */
export function majorityBaseline(references: readonly string[]): { answer: string | null; accuracy: number } {
  if (references.length === 0) return { answer: null, accuracy: 0 };
  const counts = new Map<string, number>();
  for (const r of references) counts.set(r, (counts.get(r) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = -1;
  for (const [answer, count] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (count > bestCount) [best, bestCount] = [answer, count];
  }
  return { answer: best, accuracy: bestCount / references.length };
}
