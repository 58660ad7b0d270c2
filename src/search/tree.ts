/**
 * The in-memory search tree of one question, as a struct of arrays (mctx `tree.py`):
 * node index = creation order within the question (0 = root), typed arrays for the
 * numbers, capacity doubling. The text of each thought lives in plain arrays beside them.
 *
 * Backup is synchronous and pure on these arrays (docs/method.md section 1: "Backpropagation
 * adds the reward and one visit to every ancestor").
 */
import { renderThought } from '../core/thought-format.ts';

/** Parent of the root. */
export const NO_PARENT = -1;

export interface TreeNodeInput {
  parent: number;
  type: string;
  tag: string;
  prefill: string;
  content: string;
  showInHistory: boolean;
  /** Store row id. */
  storeId: number;
  /** For answer nodes: 1 correct, 0 otherwise; null for other nodes. */
  reward: number | null;
  verdict: string | null;
  copies: number;
  expanded: boolean;
}

export class SearchTree {
  size = 0;
  /** Parent index per node; NO_PARENT for the root. */
  parent = new Int32Array(16);
  /** Visit count N per node (committed rollouts only). */
  visits = new Int32Array(16);
  /** Summed reward W per node. */
  rewardSum = new Float64Array(16);
  /** Pending iterations through the node (virtual loss: counted as visits with reward 0). */
  virtualVisits = new Int32Array(16);
  depth = new Int32Array(16);
  /** 1 once the node's children are committed. */
  expanded = new Uint8Array(16);
  /** Answer reward (0/1), NaN for non-answer nodes. */
  reward = new Float64Array(16);
  /** Child indices per node, in creation order. */
  children: number[][] = [];
  type: string[] = [];
  tag: string[] = [];
  prefill: string[] = [];
  content: string[] = [];
  showInHistory: boolean[] = [];
  verdict: (string | null)[] = [];
  copies: number[] = [];
  storeId: number[] = [];

  private grow(): void {
    const capacity = this.parent.length * 2;
    const resize = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    this.parent = resize(this.parent);
    this.visits = resize(this.visits);
    this.rewardSum = resize(this.rewardSum);
    this.virtualVisits = resize(this.virtualVisits);
    this.depth = resize(this.depth);
    this.expanded = resize(this.expanded);
    this.reward = resize(this.reward);
  }

  /** Append a node; returns its index. The parent must exist (or be NO_PARENT for the root). */
  add(node: TreeNodeInput): number {
    if (this.size === this.parent.length) this.grow();
    const i = this.size++;
    this.parent[i] = node.parent;
    this.visits[i] = 0;
    this.rewardSum[i] = 0;
    this.virtualVisits[i] = 0;
    this.depth[i] = node.parent === NO_PARENT ? 0 : this.depth[node.parent]! + 1;
    this.expanded[i] = node.expanded ? 1 : 0;
    this.reward[i] = node.reward ?? NaN;
    this.children.push([]);
    this.type.push(node.type);
    this.tag.push(node.tag);
    this.prefill.push(node.prefill);
    this.content.push(node.content);
    this.showInHistory.push(node.showInHistory);
    this.verdict.push(node.verdict);
    this.copies.push(node.copies);
    this.storeId.push(node.storeId);
    if (node.parent !== NO_PARENT) this.children[node.parent]!.push(i);
    return i;
  }

  /** Node indices from the root to `node` (inclusive). */
  pathTo(node: number): number[] {
    const path: number[] = [];
    for (let i = node; i !== NO_PARENT; i = this.parent[i]!) path.push(i);
    return path.reverse();
  }

  /**
   * `linearizePath` of the root-to-`node` thoughts without the intermediate objects: the shown
   * thoughts from the root to `node`, rendered with their tags, joined by `separator`.
   */
  pathText(node: number, separator: string): string {
    const parts: string[] = [];
    for (let i = node; i > 0; i = this.parent[i]!) if (this.showInHistory[i]) parts.push(renderThought(this.tag[i]!, this.content[i]!));
    return parts.reverse().join(separator);
  }

  /** Nearest proper ancestor of `node` with the given type, or null. */
  nearestAncestorOfType(node: number, type: string): number | null {
    for (let i = this.parent[node]!; i !== NO_PARENT; i = this.parent[i]!) if (this.type[i] === type) return i;
    return null;
  }
}

/**
 * Backpropagation: +1 visit and +reward on every node of `path` (root first). Pure on the
 * tree arrays; mirrors `SearchStore.commitRollout`.
 */
export function backup(tree: SearchTree, path: readonly number[], reward: number): void {
  for (const i of path) {
    tree.visits[i]++;
    tree.rewardSum[i] += reward;
  }
}

/** Add (+1) or remove (-1) one pending iteration along `path` (virtual loss). */
export function applyVirtualVisit(tree: SearchTree, path: readonly number[], delta: 1 | -1): void {
  for (const i of path) tree.virtualVisits[i] += delta;
}
