/**
 * `readRun`: the one way later stages (data/, eval/, CLI) read a search database.
 * Returns the read model of types.ts, decoupled from the SQL schema.
 */
import { SearchStore, runFromRow, type NodeRow } from './search-store.ts';
import { StoreError } from '../core/errors.ts';
import type { StoredNode, StoredQuestion, StoredRun } from './types.ts';

/** Convert a raw `nodes` row to the read model. */
export function storedNodeFromRow(row: NodeRow): StoredNode {
  return {
    id: row.id,
    parentId: row.parent_id,
    type: row.type,
    tag: row.tag,
    prefill: row.prefill,
    content: row.content,
    showInHistory: row.show_in_history === 1,
    visits: row.visits,
    rewardSum: row.reward_sum,
    depth: row.depth,
    reward: row.reward,
    verdict: row.verdict,
    copies: row.copies,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    policy: row.policy,
    createdAt: row.created_at,
    annotation: row.annotation ?? null,
  };
}

export interface ReadRunOptions {
  /** Which run to read; default the latest one in the file. */
  runId?: number;
}

/**
 * Read one run with all its questions and their nodes (creation order; the root first).
 * Questions are in data-file order.
 * @throws StoreError for a missing file, a file of another schema version, a file with no
 *   run, or an unknown `runId`.
 */
export function readRun(dbPath: string, options: ReadRunOptions = {}): { run: StoredRun; questions: StoredQuestion[] } {
  const store = SearchStore.open(dbPath, { readonly: true });
  try {
    const runRow = options.runId === undefined ? store.latestRun() : store.runById(options.runId);
    if (!runRow) {
      throw new StoreError(dbPath, options.runId === undefined ? 'holds no search run yet' : `has no run ${options.runId}`);
    }
    const byQuestion = new Map<string, StoredNode[]>();
    for (const row of store.allNodes(runRow.run_id)) {
      let list = byQuestion.get(row.question_id);
      if (!list) byQuestion.set(row.question_id, (list = []));
      list.push(storedNodeFromRow(row));
    }
    const questions: StoredQuestion[] = store.questions(runRow.run_id).map((q) => ({
      questionId: q.question_id,
      question: q.question,
      reference: JSON.parse(q.reference),
      instruction: q.instruction,
      status: q.status,
      rollouts: q.rollouts,
      correctRollouts: q.correct_rollouts,
      nodes: byQuestion.get(q.question_id) ?? [],
    }));
    return { run: runFromRow(runRow), questions };
  } finally {
    store.close();
  }
}
