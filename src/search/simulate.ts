/**
 * Selection, the first step of an MCTS iteration (mctx `search.py` `simulate`): from the last
 * node of `path`, follow the selection rule down while the node is expanded and has children,
 * appending each chosen child to `path`. Synchronous and pure on the tree (apart from the
 * pending visits of virtual loss); the only async step, expansion, happens between calls
 * (question-search.ts `descend`: simulate, expand where it stopped, simulate on).
 */
import type { Rng } from '../core/rng.ts';
import type { SelectChild } from './action-selection.ts';
import { ANSWER_TYPE } from './config.ts';
import { applyVirtualVisit, type SearchTree } from './tree.ts';

/**
 * Where a simulation stopped, at the last node of the path:
 * - 'answer': an answer node, a leaf whose reward the verifier already gave;
 * - 'unexpanded': a node whose children are not generated yet (expand it, then simulate on);
 * - 'dead_end': an expanded node without children (its path outgrew the model's context).
 */
export type SimulationEnd = 'answer' | 'unexpanded' | 'dead_end';

/**
 * Descend from `path[path.length - 1]` (root first; non-empty) by `selectChild`, pushing each
 * chosen node onto `path`. With `virtualLoss`, each chosen node gets one pending visit
 * (the caller removes them along the whole path when the iteration ends).
 */
export function simulate(tree: SearchTree, path: number[], selectChild: SelectChild, rng: Rng, virtualLoss = false): SimulationEnd {
  for (let node = path[path.length - 1]!; ;) {
    if (tree.type[node] === ANSWER_TYPE) return 'answer';
    if (!tree.expanded[node]) return 'unexpanded';
    if (tree.children[node]!.length === 0) return 'dead_end';
    node = selectChild(tree, node, rng);
    path.push(node);
    if (virtualLoss) applyVirtualVisit(tree, [node], 1);
  }
}
