/**
 * Fine-grained DPO pairs from one tree (METHOD.md section 3): `chosen` = a correct path
 * (shortest by default, section 2), `rejected` = the incorrect path that shares the
 * SHORTEST common prefix with it. The shared prefix is recorded on the pair so the trainer
 * can mask it and the TRL export can move it into the prompt.
 */
import type { Rng } from '../core/rng.ts';
import { dropDuplicateResponses, type RankedPath } from './length-balance.ts';
import type { CountTokens, DpoPair, TreePath } from './types.ts';

/** Which correct path becomes `chosen`. */
export const CHOSEN_STRATEGIES = ['shortest', 'longest', 'random'] as const;
export type ChosenStrategy = (typeof CHOSEN_STRATEGIES)[number];

export interface PairOptions {
  chosen: ChosenStrategy;
  /** Pairs per question (>= 1). Default 1. */
  pairsPerQuestion?: number;
  /** The question's own stream (ties among equally short prefixes; `random` chosen order). */
  rng: Rng;
  countTokens?: CountTokens;
}

/** Length in UTF-16 code units of the longest common prefix of `a` and `b`. */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Never split a surrogate pair: the prefix must be a valid string on its own.
  if (i > 0 && i < n && isHighSurrogate(a.charCodeAt(i - 1))) i--;
  return i;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The longest prefix (<= `prefixChars`) that ends where a thought starts in BOTH responses;
 * 0 when the paths share no whole thought.
 */
export function sharedThoughtBoundary(chosen: TreePath, rejected: TreePath, prefixChars: number): number {
  const rejectedStarts = new Set(rejected.thoughtStarts);
  let best = 0;
  for (const start of chosen.thoughtStarts) if (start <= prefixChars && rejectedStarts.has(start) && start > best) best = start;
  return best;
}

/** Number of tree nodes below the root that both paths share. */
export function sharedNodeCount(a: TreePath, b: TreePath): number {
  let i = 0;
  while (i < a.nodeIds.length && i < b.nodeIds.length && a.nodeIds[i] === b.nodeIds[i]) i++;
  return Math.max(0, i - 1);
}

/** A usable pair: both diverging suffixes non-empty (so the responses also differ). */
export function isValidPair(chosen: string, rejected: string): boolean {
  const prefix = commonPrefixLength(chosen, rejected);
  return prefix < chosen.length && prefix < rejected.length;
}

/** Build the pair record for `chosen` vs `rejected`. */
export function makePair(chosen: RankedPath, rejected: TreePath, countTokens?: CountTokens): DpoPair {
  const c = chosen.path;
  const prefixChars = commonPrefixLength(c.response, rejected.response);
  const sharedNodes = sharedNodeCount(c, rejected);
  const pair: DpoPair = {
    prompt: c.prompt,
    chosen: c.response,
    rejected: rejected.response,
    question_id: c.questionId,
    common_prefix_chars: prefixChars,
    shared_thoughts_chars: sharedThoughtBoundary(c, rejected, prefixChars),
    shared_nodes: sharedNodes,
    chosen_length: c.length,
    rejected_length: rejected.length,
    length_unit: c.lengthUnit,
    chosen_length_bin: chosen.bin,
    chosen_reflection_count: c.reflectionCount,
    rejected_reflection_count: rejected.reflectionCount,
    chosen_reflection_markers: c.reflectionMarkers,
    rejected_reflection_markers: rejected.reflectionMarkers,
    rejected_verdict: rejected.verdict,
    chosen_node_ids: c.nodeIds,
    rejected_node_ids: rejected.nodeIds,
    path_tokens: sum(c.nodeTokens) + sum(rejected.nodeTokens.slice(sharedNodes + 1)),
  };
  if (countTokens) pair.common_prefix_tokens = countTokens(c.response.slice(0, prefixChars));
  return pair;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Chosen candidates in preference order. */
function chosenOrder(ranked: readonly RankedPath[], strategy: ChosenStrategy, rng: Rng): RankedPath[] {
  if (strategy === 'shortest') return [...ranked];
  if (strategy === 'longest') return [...ranked].reverse();
  return rng.shuffle(ranked);
}

/**
 * DPO pairs of one question. `ranked` = its correct paths ranked by length (length-balance.ts),
 * `incorrect` = its paths with reward 0. For each chosen candidate (in `options.chosen` order),
 * the rejected candidates are the valid ones sorted by common prefix length, ties in a seeded
 * random order. Pairs are taken round-robin over the chosen candidates, each taking its best
 * rejected path not yet used in this question (else its best not yet paired with it), until
 * `pairsPerQuestion` pairs exist or no new pair is possible. No pair has identical responses
 * or an empty suffix on either side. Returns [] without correct or incorrect paths.
 */
export function buildQuestionPairs(ranked: readonly RankedPath[], incorrect: readonly TreePath[], options: PairOptions): DpoPair[] {
  const wanted = options.pairsPerQuestion ?? 1;
  const rejectedPool = dropDuplicateResponses(incorrect);
  if (ranked.length === 0 || rejectedPool.length === 0 || wanted < 1) return [];
  const order = chosenOrder(ranked, options.chosen, options.rng);
  const tieKeys = new Map(options.rng.shuffle(rejectedPool).map((path, i) => [path, i] as const));
  const candidates = order.map((chosen) =>
    rejectedPool
      .filter((r) => isValidPair(chosen.path.response, r.response))
      .map((r) => ({ path: r, prefix: commonPrefixLength(chosen.path.response, r.response) }))
      .sort((a, b) => a.prefix - b.prefix || tieKeys.get(a.path)! - tieKeys.get(b.path)!)
      .map((c) => c.path),
  );
  const pairs: DpoPair[] = [];
  const usedRejected = new Set<TreePath>();
  const paired = order.map(() => new Set<TreePath>());
  while (pairs.length < wanted) {
    let progress = false;
    for (let i = 0; i < order.length && pairs.length < wanted; i++) {
      const pick = candidates[i]!.find((r) => !usedRejected.has(r) && !paired[i]!.has(r)) ?? candidates[i]!.find((r) => !paired[i]!.has(r));
      if (!pick) continue;
      usedRejected.add(pick);
      paired[i]!.add(pick);
      pairs.push(makePair(order[i]!, pick, options.countTokens));
      progress = true;
    }
    if (!progress) break;
  }
  return pairs;
}
