/**
 * Row types of the search database (snake_case as stored) and the inputs of the writer.
 * Readers outside store/ use the read model in types.ts instead.
 */
import type { QuestionStatus, StoredRun } from './types.ts';

/** A node to insert. `parentId` null only for the root. */
export interface NewNode {
  runId: number;
  questionId: string;
  parentId: number | null;
  type: string;
  tag: string;
  prefill: string;
  content: string;
  showInHistory: boolean;
  depth: number;
  reward?: number | null;
  verdict?: string | null;
  verdictReason?: string | null;
  copies?: number;
  promptTokens?: number;
  completionTokens?: number;
  finishReason?: string | null;
  policy?: string;
}

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
    createdAt: row.created_at,
  };
}
