/**
 * The writer/reader of a search database (schema in schema.ts). Every method that
 * changes more than one row runs in one SQLite transaction, so a process killed at any
 * point (kill -9) leaves either all of a step or none of it: an expansion (children +
 * the parent's `expanded` flag) or a rollout (rollout row + visit counts along its path +
 * the question's counters + any reflection node it adds).
 *
 * Durability: WAL with `synchronous = NORMAL`. A killed process loses nothing it
 * committed; a power cut may lose the last transactions (SQLite docs, "WAL mode").
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from '../core/errors.ts';
import { SCHEMA_SQL, SCHEMA_VERSION, STORE_KIND } from './schema.ts';
import { acquireWriterLock, type WriterLock } from './writer-lock.ts';
import { asStoreError } from './sqlite-error.ts';
import type { QuestionStatus } from './types.ts';
import type { NewNode, NewQuestion, NewRun, NodeRow, QuestionRow, RolloutCommit, RolloutRow, RunRow } from './rows.ts';

export { runFromRow } from './rows.ts';
export type { NewNode, NewQuestion, NewRun, NodeRow, QuestionRow, RolloutCommit, RolloutRow, RunRow } from './rows.ts';

type Db = Database.Database;

interface QueuedWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SearchStore {
  readonly file: string;
  readonly db: Db;
  private readonly statements = new Map<string, Database.Statement>();
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  /** Group commits so far (for benchmarks): transactions and the writes they carried. */
  readonly groupCommitStats = { transactions: 0, writes: 0 };

  /** The single-writer lock (writer-lock.ts); null for a read-only store. */
  private writerLock: WriterLock | null = null;

  private constructor(file: string, db: Db) {
    this.file = file;
    this.db = db;
  }

  /**
   * Open (and when `create`, initialise) a search database.
   * @throws StoreError for a missing file (read-only), a non-SQLite file, a file of another
   *   schema version, or a SQLite file that is not a treecot search store.
   */
  static open(file: string, options: { readonly?: boolean; create?: boolean } = {}): SearchStore {
    const readonly = options.readonly ?? false;
    const create = options.create ?? !readonly;
    const exists = existsSync(file);
    if (!exists && !create) throw new StoreError(file, 'no such search database');
    if (!exists) mkdirSync(dirname(file), { recursive: true });
    // A writer takes the single-writer lock before it touches the file (issue 15 item 1).
    const lock = readonly ? null : acquireWriterLock(file);
    let db: Db;
    try {
      db = new Database(file, { readonly: readonly && exists, fileMustExist: !create });
    } catch (error) {
      lock?.release();
      throw new StoreError(file, `cannot open: ${(error as Error).message}`, { cause: error });
    }
    const store = new SearchStore(file, db);
    store.writerLock = lock;
    try {
      store.initialise(create && !readonly);
    } catch (error) {
      db.close();
      lock?.release();
      throw asStoreError(file, error);
    }
    return store;
  }

  private initialise(writable: boolean): void {
    let version: number;
    try {
      version = this.db.pragma('user_version', { simple: true }) as number;
    } catch (error) {
      throw new StoreError(this.file, `not a SQLite database (${(error as Error).message})`, { cause: error });
    }
    const hasTables = (this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n > 0;
    if (!hasTables && version === 0) {
      if (!writable) throw new StoreError(this.file, 'empty database: not a treecot search store');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA_SQL);
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('kind', STORE_KIND);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return;
    }
    const isStore =
      hasTables &&
      (this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() as { n: number }).n === 1 &&
      (this.db.prepare("SELECT value FROM meta WHERE key = 'kind'").get() as { value: string } | undefined)?.value === STORE_KIND;
    if (!isStore) throw new StoreError(this.file, 'not a treecot search database (no treecot meta table)');
    if (version !== SCHEMA_VERSION) {
      throw new StoreError(
        this.file,
        `schema version ${version}, but this treecot reads version ${SCHEMA_VERSION}; re-run the search into a new file or use the treecot version that wrote it`,
      );
    }
    if (writable) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  close(): void {
    try {
      this.flush();
      this.db.close();
    } finally {
      this.writerLock?.release();
    }
  }

  /**
   * Group commit: run `work` (writes without a transaction of their own) inside one SQLite
   * transaction together with every other write queued in the same event-loop turn, and
   * resolve once that transaction has committed. Many questions in flight then share one
   * commit instead of paying one each; each write still lands whole or not at all.
   */
  private enqueue<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Commit every queued write now (see `enqueue`). Fast path: all writes in one transaction
   * without savepoints. If one throws, that transaction is rolled back and each write is
   * retried in its own transaction, so only the failing one rejects.
   */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let values: unknown[] | null = null;
    try {
      values = this.db.transaction(() => batch.map((item) => item.work()))();
    } catch {
      values = null;
    }
    if (values) {
      this.groupCommitStats.transactions++;
      this.groupCommitStats.writes += batch.length;
      batch.forEach((item, i) => item.resolve(values![i]));
      return;
    }
    for (const item of batch) {
      try {
        item.resolve(this.db.transaction(item.work)());
        this.groupCommitStats.transactions++;
        this.groupCommitStats.writes++;
      } catch (error) {
        item.reject(error);
      }
    }
  }

  // ---- runs ----

  runs(): RunRow[] {
    return this.statement('SELECT * FROM runs ORDER BY run_id').all() as RunRow[];
  }

  /** The latest run (largest run_id), or null for a fresh file. */
  latestRun(): RunRow | null {
    return (this.statement('SELECT * FROM runs ORDER BY run_id DESC LIMIT 1').get() as RunRow | undefined) ?? null;
  }

  runById(runId: number): RunRow | null {
    return (this.statement('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined) ?? null;
  }

  createRun(run: NewRun): RunRow {
    const info = this.statement(
      'INSERT INTO runs (config, config_hash, task, separator, data_file, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(JSON.stringify(run.config), run.configHash, run.task, run.separator, run.dataFile, Date.now());
    return this.runById(Number(info.lastInsertRowid))!;
  }

  // ---- questions ----

  /**
   * Register questions (new ones as 'pending'). A question already stored with other text
   * or reference is refused: the data file changed under the run.
   * @throws StoreError naming the question id.
   */
  addQuestions(runId: number, questions: readonly NewQuestion[]): void {
    const find = this.statement('SELECT question, reference FROM questions WHERE run_id = ? AND question_id = ?');
    const insert = this.statement(
      'INSERT INTO questions (run_id, question_id, idx, question, reference, instruction, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const q of questions) {
        const reference = JSON.stringify(q.reference ?? null);
        const existing = find.get(runId, q.questionId) as { question: string; reference: string } | undefined;
        if (existing) {
          if (existing.question !== q.question || existing.reference !== reference) {
            throw new StoreError(
              this.file,
              `question "${q.questionId}" is stored with a different text or reference than the data file has now; use --new-run or another --out file`,
            );
          }
          continue;
        }
        insert.run(runId, q.questionId, q.idx, q.question, reference, q.instruction, 'pending', Date.now());
      }
    })();
  }

  questions(runId: number): QuestionRow[] {
    return this.statement('SELECT * FROM questions WHERE run_id = ? ORDER BY idx, question_id').all(runId) as QuestionRow[];
  }

  question(runId: number, questionId: string): QuestionRow | null {
    return (
      (this.statement('SELECT * FROM questions WHERE run_id = ? AND question_id = ?').get(runId, questionId) as QuestionRow | undefined) ??
      null
    );
  }

  setQuestionStatus(runId: number, questionId: string, status: QuestionStatus, error: string | null = null): void {
    this.statement('UPDATE questions SET status = ?, error = ?, updated_at = ? WHERE run_id = ? AND question_id = ?').run(
      status,
      error,
      Date.now(),
      runId,
      questionId,
    );
  }

  // ---- nodes ----

  /** All nodes of one question in creation order (id ascending). */
  nodes(runId: number, questionId: string): NodeRow[] {
    return this.statement('SELECT * FROM nodes WHERE run_id = ? AND question_id = ? ORDER BY id').all(runId, questionId) as NodeRow[];
  }

  /** Every node of a run, grouped by question in creation order. */
  allNodes(runId: number): NodeRow[] {
    return this.statement('SELECT * FROM nodes WHERE run_id = ? ORDER BY question_id, id').all(runId) as NodeRow[];
  }

  rollouts(runId: number, questionId: string): RolloutRow[] {
    return this.statement('SELECT * FROM rollouts WHERE run_id = ? AND question_id = ? ORDER BY idx').all(
      runId,
      questionId,
    ) as RolloutRow[];
  }

  private insertNodeRow(node: NewNode, now: number): number {
    const info = this.statement(
      `INSERT INTO nodes (run_id, question_id, parent_id, type, tag, prefill, content, show_in_history, depth,
         reward, verdict, verdict_reason, copies, prompt_tokens, completion_tokens, finish_reason, policy, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      node.runId,
      node.questionId,
      node.parentId,
      node.type,
      node.tag,
      node.prefill,
      node.content,
      node.showInHistory ? 1 : 0,
      node.depth,
      node.reward ?? null,
      node.verdict ?? null,
      node.verdictReason ?? null,
      node.copies ?? 1,
      node.promptTokens ?? 0,
      node.completionTokens ?? 0,
      node.finishReason ?? null,
      node.policy ?? '',
      now,
    );
    return Number(info.lastInsertRowid);
  }

  /** Insert the root of a question and mark the question 'running', atomically. Returns the root id. */
  insertRoot(root: NewNode): number {
    return this.db.transaction(() => {
      const id = this.insertNodeRow(root, Date.now());
      this.setQuestionStatus(root.runId, root.questionId, 'running');
      return id;
    })();
  }

  /**
   * Commit one expansion: insert all children and set the parent's `expanded` flag in one
   * transaction. Returns the child ids in the given order.
   * @throws StoreError if the parent was already expanded (a second writer on the same file).
   */
  commitExpansion(parentId: number, children: readonly NewNode[]): number[] {
    return this.db.transaction(() => this.writeExpansion(parentId, children))();
  }

  /** `commitExpansion` through the group commit (see `enqueue`); resolves once committed. */
  commitExpansionGrouped(parentId: number, children: readonly NewNode[]): Promise<number[]> {
    return this.enqueue(() => this.writeExpansion(parentId, children));
  }

  private writeExpansion(parentId: number, children: readonly NewNode[]): number[] {
    {
      const now = Date.now();
      const flag = this.statement('UPDATE nodes SET expanded = 1 WHERE id = ? AND expanded = 0').run(parentId);
      if (flag.changes !== 1)
        throw new StoreError(this.file, `node ${parentId} is already expanded (is another search writing this file?)`);
      return children.map((child) => this.insertNodeRow(child, now));
    }
  }

  /**
   * Commit one rollout: the rollout row, +1 visit and +reward on every node of its path,
   * the question's counters and status, and the nodes it adds (reflection), in one
   * transaction. Returns the ids of `newNodes`.
   */
  commitRollout(commit: RolloutCommit): number[] {
    return this.db.transaction(() => this.writeRollout(commit))();
  }

  /** `commitRollout` through the group commit (see `enqueue`); resolves once committed. */
  commitRolloutGrouped(commit: RolloutCommit): Promise<number[]> {
    return this.enqueue(() => this.writeRollout(commit));
  }

  private writeRollout(commit: RolloutCommit): number[] {
    {
      const now = Date.now();
      const path = JSON.stringify(commit.path);
      this.statement(
        'INSERT INTO rollouts (run_id, question_id, idx, leaf_id, path, reward, verdict, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(commit.runId, commit.questionId, commit.idx, commit.path[commit.path.length - 1], path, commit.reward, commit.verdict, now);
      // One statement for the whole path (ids are distinct along a path).
      this.statement('UPDATE nodes SET visits = visits + 1, reward_sum = reward_sum + ? WHERE id IN (SELECT value FROM json_each(?))').run(
        commit.reward,
        path,
      );
      this.statement(
        `UPDATE questions SET rollouts = rollouts + 1, correct_rollouts = correct_rollouts + ?, status = ?, error = NULL, updated_at = ?
         WHERE run_id = ? AND question_id = ?`,
      ).run(commit.reward > 0 ? 1 : 0, commit.status, now, commit.runId, commit.questionId);
      return commit.newNodes.map((node) => this.insertNodeRow(node, now));
    }
  }

  /**
   * Make the stored visit counts, reward sums and question counters agree with the
   * committed rollouts (the source of truth). Returns how many rows were corrected.
   */
  rebuildCounts(runId: number, questionId: string): number {
    return this.db.transaction(() => {
      const visits = new Map<number, { n: number; w: number }>();
      let rollouts = 0;
      let correct = 0;
      for (const r of this.rollouts(runId, questionId)) {
        rollouts++;
        if (r.reward > 0) correct++;
        for (const id of JSON.parse(r.path) as number[]) {
          const v = visits.get(id) ?? { n: 0, w: 0 };
          v.n++;
          v.w += r.reward;
          visits.set(id, v);
        }
      }
      let fixed = 0;
      const update = this.statement('UPDATE nodes SET visits = ?, reward_sum = ? WHERE id = ?');
      for (const node of this.nodes(runId, questionId)) {
        const v = visits.get(node.id) ?? { n: 0, w: 0 };
        if (node.visits !== v.n || node.reward_sum !== v.w) {
          update.run(v.n, v.w, node.id);
          fixed++;
        }
      }
      const q = this.question(runId, questionId);
      if (q && (q.rollouts !== rollouts || q.correct_rollouts !== correct)) {
        this.statement('UPDATE questions SET rollouts = ?, correct_rollouts = ? WHERE run_id = ? AND question_id = ?').run(
          rollouts,
          correct,
          runId,
          questionId,
        );
        fixed++;
      }
      return fixed;
    })();
  }

  /** Set a node's human review mark (docs/method.md section 1: the authors' annotation tool). */
  setAnnotation(nodeId: number, annotation: 'accepted' | 'rejected' | null): void {
    this.statement('UPDATE nodes SET annotation = ? WHERE id = ?').run(annotation, nodeId);
  }
}
