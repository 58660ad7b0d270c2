/**
 * The SQLite schema of a search database (better-sqlite3 12, WAL journal).
 *
 * One file holds one or more runs (a run = config + task; `--new-run` appends one);
 * readers use the latest run unless told otherwise. Node ids are SQLite rowids in
 * creation order (docs/design.md `store/`), so within one question the ids grow in the order
 * the search created the nodes.
 *
 * Versioning: `PRAGMA user_version` holds SCHEMA_VERSION; a file with another version
 * is refused with a StoreError (no silent migration).
 */

/** Bump on any incompatible change to the tables below. */
export const SCHEMA_VERSION = 1;

/** Marker stored in `meta` so a random SQLite file is not mistaken for a treecot store. */
export const STORE_KIND = 'treecot-search';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY,
  config TEXT NOT NULL,            -- effective search config, canonical JSON
  config_hash TEXT NOT NULL,       -- sha256 hex of config
  task TEXT NOT NULL,
  separator TEXT NOT NULL,         -- config format.separator
  data_file TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL      -- unix ms
);

CREATE TABLE IF NOT EXISTS questions (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  question_id TEXT NOT NULL,
  idx INTEGER NOT NULL,            -- 0-based row index in the data file (shard key)
  question TEXT NOT NULL,
  reference TEXT NOT NULL,         -- JSON
  instruction TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  rollouts INTEGER NOT NULL DEFAULT 0,
  correct_rollouts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, question_id)
);

CREATE TABLE IF NOT EXISTS nodes (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  question_id TEXT NOT NULL,
  parent_id INTEGER REFERENCES nodes(id),
  type TEXT NOT NULL,
  tag TEXT NOT NULL,
  prefill TEXT NOT NULL,
  content TEXT NOT NULL,
  show_in_history INTEGER NOT NULL,
  visits INTEGER NOT NULL DEFAULT 0,
  reward_sum REAL NOT NULL DEFAULT 0,
  depth INTEGER NOT NULL,
  reward REAL,
  verdict TEXT,
  verdict_reason TEXT,
  copies INTEGER NOT NULL DEFAULT 1,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  finish_reason TEXT,
  policy TEXT NOT NULL DEFAULT '',
  expanded INTEGER NOT NULL DEFAULT 0,  -- 1 once its children are committed
  created_at INTEGER NOT NULL,
  annotation TEXT CHECK (annotation IN ('accepted', 'rejected'))
);
CREATE INDEX IF NOT EXISTS nodes_by_question ON nodes(run_id, question_id, id);

CREATE TABLE IF NOT EXISTS rollouts (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  question_id TEXT NOT NULL,
  idx INTEGER NOT NULL,            -- 0-based rollout number within the question
  leaf_id INTEGER NOT NULL REFERENCES nodes(id),
  path TEXT NOT NULL,              -- JSON array of node ids, root first, leaf last
  reward REAL NOT NULL,
  verdict TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (run_id, question_id, idx)
);
`;
