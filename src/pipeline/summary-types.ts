/**
 * The shape of a run folder's `summary.json`: one entry per model stage (base, sft, final, ablation
 * rows) with at least `stage`, `accuracy`, `no_answer_rate`, `n`, plus search, data and training
 * statistics. Snake_case keys, as in the file.
 */

import type { RecordComparison } from '../eval/paired.ts';

/** Numbers of one evaluation set for one model stage (from its questions.jsonl via eval's summarize). */
export interface SetResult {
  set: string;
  /** Questions. */
  n: number;
  samples_per_question: number;
  accuracy: number;
  no_answer_rate: number;
  /** Standard errors over questions and 95% intervals (filled by summary-statistics.ts addRunStatistics). */
  accuracy_se?: number;
  accuracy_ci95?: [number, number];
  no_answer_rate_se?: number;
  no_answer_rate_ci95?: [number, number];
  /** Paired change against the first stage evaluated on this set (the base) and against the previous one. */
  vs_base?: RecordComparison;
  vs_previous?: RecordComparison;
  /** The stage names those comparisons are against. */
  base_stage?: string;
  previous_stage?: string;
  pass_at_k: Record<string, number>;
  majority_baseline: { answer: string | null; accuracy: number; se?: number };
  /**
   * Reflection at inference (addRunStatistics, eval/reflection.ts): samples with a reflection, and
   * among them those whose first attempt was wrong and final answer right (fixed) or the reverse (broke).
   */
  reflection?: { samples: number; reflected: number; fixed: number; broke: number };
  mean_length_chars: number;
  median_length_chars: number;
  reflection_markers_per_response: number;
  repeated_line_rate: number;
  step_accuracy?: Record<string, number>;
  /** Path of the per-question JSONL, relative to the run folder. */
  questions_file: string;
}

/** One model stage. The headline numbers are those of the first evaluation set. */
export interface StageEntry {
  stage: string;
  /** What the stage is, e.g. "SFT on the longest correct paths". */
  description: string;
  /** Model file or endpoint evaluated. */
  model: string;
  accuracy: number;
  no_answer_rate: number;
  n: number;
  set: string;
  sets: SetResult[];
}

/** Search statistics of one round (from the store and the search summary). */
export interface SearchEntry {
  round: number;
  questions: number;
  finished: number;
  /** Questions with at least one correct rollout. */
  solved: number;
  rollouts: number;
  correct_rollouts: number;
  nodes: number;
  prompt_tokens: number;
  completion_tokens: number;
  wall_s: number;
  /** Rollouts per question, in question order (for the histogram). */
  rollouts_per_question: number[];
}

/** Data statistics of one build. */
export interface DataEntry {
  name: string;
  sft_rows: number;
  dpo_pairs: number;
  /** Character lengths, for the histograms. */
  sft_lengths: number[];
  chosen_lengths: number[];
  rejected_lengths: number[];
  common_prefix_chars: number[];
  /** Correct paths dropped by the automatic process check (build.process_check). */
  process_rejected?: number;
  /** From the build's stats.json (addRunStatistics): rows / chosen paths with a wrong attempt, a reflection and a correct re-think. */
  sft_with_reflection?: number;
  sft_corrected_reflection?: number;
  chosen_corrected_reflection?: number;
  dir: string;
}

export interface TrainEntry {
  stage: string;
  objective: string;
  steps: number;
  final_loss: number | null;
  wall_s: number;
  model: string;
  /** The data folder it trained on, relative to the run folder. */
  data: string;
  /** Loss (and reward margin) per logged step, from the stage's train-log.jsonl (training-curves.ts); for the report's curves. */
  curve?: TrainingCurve;
}

/** Per-step values of one training, read from its train-log.jsonl; every `every`-th step (and the last) when the log is long. */
export interface TrainingCurve {
  /** The log it was read from. */
  log: string;
  /** Stride over the logged steps (1 = every step). */
  every: number;
  step: number[];
  loss: number[];
  /** TRL's `rewards/margins` (beta x (chosen - rejected log-ratio), mean over the step's pairs); preference stages only. */
  reward_margin?: number[];
}

export interface RunSummary {
  name: string;
  task: string;
  config_hash: string;
  written_at: string;
  /** treecot version and git commit (null outside a checkout) that wrote this summary. */
  produced_by?: { treecot: { version: string; commit: string | null } };
  stages: StageEntry[];
  search: SearchEntry[];
  data: DataEntry[];
  train: TrainEntry[];
  /** Wall seconds per pipeline stage (from the stage markers). */
  stage_wall_s: Record<string, number>;
}
