/**
 * Aggregates over a chosen set of a run's questions (the search's `--shard` / `--limit`
 * selection), for the search summary: the SQL lives here with the rest of the store's.
 * The ids are bound as one JSON array parameter, so any number of them fits one statement.
 */
import type { SearchStore } from './search-store.ts';

/** `question_id IN (...)` for a JSON array of ids bound as one parameter. */
const SELECTED = 'question_id IN (SELECT value FROM json_each(?))';

/**
 * What the store holds for the selected questions of a run, over every invocation that
 * worked on them. Read from the SQLite file, so after a resume it is what the database says,
 * not a sum of summaries.
 */
export interface SearchTotals {
  /** Committed rollouts (rows of `rollouts`). */
  rollouts: number;
  /** Of those, the ones with reward > 0 (as `questions.correct_rollouts` counts them). */
  correct_rollouts: number;
  /** Stored nodes, roots and reflections included (same value as the summary's `nodes`). */
  nodes: number;
  /**
   * Tokens recorded on the stored nodes: each committed expansion's call usage, split over its
   * children. Calls whose children were never committed (an interrupted invocation, a failed
   * call, a context-length dead end) are not in here, so this can be less than the sum of the
   * invocations' `prompt_tokens` / `completion_tokens`.
   */
  prompt_tokens: number;
  completion_tokens: number;
}

/** True when the store holds a node of one of `questionIds` in run `runId` (rollouts and done questions imply one). */
export function hasStoredWork(store: SearchStore, runId: number, questionIds: readonly string[]): boolean {
  const row = store.db
    .prepare(`SELECT EXISTS (SELECT 1 FROM nodes WHERE run_id = ? AND ${SELECTED}) AS found`)
    .get(runId, JSON.stringify(questionIds)) as { found: number };
  return row.found === 1;
}

/** Stored totals of `questionIds` in run `runId` (two indexed aggregate queries). */
export function storedTotals(store: SearchStore, runId: number, questionIds: readonly string[]): SearchTotals {
  const ids = JSON.stringify(questionIds);
  const nodes = store.db
    .prepare(
      `SELECT count(*) AS n, coalesce(sum(prompt_tokens), 0) AS p, coalesce(sum(completion_tokens), 0) AS c FROM nodes WHERE run_id = ? AND ${SELECTED}`,
    )
    .get(runId, ids) as { n: number; p: number; c: number };
  const rollouts = store.db
    .prepare(`SELECT count(*) AS n, coalesce(sum(reward > 0), 0) AS correct FROM rollouts WHERE run_id = ? AND ${SELECTED}`)
    .get(runId, ids) as { n: number; correct: number };
  return { rollouts: rollouts.n, correct_rollouts: rollouts.correct, nodes: nodes.n, prompt_tokens: nodes.p, completion_tokens: nodes.c };
}
