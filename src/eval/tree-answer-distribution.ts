/**
 * The policy's answer distribution as a searched tree estimates it (MCTS decode's vote).
 *
 * Every expansion draws `count` i.i.d. samples of a thought and merges identical ones
 * (`copies`), so a node's subtree estimates the probability of each final answer given its path
 * by the copies-weighted mean of its children's estimates (the recursive Monte Carlo estimate of
 * a sampled tree; unbiased where every child was explored):
 *
 *   P(a | node) = sum_c copies(c) * P(a | c) / sum_c copies(c),   c = the visited children
 *   P(a | answer node) = 1 when it is a voter with answer a, else 0 (off-policy or no answer).
 *
 * Visit counts are not used: UCT revisits what its own reward favoured, so visits echo the
 * reward rather than add samples (the first MCTS decode voted by visits; docs/eval.md).
 * Unvisited children are left out of the mean (their subtree holds no answer yet). A reflection
 * child (added by backtracking, copies 1) counts as one more continuation of its parent.
 */
import type { StoredNode } from '../store/index.ts';

/** Answer -> estimated probability, in first-reached order. Masses sum to <= 1 (the rest: no vote). */
export type AnswerDistribution = Map<string, number>;

/**
 * The estimate at the root. `voterAnswer(node)` gives an answer node's answer when it may vote,
 * else null. `extraRootSamples` are whole responses counted as further samples at the root (the
 * greedy response), each with weight 1 against the root children's copies.
 */
export function treeAnswerDistribution(
  nodes: readonly StoredNode[],
  voterAnswer: (node: StoredNode) => string | null,
  extraRootSamples: readonly (string | null)[] = [],
): AnswerDistribution {
  const children = new Map<number, StoredNode[]>();
  let root: StoredNode | undefined;
  for (const node of nodes) {
    if (node.parentId === null) root = node;
    else children.set(node.parentId, [...(children.get(node.parentId) ?? []), node]);
  }
  const estimate = (node: StoredNode): AnswerDistribution => {
    if (node.type === 'answer') {
      const answer = voterAnswer(node);
      return new Map(answer === null ? [] : [[answer, 1]]);
    }
    const parts: [AnswerDistribution, number][] = (children.get(node.id) ?? [])
      .filter((c) => c.visits > 0)
      .map((c) => [estimate(c), c.copies]);
    if (node === root) for (const answer of extraRootSamples) parts.push([new Map(answer === null ? [] : [[answer, 1]]), 1]);
    return mix(parts);
  };
  if (!root) return mix(extraRootSamples.map((answer) => [new Map(answer === null ? [] : [[answer, 1]]), 1]));
  return estimate(root);
}

/** Weighted mean of distributions; empty for no parts. */
function mix(parts: readonly [AnswerDistribution, number][]): AnswerDistribution {
  const total = parts.reduce((s, [, w]) => s + w, 0);
  const out: AnswerDistribution = new Map();
  for (const [dist, weight] of parts) for (const [answer, p] of dist) out.set(answer, (out.get(answer) ?? 0) + (p * weight) / total);
  return out;
}
