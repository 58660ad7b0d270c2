/**
 * Row types of the search database (snake_case as stored) and the inputs of the writer.
 * Readers outside store/ use the read model in types.ts instead.
 */
import type { QuestionStatus, StoredNode, StoredRun } from './types.ts';

/**
 * A node to insert. `parentId` null only for the root. Field meanings and types are those of the
 * read model `StoredNode` (types.ts); the store fills in visits, reward sum, time and annotation,
 * and defaults the optional fields (reward/verdict null, copies 1, tokens 0, policy '').
 */
export type NewNode = Pick<StoredNode, 'parentId' | 'type' | 'tag' | 'prefill' | 'content' | 'showInHistory' | 'depth'> &
  Partial<Pick<StoredNode, 'reward' | 'verdict' | 'copies' | 'promptTokens' | 'completionTokens' | 'policy'>> & {
    runId: number;
    questionId: string;
    /** Why the verifier gave its verdict (stored, not part of the read model). */
    verdictReason?: string | null;
    /** How the policy's completion ended (stored, not part of the read model). */
    finishReason?: string | null;
  };

/** A raw `nodes` row (snake_case columns as stored). */
export interface NodeRow {
  id: number;
  run_id: number;
  question_id: string;
  parent_id: number | null;
  type: string;
  tag: string;
  prefill: string;
  content: string;
  show_in_history: number;
  visits: number;
  reward_sum: number;
  depth: number;
  reward: number | null;
  verdict: string | null;
  verdict_reason: string | null;
  copies: number;
  prompt_tokens: number;
  completion_tokens: number;
  finish_reason: string | null;
  policy: string;
  expanded: number;
  created_at: number;
  annotation: 'accepted' | 'rejected' | null;
}

export interface QuestionRow {
  run_id: number;
  question_id: string;
  idx: number;
  question: string;
  reference: string;
  instruction: string;
  status: QuestionStatus;
  rollouts: number;
  correct_rollouts: number;
  error: string | null;
  updated_at: number;
}

export interface RolloutRow {
  id: number;
  run_id: number;
  question_id: string;
  idx: number;
  leaf_id: number;
  path: string;
  reward: number;
  verdict: string;
  created_at: number;
}

export interface NewQuestion {
  questionId: string;
  idx: number;
  question: string;
  reference: unknown;
  instruction: string;
}

/** One finished rollout, committed atomically with its effects. */
export interface RolloutCommit {
  runId: number;
  questionId: string;
  /** 0-based rollout number; (run, question, idx) is unique, so a replay cannot double-count. */
  idx: number;
  /** Node ids root first, answer leaf last. */
  path: number[];
  reward: number;
  verdict: string;
  /** Nodes added because of this rollout (reflection backtracking); ids returned in order. */
  newNodes: NewNode[];
  /** Question status after this rollout. */
  status: QuestionStatus;
}

export interface NewRun {
  config: unknown;
  configHash: string;
  task: string;
  separator: string;
  dataFile: string;
}

export interface RunRow {
  run_id: number;
  config: string;
  config_hash: string;
  task: string;
  separator: string;
  data_file: string;
  created_at: number;
}

export function runFromRow(row: RunRow): StoredRun {
  return {
    runId: row.run_id,
    config: JSON.parse(row.config),
    configHash: row.config_hash,
    task: row.task,
    separator: row.separator,
    dataFile: row.data_file,
    createdAt: row.created_at,
  };
}
