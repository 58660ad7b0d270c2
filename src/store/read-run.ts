/**
 * `readRun`: the one way later stages (data/, eval/, CLI) read a search database.
 * Returns the read model of types.ts, decoupled from the SQL schema.
 */
import { SearchStore, runFromRow, type NodeRow, type QuestionRow } from './search-store.ts';
import { checkRowTypes, NODE_COLUMNS, QUESTION_COLUMNS, RUN_COLUMNS } from './check-row-types.ts';
import { StoreError } from '../core/errors.ts';
import { asStoreError } from './sqlite-error.ts';
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

/**
 * Number one question's nodes 0, 1, 2, ... in creation order (the root is 0) and map the
 * parents to match; the SQLite rowid stays in `rowId`. Rowids interleave with other
 * questions in flight, so they differ between two runs of one seeded search at another
 * concurrency (or after a resume); the per-question number does not, which makes exports
 * and data sets byte-reproducible (issue 15 item 5).
 * @throws StoreError when a node's parent is not an earlier node of the same question.
 */
export function numberPerQuestion<T extends StoredNode>(file: string, questionId: string, nodes: readonly T[]): T[] {
  const seq = new Map<number, number>();
  return nodes.map((node, i) => {
    let parentId: number | null = null;
    if (node.parentId !== null) {
      const parent = seq.get(node.parentId);
      if (parent === undefined)
        throw new StoreError(
          file,
          `question "${questionId}": node ${node.id} has parent ${node.parentId}, which is not an earlier node of its question`,
        );
      parentId = parent;
    }
    seq.set(node.id, i);
    return { ...node, id: i, parentId, rowId: node.id };
  });
}

function checkedQuestion(file: string, q: QuestionRow): QuestionRow {
  checkRowTypes(file, 'questions', `"${String(q.question_id)}"`, q as unknown as Record<string, unknown>, QUESTION_COLUMNS);
  return q;
}

function parseStoredJson(file: string, what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StoreError(file, `the file is damaged: ${what} is not JSON; restore it from a copy, or re-run the search into a new file`);
  }
}

/** How node ids are numbered in what a reader returns (see `ReadRunOptions.nodeIds`). */
export type NodeIdKind = 'rowid' | 'per-question';

export interface ReadRunOptions {
  /** Which run to read; default the latest one in the file. */
  runId?: number;
  /**
   * 'per-question' (default): numbered 0, 1, ... per question (`numberPerQuestion`), stable
   * whatever the concurrency and whatever else the file holds: the ids of every export, data
   * file and of `treecot view`. 'rowid': the SQLite rowids (`build --node-ids rowid`).
   */
  nodeIds?: NodeIdKind;
}

/**
 * Read one run with all its questions and their nodes (creation order; the root first);
 * node ids are numbered per question (root 0; the rowid in `rowId`), or are the rowids with
 * `nodeIds: 'rowid'`.
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
    checkRowTypes(dbPath, 'runs', `run ${runRow.run_id}`, runRow as unknown as Record<string, unknown>, RUN_COLUMNS);
    const byQuestion = new Map<string, StoredNode[]>();
    for (const row of store.allNodes(runRow.run_id)) {
      checkRowTypes(dbPath, 'nodes', `row ${row.id}`, row as unknown as Record<string, unknown>, NODE_COLUMNS);
      let list = byQuestion.get(row.question_id);
      if (!list) byQuestion.set(row.question_id, (list = []));
      list.push(storedNodeFromRow(row));
    }
    const questions: StoredQuestion[] = store.questions(runRow.run_id).map((q) => ({
      questionId: checkedQuestion(dbPath, q).question_id,
      question: q.question,
      reference: parseStoredJson(dbPath, `question ${q.question_id} column reference`, q.reference),
      instruction: q.instruction,
      status: q.status,
      rollouts: q.rollouts,
      correctRollouts: q.correct_rollouts,
      nodes:
        options.nodeIds === 'rowid'
          ? (byQuestion.get(q.question_id) ?? [])
          : numberPerQuestion(dbPath, q.question_id, byQuestion.get(q.question_id) ?? []),
    }));
    return { run: runFromRow(runRow), questions };
  } catch (error) {
    // The stored run config is JSON written by treecot: a parse failure means a damaged file.
    if (error instanceof SyntaxError)
      throw new StoreError(dbPath, `the file is damaged: a stored run config is not JSON (${error.message}); restore it from a copy`, {
        cause: error,
      });
    throw asStoreError(dbPath, error);
  } finally {
    store.close();
  }
}
