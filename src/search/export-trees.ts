/**
 * Trees out of the store: one JSON object per question (like the authors' tree output,
 * plus correct/wrong root-to-answer paths) and an indented text view.
 */
import { linearizePath } from '../core/thought-format.ts';
import type { StoredNode, StoredQuestion } from '../store/types.ts';

export interface ExportedTree {
  question_id: string;
  question: string;
  reference: unknown;
  instruction: string;
  status: string;
  rollouts: number;
  correct_rollouts: number;
  /** Every node, creation order. `text` = content (prefill + generated text, no tags). */
  nodes: {
    id: number;
    parent: number | null;
    type: string;
    tag: string;
    prefill: string;
    text: string;
    visits: number;
    reward_sum: number;
    depth: number;
    reward: number | null;
    verdict: string | null;
    copies: number;
    annotation: string | null;
  }[];
  /** Root-to-answer node-id lists for answers judged correct (reward 1). */
  correct_paths: number[][];
  /** Root-to-answer node-id lists for answers judged otherwise (wrong, no answer, timeout). */
  wrong_paths: number[][];
}

/** Root-to-node id path. */
function pathOf(byId: Map<number, StoredNode>, node: StoredNode): number[] {
  const path: number[] = [];
  for (let n: StoredNode | undefined = node; n; n = n.parentId === null ? undefined : byId.get(n.parentId)) path.push(n.id);
  return path.reverse();
}

export function exportTree(q: StoredQuestion): ExportedTree {
  const byId = new Map(q.nodes.map((n) => [n.id, n]));
  const answers = q.nodes.filter((n) => n.type === 'answer' && n.reward !== null);
  return {
    question_id: q.questionId,
    question: q.question,
    reference: q.reference,
    instruction: q.instruction,
    status: q.status,
    rollouts: q.rollouts,
    correct_rollouts: q.correctRollouts,
    nodes: q.nodes.map((n) => ({
      id: n.id,
      parent: n.parentId,
      type: n.type,
      tag: n.tag,
      prefill: n.prefill,
      text: n.content,
      visits: n.visits,
      reward_sum: n.rewardSum,
      depth: n.depth,
      reward: n.reward,
      verdict: n.verdict,
      copies: n.copies,
      annotation: n.annotation,
    })),
    correct_paths: answers.filter((n) => n.reward! > 0).map((n) => pathOf(byId, n)),
    wrong_paths: answers.filter((n) => !(n.reward! > 0)).map((n) => pathOf(byId, n)),
  };
}

/** The linear text of a root-to-node path (what a model trained on it would write). */
export function pathText(q: StoredQuestion, path: readonly number[], separator: string): string {
  const byId = new Map(q.nodes.map((n) => [n.id, n]));
  return linearizePath(
    path
      .slice(1)
      .map((id) => byId.get(id)!)
      .map((n) => ({ tag: n.tag, content: n.content, showInHistory: n.showInHistory })),
    separator,
  );
}

/** One line per node, children indented by two spaces: `[id] type N=.. W=.. (verdict) text`. */
export function formatTree(q: StoredQuestion, maxText = 100): string {
  const children = new Map<number | null, StoredNode[]>();
  for (const n of q.nodes) {
    const list = children.get(n.parentId) ?? [];
    list.push(n);
    children.set(n.parentId, list);
  }
  const lines: string[] = [
    `${q.questionId} [${q.status}] rollouts=${q.rollouts} correct=${q.correctRollouts} reference=${JSON.stringify(q.reference)}`,
  ];
  const walk = (n: StoredNode, indent: number) => {
    const text = n.content.replace(/\n/g, '\\n');
    const shown = text.length > maxText ? `${text.slice(0, maxText)}...` : text;
    const verdict = n.verdict ? ` (${n.verdict})` : '';
    const copies = n.copies > 1 ? ` x${n.copies}` : '';
    lines.push(`${'  '.repeat(indent)}[${n.id}] ${n.type} N=${n.visits} W=${n.rewardSum}${verdict}${copies} ${shown}`);
    for (const c of children.get(n.id) ?? []) walk(c, indent + 1);
  };
  for (const root of children.get(null) ?? []) walk(root, 0);
  return lines.join('\n');
}
