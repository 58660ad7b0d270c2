/**
 * Selection rules (mctx `action_selection.py`): a function that picks one child of a node
 * from the tree statistics and a seeded Rng. Swappable through `runSearch({ selectChild })`.
 * A rule's own constants are bound when it is made (`uct(c)`), as mctx binds them with
 * `functools.partial`, so the `SelectChild` type carries none of them.
 */
import type { Rng } from '../core/rng.ts';
import type { SearchTree } from './tree.ts';

/** Picks one child index of `node` (which has at least one child); draws ties from `rng` only. */
export type SelectChild = (tree: SearchTree, node: number, rng: Rng) => number;

/**
 * UCT score of a visited child: `W/N + c * sqrt(2 * ln(N_parent) / N)` (docs/method.md
 * section 1; the authors' `get_best_child`). `n` must be > 0.
 */
export function uctScore(w: number, n: number, nParent: number, c: number): number {
  return w / n + c * Math.sqrt((2 * Math.log(nParent)) / n);
}

/**
 * UCT selection with exploration constant `c` (config `search.uct_c`, default 1.414). Visit
 * counts include pending iterations (virtual loss, reward 0), which are 0 unless
 * `--virtual-loss` is on. An unvisited child is taken first; several
 * unvisited children, or several with the same best score, are broken uniformly at
 * random with `rng` (the authors take the first unvisited child in creation order; a
 * seeded random pick avoids always favouring the first child type of the graph row).
 */
export function uct(c: number): SelectChild {
  return (tree, node, rng) => selectByUct(tree, node, rng, c);
}

function selectByUct(tree: SearchTree, node: number, rng: Rng, c: number): number {
  const children = tree.children[node]!;
  if (children.length === 0) throw new Error(`uct: node ${node} has no children`);
  const unvisited: number[] = [];
  for (const child of children) if (tree.visits[child]! + tree.virtualVisits[child]! === 0) unvisited.push(child);
  if (unvisited.length > 0) return unvisited.length === 1 ? unvisited[0]! : rng.pick(unvisited);
  const nParent = tree.visits[node]! + tree.virtualVisits[node]!;
  let best = -Infinity;
  let ties: number[] = [];
  for (const child of children) {
    const score = uctScore(tree.rewardSum[child]!, tree.visits[child]! + tree.virtualVisits[child]!, nParent, c);
    if (score > best) {
      best = score;
      ties = [child];
    } else if (score === best) ties.push(child);
  }
  return ties.length === 1 ? ties[0]! : rng.pick(ties);
}
