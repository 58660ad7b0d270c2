/**
 * Read-only queries for `treecot view` (src/view/): per-question summaries computed in SQL (so a
 * 100,000-question run is not loaded whole), one question's tree in the read model, the
 * review queue, and cheap change detection for live pages.
 *
 * Node ids are numbered per question (root 0, creation order; read-run.ts `numberPerQuestion`),
 * the ids `treecot build` and `export-trees` write, so a data row's `node_ids` name the same nodes
 * here whatever else the file holds; a node is (question id, node id).
 *
 * The connection is opened read-only; in WAL mode it sees each transaction a running search
 * commits (SQLite docs, "WAL mode: readers do not block writers"). `PRAGMA data_version`
 * changes whenever another connection commits, which is what live pages poll.
 */
import { SearchStore } from './search-store.ts';
import { numberPerQuestion, storedNodeFromRow } from './read-run.ts';
import { StoreError } from '../core/errors.ts';
import type { NodeRow, QuestionRow, RunRow } from './rows.ts';
import type { QuestionStatus, StoredNode, StoredQuestion } from './types.ts';

/** One row of the questions page. Answer counts are over answer nodes (distinct root-to-answer paths). */
export interface QuestionSummary {
  questionId: string;
  /** 0-based row in the data file. */
  idx: number;
  status: QuestionStatus;
  rollouts: number;
  correctRollouts: number;
  nodes: number;
  /** Prompt + completion tokens over all nodes. */
  tokens: number;
  correct: number;
  wrong: number;
  noAnswer: number;
  /** correctRollouts / rollouts, 0 for no rollouts. */
  shareSolved: number;
  /** A correct rollout passes through a reflection node (the run's `search.reflection_type`). */
  correctedReflection: boolean;
  /** Nodes carrying a human annotation. */
  annotated: number;
  /** Unix ms of the last change to the question row. */
  updatedAt: number;
}

/** A stored node plus the columns the read model leaves out, for the node panel. */
export interface ViewNode extends StoredNode {
  verdictReason: string | null;
  finishReason: string | null;
  expanded: boolean;
}

/** One entry of the review queue: a scored answer node (= one root-to-answer path). */
export interface ReviewItem {
  questionId: string;
  /** The answer node's id within its question (root 0). */
  leafId: number;
  verdict: string | null;
  /** The leaf's own annotation. */
  mark: 'accepted' | 'rejected' | null;
}

interface AggregateRow {
  question_id: string;
  nodes: number;
  tokens: number;
  correct: number;
  wrong: number;
  no_answer: number;
  annotated: number;
}

export class ViewQueries {
  readonly file: string;
  private readonly store: SearchStore;
  readonly run: RunRow;

  private constructor(file: string, store: SearchStore, run: RunRow) {
    this.file = file;
    this.store = store;
    this.run = run;
  }

  /**
   * Open a search database read-only on its latest run (or `runId`).
   * @throws StoreError for a missing or foreign file, or a file with no run yet.
   */
  static open(file: string, runId?: number): ViewQueries {
    const store = SearchStore.open(file, { readonly: true });
    const run = runId === undefined ? store.latestRun() : store.runById(runId);
    if (!run) {
      store.close();
      throw new StoreError(file, runId === undefined ? 'holds no search run yet' : `has no run ${runId}`);
    }
    return new ViewQueries(file, store, run);
  }

  close(): void {
    this.store.db.close();
  }

  /** Changes whenever another connection commits (SQLite `PRAGMA data_version`). */
  dataVersion(): number {
    return this.store.db.pragma('data_version', { simple: true }) as number;
  }

  private reflectionType(): string {
    const config = JSON.parse(this.run.config) as { search?: { reflection_type?: string } };
    return config.search?.reflection_type ?? 'reflection';
  }

  /** Every question of the run with its counts, in data-file order. */
  questionSummaries(): QuestionSummary[] {
    const runId = this.run.run_id;
    const aggregates = new Map<string, AggregateRow>();
    const rows = this.store.db
      .prepare(
        `SELECT question_id, COUNT(*) AS nodes, SUM(prompt_tokens + completion_tokens) AS tokens,
           SUM(verdict = 'correct') AS correct, SUM(verdict = 'wrong') AS wrong,
           SUM(verdict = 'no_answer' OR verdict = 'timeout') AS no_answer, SUM(annotation IS NOT NULL) AS annotated
         FROM nodes WHERE run_id = ? GROUP BY question_id`,
      )
      .all(runId) as AggregateRow[];
    for (const row of rows) aggregates.set(row.question_id, row);
    const corrected = new Set(
      (
        this.store.db
          .prepare(
            `SELECT DISTINCT r.question_id AS question_id FROM rollouts r, json_each(r.path) j JOIN nodes n ON n.id = j.value
             WHERE r.run_id = ? AND r.reward > 0 AND n.type = ?`,
          )
          .all(runId, this.reflectionType()) as { question_id: string }[]
      ).map((r) => r.question_id),
    );
    return this.store.questions(runId).map((q) => summaryOf(q, aggregates.get(q.question_id), corrected.has(q.question_id)));
  }

  /** Questions whose row changed after `sinceMs` (status, rollouts), with their counts. */
  changedSince(sinceMs: number): QuestionSummary[] {
    const changed = this.store.db
      .prepare('SELECT * FROM questions WHERE run_id = ? AND updated_at > ? ORDER BY idx LIMIT 500')
      .all(this.run.run_id, sinceMs) as QuestionRow[];
    return this.summariesOf(changed);
  }

  /** The run's question rows, in data-file order. */
  questionRows(): QuestionRow[] {
    return this.store.questions(this.run.run_id);
  }

  /** The largest node rowid of the file (0 when empty): nodes are only appended, so later ones are larger. */
  maxNodeId(): number {
    return (this.store.db.prepare('SELECT MAX(id) AS m FROM nodes').get() as { m: number | null }).m ?? 0;
  }

  /** Questions of the run with a node whose rowid is above `rowId` (a range scan over the new rows only). */
  questionsWithNodesAfter(rowId: number): Set<string> {
    const rows = this.store.db.prepare('SELECT DISTINCT question_id FROM nodes WHERE id > ? AND run_id = ?').all(rowId, this.run.run_id);
    return new Set((rows as { question_id: string }[]).map((r) => r.question_id));
  }

  /**
   * Changes with every annotation the view writes (mark, undo, import): the annotations log's
   * size, last entry and undone entries ('' before the first write creates the log).
   */
  annotationSignature(): string {
    const table = this.store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'annotations'").get();
    if (!table) return '';
    const row = this.store.db
      .prepare('SELECT COUNT(*) AS n, MAX(id) AS m, SUM(undone) AS u FROM annotations WHERE run_id = ?')
      .get(this.run.run_id) as { n: number; m: number | null; u: number | null };
    return `${row.n}/${row.m}/${row.u}`;
  }

  /** Run `read` on one snapshot of the file (a read transaction), so its queries agree with each other. */
  snapshot<T>(read: () => T): T {
    return this.store.db.transaction(read)();
  }

  /** Summaries of the given question rows, each from its own nodes (the nodes_by_question index). */
  summariesOf(questions: readonly QuestionRow[]): QuestionSummary[] {
    const aggregate = this.store.db.prepare(
      `SELECT question_id, COUNT(*) AS nodes, SUM(prompt_tokens + completion_tokens) AS tokens,
         SUM(verdict = 'correct') AS correct, SUM(verdict = 'wrong') AS wrong,
         SUM(verdict = 'no_answer' OR verdict = 'timeout') AS no_answer, SUM(annotation IS NOT NULL) AS annotated
       FROM nodes WHERE run_id = ? AND question_id = ?`,
    );
    const reflection = this.store.db.prepare(
      `SELECT 1 FROM rollouts r, json_each(r.path) j JOIN nodes n ON n.id = j.value
       WHERE r.run_id = ? AND r.question_id = ? AND r.reward > 0 AND n.type = ? LIMIT 1`,
    );
    return questions.map((q) =>
      summaryOf(
        q,
        aggregate.get(this.run.run_id, q.question_id) as AggregateRow | undefined,
        reflection.get(this.run.run_id, q.question_id, this.reflectionType()) !== undefined,
      ),
    );
  }

  /** Totals for the live header: questions by status, rollouts, nodes. */
  totals(): { questions: number; byStatus: Record<string, number>; rollouts: number; correctRollouts: number; nodes: number } {
    const runId = this.run.run_id;
    const byStatus: Record<string, number> = {};
    let questions = 0;
    let rollouts = 0;
    let correctRollouts = 0;
    for (const row of this.store.db
      .prepare(
        'SELECT status, COUNT(*) AS n, SUM(rollouts) AS r, SUM(correct_rollouts) AS c FROM questions WHERE run_id = ? GROUP BY status',
      )
      .all(runId) as { status: string; n: number; r: number; c: number }[]) {
      byStatus[row.status] = row.n;
      questions += row.n;
      rollouts += row.r;
      correctRollouts += row.c;
    }
    const nodes = (this.store.db.prepare('SELECT COUNT(*) AS n FROM nodes WHERE run_id = ?').get(runId) as { n: number }).n;
    return { questions, byStatus, rollouts, correctRollouts, nodes };
  }

  /**
   * One question with its nodes in the read model (ids per question, root 0), or null when the
   * run has no such question.
   */
  question(questionId: string): { question: StoredQuestion; nodes: ViewNode[] } | null {
    const q = this.store.question(this.run.run_id, questionId);
    if (!q) return null;
    const rows = this.store.nodes(this.run.run_id, questionId);
    // The rowid is left out: the view names a node only as the data files do.
    const nodes = numberPerQuestion(this.file, questionId, rows.map(viewNodeFromRow)).map(({ rowId: _rowId, ...node }) => node);
    return {
      question: {
        questionId: q.question_id,
        question: q.question,
        reference: JSON.parse(q.reference),
        instruction: q.instruction,
        status: q.status,
        rollouts: q.rollouts,
        correctRollouts: q.correct_rollouts,
        nodes,
      },
      nodes,
    };
  }

  /**
   * Every scored answer node of the run (one per root-to-answer path), in data-file then creation
   * order, with its per-question id (the rank of its rowid among its question's nodes).
   */
  reviewQueue(): ReviewItem[] {
    return this.store.db
      .prepare(
        `SELECT n.questionId, n.leafId, n.verdict, n.mark FROM (
           SELECT question_id AS questionId, id, reward, verdict, annotation AS mark,
             ROW_NUMBER() OVER (PARTITION BY question_id ORDER BY id) - 1 AS leafId
           FROM nodes WHERE run_id = ?) n
         JOIN questions q ON q.run_id = ? AND q.question_id = n.questionId
         WHERE n.reward IS NOT NULL ORDER BY q.idx, n.id`,
      )
      .all(this.run.run_id, this.run.run_id) as ReviewItem[];
  }
}

function summaryOf(q: QuestionRow, a: AggregateRow | undefined, correctedReflection: boolean): QuestionSummary {
  return {
    questionId: q.question_id,
    idx: q.idx,
    status: q.status,
    rollouts: q.rollouts,
    correctRollouts: q.correct_rollouts,
    nodes: a?.nodes ?? 0,
    tokens: a?.tokens ?? 0,
    correct: a?.correct ?? 0,
    wrong: a?.wrong ?? 0,
    noAnswer: a?.no_answer ?? 0,
    shareSolved: q.rollouts > 0 ? q.correct_rollouts / q.rollouts : 0,
    correctedReflection,
    annotated: a?.annotated ?? 0,
    updatedAt: q.updated_at,
  };
}

function viewNodeFromRow(row: NodeRow): ViewNode {
  return { ...storedNodeFromRow(row), verdictReason: row.verdict_reason, finishReason: row.finish_reason, expanded: row.expanded === 1 };
}
