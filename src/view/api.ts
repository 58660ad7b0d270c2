/**
 * The view's JSON API (all under /api/). Reads go through ViewSource (read-only queries);
 * the only writes are annotations (POST /api/annotations, /undo, /import), checked by the
 * annotation writer (node exists in the run, sizes bounded).
 *
 * A node is named as the data files name it: the question id and the node's id within its
 * question (root 0, creation order), so `node_ids` of a row of `sft.jsonl`/`dpo.jsonl`/`paths.jsonl`
 * are the ids of /api/question, /api/paths, /api/pairs and /api/review-queue.
 *
 *   GET  /api/info                               run, task, databases, reviewer
 *   GET  /api/run-folder                         a run folder's summary.json headline numbers
 *   GET  /api/questions?offset&limit&sort&dir&status&search   one page of the questions table
 *   GET  /api/question?id=Q                      the question and every node of its tree
 *   GET  /api/paths?id=Q                         its root-to-answer paths as trained
 *   GET  /api/pairs?id=Q                         its DPO pairs (data/ as `build` makes them)
 *   GET  /api/review-queue?verdict=correct|wrong|no_answer|all
 *   POST /api/annotations {questionId, nodeId, scope, mark, note}
 *   POST /api/annotations/undo {}
 *   GET  /api/annotations.jsonl                  export; POST /api/annotations/import {text}
 * Every call takes `db=N` (index into the databases list; default 0).
 */
import { ConfigError, DataError, StoreError, TreecotError } from '../core/index.ts';
import type { QuestionSummary } from '../store/index.ts';
import type { ViewSource } from './view-source.ts';
import { pairsOfQuestion } from './pairs.ts';
import { readRunFolder } from './run-folder.ts';

export interface ApiContext {
  sources: (index: number) => ViewSource;
  databases: { label: string; file: string }[];
  reviewer: string;
  folder: string | null;
}

export interface ApiResult {
  status: number;
  body: unknown;
  /** Send `body` (a string) as this type instead of JSON. */
  contentType?: string;
}

const SORT_KEYS = new Set<keyof QuestionSummary>([
  'idx',
  'questionId',
  'status',
  'rollouts',
  'correctRollouts',
  'nodes',
  'tokens',
  'correct',
  'wrong',
  'noAnswer',
  'shareSolved',
  'correctedReflection',
  'annotated',
  'updatedAt',
]);
const MAX_PAGE = 1000;

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError({ file: url.pathname, field: name }, `must be an integer in [${min}, ${max}] (got "${raw}")`);
  return value;
}

function questionsPage(source: ViewSource, url: URL): unknown {
  const all = source.summaries();
  const status = url.searchParams.get('status') ?? '';
  const search = (url.searchParams.get('search') ?? '').toLowerCase();
  const sort = (url.searchParams.get('sort') ?? 'idx') as keyof QuestionSummary;
  if (!SORT_KEYS.has(sort)) throw new ConfigError({ file: url.pathname, field: 'sort' }, `unknown column "${sort}"`);
  const dir = url.searchParams.get('dir') === 'desc' ? -1 : 1;
  let rows = all;
  if (status) rows = rows.filter((r) => r.status === status);
  if (search) rows = rows.filter((r) => r.questionId.toLowerCase().includes(search));
  if (sort !== 'idx' || dir !== 1) {
    rows = [...rows].sort((a, b) => {
      const x = a[sort];
      const y = b[sort];
      const c = typeof x === 'string' ? x.localeCompare(y as string) : Number(x) - Number(y);
      return c !== 0 ? c * dir : a.idx - b.idx;
    });
  }
  const offset = intParam(url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(url, 'limit', 100, 1, MAX_PAGE);
  return { total: all.length, filtered: rows.length, offset, rows: rows.slice(offset, offset + limit), totals: source.totals() };
}

/**
 * Nodes as one array per field (struct of arrays, as search/tree.ts keeps them): a 10,000-node
 * tree is about a quarter of the bytes of an array of objects, which repeats every key.
 */
export function toColumns<T extends object>(rows: readonly T[]): Record<string, unknown[]> {
  const columns: Record<string, unknown[]> = {};
  if (rows.length === 0) return columns;
  for (const key of Object.keys(rows[0]!)) columns[key] = rows.map((row) => (row as Record<string, unknown>)[key]);
  return columns;
}

function requireQuestion(url: URL): string {
  const id = url.searchParams.get('id');
  if (!id) throw new ConfigError({ file: url.pathname, field: 'id' }, 'the question id is missing');
  return id;
}

function notFound(what: string): ApiResult {
  return { status: 404, body: { error: `${what} not found` } };
}

export function handleGet(context: ApiContext, url: URL): ApiResult {
  const db = intParam(url, 'db', 0, 0, Math.max(0, context.databases.length - 1));
  const source = context.sources(db);
  switch (url.pathname) {
    case '/api/info': {
      const run = source.queries.run;
      return {
        status: 200,
        body: {
          db,
          databases: context.databases.map((d) => d.label),
          folder: context.folder,
          reviewer: context.reviewer,
          run: { runId: run.run_id, task: run.task, createdAt: run.created_at, dataFile: run.data_file, config: JSON.parse(run.config) },
          ...source.config(),
        },
      };
    }
    case '/api/questions':
      return { status: 200, body: questionsPage(source, url) };
    case '/api/run-folder':
      if (context.folder === null) return notFound('run folder (the view was started on a database file)');
      return { status: 200, body: readRunFolder(context.folder) };
    case '/api/question': {
      const found = source.queries.question(requireQuestion(url));
      if (!found) return notFound('question');
      const { nodes, ...question } = found.question;
      return { status: 200, body: { question, columns: toColumns(found.nodes), ...source.config() } };
    }
    case '/api/paths': {
      const id = requireQuestion(url);
      const found = source.paths(id);
      if (!found) return notFound('question');
      return { status: 200, body: { questionId: id, nodes: found.nodes, paths: found.paths } };
    }
    case '/api/pairs': {
      const id = requireQuestion(url);
      const found = source.queries.question(id);
      if (!found) return notFound('question');
      return { status: 200, body: { questionId: id, pairs: pairsOfQuestion(found.question, source.queries.run.separator, source.file) } };
    }
    case '/api/review-queue': {
      const verdict = url.searchParams.get('verdict') ?? 'correct';
      const items = source.queries.reviewQueue().filter((i) => verdict === 'all' || i.verdict === verdict);
      return { status: 200, body: { verdict, items, reviewed: items.filter((i) => i.mark !== null).length } };
    }
    case '/api/annotations.jsonl': {
      const lines = source.annotations().exportLines();
      return { status: 200, body: lines.map((l) => JSON.stringify(l) + '\n').join(''), contentType: 'application/x-ndjson; charset=utf-8' };
    }
    default:
      return notFound(url.pathname);
  }
}

export function handlePost(context: ApiContext, url: URL, body: unknown): ApiResult {
  const db = intParam(url, 'db', 0, 0, Math.max(0, context.databases.length - 1));
  const source = context.sources(db);
  const input = (body ?? {}) as Record<string, unknown>;
  const where = (field: string) => ({ file: url.pathname, field });
  switch (url.pathname) {
    case '/api/annotations': {
      if (typeof input.questionId !== 'string' || input.questionId === '')
        throw new DataError(where('questionId'), 'must be the question id (a node is named by questionId and nodeId)');
      const mark = input.mark;
      if (mark !== 'accepted' && mark !== 'rejected' && mark !== null)
        throw new DataError(where('mark'), 'must be "accepted", "rejected" or null');
      if (input.scope !== 'path' && input.scope !== 'node') throw new DataError(where('scope'), 'must be "path" or "node"');
      if (input.note !== undefined && typeof input.note !== 'string') throw new DataError(where('note'), 'must be a string');
      const entry = source.annotations().mark({
        questionId: input.questionId,
        nodeId: Number(input.nodeId),
        scope: input.scope,
        mark,
        note: input.note as string | undefined,
        reviewer: context.reviewer,
      });
      return { status: 200, body: entry };
    }
    case '/api/annotations/undo':
      return { status: 200, body: { undone: source.annotations().undo(context.reviewer) } };
    case '/api/annotations/import': {
      if (typeof input.text !== 'string') throw new DataError(where('text'), 'must be the JSONL text');
      const name = typeof input.name === 'string' && input.name.length <= 200 ? input.name : 'import.jsonl';
      return { status: 200, body: source.annotations().importJsonl(input.text, name) };
    }
    default:
      return notFound(url.pathname);
  }
}

/**
 * A TreecotError becomes a 400 (bad input) or 409 (store state) with its message; anything else is a bug.
 * (By name: `isInstance` on a subclass is true for every TreecotError.)
 */
export function errorResult(error: unknown): ApiResult | null {
  if (!TreecotError.isInstance(error)) return null;
  return { status: (error as Error).name === StoreError.name ? 409 : 400, body: { error: (error as Error).message } };
}
