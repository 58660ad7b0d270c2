/**
 * Human review marks (docs/method.md section 1: the authors dropped samples that reach the right
 * answer through a bad process). The mark itself lives in `nodes.annotation`, which
 * data/extract-tree-paths.ts already honours: a path through a `rejected` node is left out
 * of SFT rows and DPO pairs and counted on the dataset card. Marking a path = marking its
 * answer leaf (one leaf per path); marking a node drops every path through it.
 *
 * A node is named as the data files name it: question id + node id within the question (root 0,
 * creation order; read-run.ts `numberPerQuestion`), so a row of `sft.jsonl` or `dpo.jsonl`
 * names the node a reviewer marks, in this file or in a merged copy of it. The rowid stays an
 * internal key (the `annotations` log refers to it).
 *
 * Who, when, why and what it replaced go to an `annotations` log table created here on first
 * write (additive: search, build and merge do not read it), which gives undo and the JSONL
 * export. This is the only writer `treecot view` has, and it touches no search column: it
 * opens its own connection (not SearchStore's writer, whose single-writer lock a running
 * search holds) and waits up to `busy_timeout` for the search's short commits.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SearchStore } from './search-store.ts';
import { DataError, StoreError } from '../core/errors.ts';
import type { Annotation } from './types.ts';

export type AnnotationMark = Exclude<Annotation, null>;

/** Longest note kept, in characters (a note is a reviewer's remark, not a document). */
export const MAX_NOTE_CHARS = 2000;
/** Longest reviewer name, in characters. */
export const MAX_REVIEWER_CHARS = 100;

const LOG_SQL = `
CREATE TABLE IF NOT EXISTS annotations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  question_id TEXT NOT NULL,
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  scope TEXT NOT NULL CHECK (scope IN ('path', 'node')),
  mark TEXT CHECK (mark IN ('accepted', 'rejected')),   -- NULL: mark cleared
  previous TEXT CHECK (previous IN ('accepted', 'rejected')),
  note TEXT NOT NULL DEFAULT '',
  reviewer TEXT NOT NULL,
  created_at INTEGER NOT NULL,                          -- unix ms
  undone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS annotations_by_reviewer ON annotations(run_id, reviewer, id);
`;

export interface AnnotationInput {
  questionId: string;
  /** The node's id within its question (root 0), as in the data files. */
  nodeId: number;
  /** 'path' when the node is an answer leaf marked for its whole path, 'node' for one thought. */
  scope: 'path' | 'node';
  mark: AnnotationMark | null;
  note?: string;
  reviewer: string;
}

export interface AnnotationEntry {
  id: number;
  questionId: string;
  /** The node's id within its question (root 0). */
  nodeId: number;
  scope: 'path' | 'node';
  mark: AnnotationMark | null;
  previous: AnnotationMark | null;
  note: string;
  reviewer: string;
  createdAt: number;
}

/** One JSONL line of an annotation export (snake_case, like the other exports). */
export const annotationLineSchema = z.strictObject({
  question_id: z.string().min(1),
  /** The node's id within its question (root 0), or its rowid in a line without `node_id_kind`. */
  node_id: z.int().min(0),
  /**
   * 'per-question' in every export now; absent in exports written before node ids were numbered
   * per question, whose `node_id` is the SQLite rowid: those still import, read as rowids.
   */
  node_id_kind: z.enum(['per-question', 'rowid']).optional(),
  /** sha256 hex of the node's content: refuses an import into a database whose node differs. */
  content_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  scope: z.enum(['path', 'node']),
  mark: z.enum(['accepted', 'rejected']),
  note: z.string().max(MAX_NOTE_CHARS).default(''),
  reviewer: z.string().min(1).max(MAX_REVIEWER_CHARS),
  created_at: z.int().min(0),
});
export type AnnotationLine = z.infer<typeof annotationLineSchema>;

interface NodeFacts {
  /** SQLite rowid. */
  id: number;
  question_id: string;
  annotation: AnnotationMark | null;
  content: string;
  reward: number | null;
}

export function contentSha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

export class AnnotationWriter {
  readonly file: string;
  readonly runId: number;
  private readonly db: Database.Database;

  private constructor(file: string, runId: number, db: Database.Database) {
    this.file = file;
    this.runId = runId;
    this.db = db;
  }

  /**
   * Open the annotation writer of a search database's run. Checks the file is a treecot
   * store first (read-only), then opens a second, writable connection.
   * @throws StoreError for a missing or foreign file or an unknown run.
   */
  static open(file: string, runId: number): AnnotationWriter {
    const check = SearchStore.open(file, { readonly: true });
    try {
      if (!check.runById(runId)) throw new StoreError(file, `has no run ${runId}`);
    } finally {
      check.close();
    }
    let db: Database.Database | null = null;
    try {
      db = new Database(file, { fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      db.exec(LOG_SQL);
    } catch (error) {
      db?.close();
      // e.g. SQLITE_READONLY for a file or folder without write permission.
      throw new StoreError(file, `cannot write annotations: ${(error as Error).message}`, { cause: error });
    }
    return new AnnotationWriter(file, runId, db);
  }

  close(): void {
    this.db.close();
  }

  /** Node `nodeId` (per question, root 0) of `questionId`: the nodes_by_question index in rowid order. */
  private node(questionId: string, nodeId: number): NodeFacts | undefined {
    return this.db
      .prepare(
        'SELECT id, question_id, annotation, content, reward FROM nodes WHERE run_id = ? AND question_id = ? ORDER BY id LIMIT 1 OFFSET ?',
      )
      .get(this.runId, questionId, nodeId) as NodeFacts | undefined;
  }

  private nodeByRowId(rowId: number): NodeFacts | undefined {
    return this.db
      .prepare('SELECT id, question_id, annotation, content, reward FROM nodes WHERE id = ? AND run_id = ?')
      .get(rowId, this.runId) as NodeFacts | undefined;
  }

  /** The per-question id of a node (how many nodes of its question were created before it). */
  private perQuestionId(node: { id: number; question_id: string }): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM nodes WHERE run_id = ? AND question_id = ? AND id < ?')
        .get(this.runId, node.question_id, node.id) as { n: number }
    ).n;
  }

  private entryFromRow(row: LogRow): AnnotationEntry {
    return {
      id: row.id,
      questionId: row.question_id,
      nodeId: this.perQuestionId({ id: row.node_id, question_id: row.question_id }),
      scope: row.scope,
      mark: row.mark,
      previous: row.previous,
      note: row.note,
      reviewer: row.reviewer,
      createdAt: row.created_at,
    };
  }

  /**
   * Set (or with `mark: null` clear) a node's mark and log it.
   * @throws DataError for an unknown node, a path mark on a node that is not a scored answer,
   *   or an over-long note or reviewer name.
   */
  mark(input: AnnotationInput): AnnotationEntry {
    const field = (name: string) => ({ file: this.file, field: name });
    if (typeof input.questionId !== 'string' || input.questionId === '')
      throw new DataError(field('question_id'), 'the question id is missing (a node is named by question id and node id)');
    if (!Number.isInteger(input.nodeId) || input.nodeId < 0)
      throw new DataError(field('node_id'), `must be an integer >= 0, the node's id within its question (got ${String(input.nodeId)})`);
    const note = input.note ?? '';
    if (note.length > MAX_NOTE_CHARS) throw new DataError(field('note'), `at most ${MAX_NOTE_CHARS} characters (got ${note.length})`);
    const reviewer = input.reviewer.trim();
    if (reviewer.length === 0 || reviewer.length > MAX_REVIEWER_CHARS) {
      throw new DataError(field('reviewer'), `must be 1-${MAX_REVIEWER_CHARS} characters (got ${reviewer.length})`);
    }
    return this.db.transaction(() => {
      const node = this.node(input.questionId, input.nodeId);
      if (!node) throw new DataError(field('node_id'), `no node ${input.nodeId} in question "${input.questionId}" of run ${this.runId}`);
      if (input.scope === 'path' && node.reward === null) {
        throw new DataError(
          field('node_id'),
          `node ${input.nodeId} of question "${input.questionId}" is not a scored answer node, so it ends no path; mark it with scope "node"`,
        );
      }
      return this.write(input.nodeId, node, input.scope, input.mark, note, reviewer, Date.now());
    })();
  }

  /** `nodeId`: the per-question id of `node` (for the returned entry); the row is found by rowid. */
  private write(
    nodeId: number,
    node: NodeFacts,
    scope: 'path' | 'node',
    mark: AnnotationMark | null,
    note: string,
    reviewer: string,
    at: number,
  ): AnnotationEntry {
    this.db.prepare('UPDATE nodes SET annotation = ? WHERE id = ?').run(mark, node.id);
    const info = this.db
      .prepare(
        `INSERT INTO annotations (run_id, question_id, node_id, scope, mark, previous, note, reviewer, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(this.runId, node.question_id, node.id, scope, mark, node.annotation, note, reviewer, at);
    return {
      id: Number(info.lastInsertRowid),
      questionId: node.question_id,
      nodeId,
      scope,
      mark,
      previous: node.annotation,
      note,
      reviewer,
      createdAt: at,
    };
  }

  /**
   * Undo `reviewer`'s latest entry not yet undone: the node gets back the mark it had before.
   * Returns the undone entry, or null when there is nothing to undo.
   * @throws StoreError when the node's mark was changed since (by another entry), so an undo
   *   would overwrite someone else's decision.
   */
  undo(reviewer: string): AnnotationEntry | null {
    return this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT * FROM annotations WHERE run_id = ? AND reviewer = ? AND undone = 0 ORDER BY id DESC LIMIT 1')
        .get(this.runId, reviewer) as LogRow | undefined;
      if (!row) return null;
      const node = this.nodeByRowId(row.node_id)!;
      if (node.annotation !== row.mark) {
        throw new StoreError(
          this.file,
          `node ${this.perQuestionId(node)} of question "${node.question_id}" was marked ${node.annotation ?? 'unmarked'} after your entry ${row.id}; not undone`,
        );
      }
      this.db.prepare('UPDATE nodes SET annotation = ? WHERE id = ?').run(row.previous, row.node_id);
      this.db.prepare('UPDATE annotations SET undone = 1 WHERE id = ?').run(row.id);
      return this.entryFromRow(row);
    })();
  }

  /** The latest live log row per node (what an export carries), by rowid. */
  private latestEntries(): Map<number, LogRow> {
    const rows = this.db.prepare('SELECT * FROM annotations WHERE run_id = ? AND undone = 0 ORDER BY id').all(this.runId) as LogRow[];
    const latest = new Map<number, LogRow>();
    for (const row of rows) latest.set(row.node_id, row);
    return latest;
  }

  /**
   * Every node of the run that carries a mark, as JSONL lines (one object a line), named by
   * question id and per-question node id. A mark set outside the view (no log entry) is exported
   * with reviewer 'unknown'.
   */
  exportLines(): AnnotationLine[] {
    const latest = this.latestEntries();
    const rows = this.db
      .prepare('SELECT id, question_id, annotation, content, reward FROM nodes WHERE run_id = ? AND annotation IS NOT NULL ORDER BY id')
      .all(this.runId) as (NodeFacts & { id: number })[];
    return rows.map((n) => {
      const entry = latest.get(n.id);
      return {
        question_id: n.question_id,
        node_id: this.perQuestionId(n),
        node_id_kind: 'per-question',
        content_sha256: contentSha256(n.content),
        scope: entry?.scope ?? (n.reward !== null ? 'path' : 'node'),
        mark: n.annotation!,
        note: entry?.note ?? '',
        reviewer: entry?.reviewer ?? 'unknown',
        created_at: entry?.created_at ?? 0,
      };
    });
  }

  /**
   * Import JSONL annotation lines (another reviewer's export of the same database). All or
   * nothing: every line is checked first, then all are written in one transaction.
   * @throws DataError naming `source`, the line and the field for a malformed line, an unknown
   *   node, a node of another question or whose content differs.
   */
  importJsonl(text: string, source: string): { imported: number; unchanged: number } {
    const lines: { line: number; value: AnnotationLine }[] = [];
    text.split('\n').forEach((raw, i) => {
      if (raw.trim() === '') return;
      const where = (field: string) => ({ file: source, line: i + 1, field });
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (error) {
        throw new DataError(where('(line)'), `not JSON: ${(error as Error).message}`);
      }
      const parsed = annotationLineSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new DataError(where(issue.path.join('.') || '(line)'), issue.message);
      }
      lines.push({ line: i + 1, value: parsed.data });
    });
    return this.db.transaction(() => {
      let imported = 0;
      let unchanged = 0;
      for (const { line, value } of lines) {
        const where = (field: string) => ({ file: source, line, field });
        const perQuestion = value.node_id_kind === 'per-question';
        const node = perQuestion ? this.node(value.question_id, value.node_id) : this.nodeByRowId(value.node_id);
        if (!node)
          throw new DataError(
            where('node_id'),
            perQuestion
              ? `no node ${value.node_id} in question "${value.question_id}" of run ${this.runId} of ${this.file}`
              : `no node with rowid ${value.node_id} in run ${this.runId} of ${this.file} (a line without node_id_kind names a rowid)`,
          );
        if (node.question_id !== value.question_id) {
          throw new DataError(
            where('question_id'),
            `node ${value.node_id} belongs to question "${node.question_id}", not "${value.question_id}"`,
          );
        }
        if (contentSha256(node.content) !== value.content_sha256) {
          throw new DataError(where('content_sha256'), `node ${value.node_id} has other content here: the export is from another database`);
        }
        if (value.scope === 'path' && node.reward === null)
          throw new DataError(where('scope'), `node ${value.node_id} is not a scored answer node`);
        if (node.annotation === value.mark) {
          unchanged++;
          continue;
        }
        this.write(
          perQuestion ? value.node_id : this.perQuestionId(node),
          node,
          value.scope,
          value.mark,
          value.note,
          value.reviewer,
          value.created_at,
        );
        imported++;
      }
      return { imported, unchanged };
    })();
  }
}

interface LogRow {
  id: number;
  question_id: string;
  node_id: number;
  scope: 'path' | 'node';
  mark: AnnotationMark | null;
  previous: AnnotationMark | null;
  note: string;
  reviewer: string;
  created_at: number;
}
