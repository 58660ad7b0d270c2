/**
 * The read model of a search database: what `data/`, `eval/` and the CLI see of a run.
 * The SQLite schema behind it lives in store/schema.ts; this file is types only, so
 * consumers do not depend on SQL.
 */

/** Human review of a node/path (docs/method.md section 1: the authors' web tool drops bad-process samples). */
export type Annotation = 'accepted' | 'rejected' | null;

export interface StoredNode {
  /**
   * The creation order within the question, the root 0 (`readRun`'s default): stable whatever
   * the concurrency and whatever else the file holds, so exports are byte-reproducible; the
   * ids of every data file and of `treecot view`. Read with `readRun(file, {nodeIds: 'rowid'})`,
   * the SQLite rowid instead.
   */
  id: number;
  /** The SQLite rowid (creation order within the file), for writing back; set with per-question ids. */
  rowId?: number;
  /** null for the root (which holds the question). */
  parentId: number | null;
  /** Node type from the action graph, e.g. 'thinking'; 'root' for the root. */
  type: string;
  /** Tag used to write it, e.g. 'double-check'. */
  tag: string;
  /** The prefill phrase that opened the thought ('' if none). */
  prefill: string;
  /** Full content between the tags: prefill + generated text. */
  content: string;
  /** Whether the thought appears in the linearised path (config `show_in_history`). */
  showInHistory: boolean;
  /** Visit count N. */
  visits: number;
  /** Summed reward W (Q-value = W/N). */
  rewardSum: number;
  depth: number;
  /** For answer nodes: 1 correct, 0 wrong; null otherwise or not yet evaluated. */
  reward: number | null;
  /** Verdict kind for answer nodes ('correct' | 'wrong' | 'no_answer' | 'timeout'), else null. */
  verdict: string | null;
  /** Identical sibling texts are merged: how many samples produced this node (>= 1). */
  copies: number;
  promptTokens: number;
  completionTokens: number;
  /** modelId of the policy that generated it ('' for prefill-only nodes and the root). */
  policy: string;
  /** Unix epoch milliseconds when committed. */
  createdAt: number;
  annotation: Annotation;
}

export type QuestionStatus = 'pending' | 'running' | 'solved' | 'finished' | 'gave_up' | 'error';

export interface StoredQuestion {
  questionId: string;
  question: string;
  /** The task's reference, JSON-decoded. */
  reference: unknown;
  /** Instruction text used in the prompt. */
  instruction: string;
  status: QuestionStatus;
  rollouts: number;
  correctRollouts: number;
  nodes: StoredNode[];
}

/** One search run (a config + task + data set). */
export interface StoredRun {
  runId: number;
  /** The effective search config, as JSON. */
  config: unknown;
  /** sha256 of the canonical config JSON. */
  configHash: string;
  task: string;
  /** Separator used between thoughts when linearising (config `format.separator`). */
  separator: string;
  /** The problems file the search read, as given to `treecot search --data` ('' when none was recorded). */
  dataFile?: string;
  createdAt: number;
}
