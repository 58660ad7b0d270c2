/**
 * Shapes of what `treecot eval` writes: one `EvalQuestionRecord` per line of `questions.jsonl`,
 * and one `EvalSummary` in `summary.json`. Snake_case keys, as in the files.
 */
import type { VerdictKind } from '../tasks/index.ts';

/** One generated response and its verdict. */
export interface EvalSample {
  /** The full generated response (no prefill; stopped at EOS or max tokens). */
  text: string;
  verdict: VerdictKind;
  extracted: string | null;
  /** Response length in characters (the unit every treecot report uses unless it says tokens). */
  length_chars: number;
  /** Completion tokens as the policy reported them for this call, divided evenly over its samples. */
  completion_tokens: number;
  finish_reason: string;
  reflection_markers: number;
  repeated_line_rate: number;
  /** Per-step scores read from the response (task-specific; e.g. letter counting: spelling, count steps, addition). */
  steps?: Record<string, number | null>;
}

export interface EvalQuestionRecord {
  question_id: string;
  question: string;
  /**
   * The reference answer as the task's verifier states it (`Verdict.reference`: GSM8K's number, not
   * its worked solution), so the majority baseline counts answers, not reference objects.
   */
  reference: string;
  /** Number of samples (n). */
  n: number;
  /** Samples judged correct (c). */
  correct: number;
  samples: EvalSample[];
  /** Prompt tokens the policy reported for this question's call(s). */
  prompt_tokens: number;
  /** Present with MCTS decode: what the search did for this question (src/eval/mcts-decode.ts). */
  search?: {
    rollouts: number;
    nodes: number;
    /** Estimated probability per answer (src/eval/tree-answer-distribution.ts): the tree's on-policy paths and the greedy response as one root sample. */
    answers: Record<string, number>;
    /** The greedy response's extracted answer (null: none). */
    greedy_answer?: string | null;
    /** Answer nodes the search created, and how many of them are on-policy paths (the voters). */
    answer_paths?: number;
    on_policy_paths?: number;
  };
}

/** What one evaluation run measured. Every rate is a share in [0, 1]. */
export interface EvalSummary {
  name: string;
  task: string;
  policy: string;
  decode: 'sample' | 'mcts';
  data: string;
  questions: number;
  samples_per_question: number;
  temperature: number;
  max_tokens: number;
  /** Share of all samples that are correct (greedy accuracy when n = 1). */
  accuracy: number;
  no_answer_rate: number;
  /** Standard errors and 95% intervals over questions (statistics.ts rateWithError). */
  accuracy_se: number;
  accuracy_ci95: [number, number];
  no_answer_rate_se: number;
  no_answer_rate_ci95: [number, number];
  /** Unbiased pass@k (Chen et al. 2021) per requested k, keys as strings. */
  pass_at_k: Record<string, number>;
  mean_length_chars: number;
  median_length_chars: number;
  reflection_markers_per_response: number;
  repeated_line_rate: number;
  /** Always answering the most common reference answer (over `EvalQuestionRecord.reference`), with its standard error. */
  majority_baseline: { answer: string | null; accuracy: number; se?: number };
  /** Mean of each per-step score over samples where it applies (null scores are skipped). */
  step_accuracy?: Record<string, number>;
  verdicts: Record<VerdictKind, number>;
  prompt_tokens: number;
  completion_tokens: number;
  wall_s: number;
  /**
   * What produced it: treecot version and commit, decode kind, and the settings (task, data, policy:
   * provider, model, mode, template and its source, template kwargs, extra body; instruction, samples,
   * temperature, top-p, max tokens, stop, seed) with their hash. Absent in summaries of older versions.
   */
  produced_by?: {
    treecot: { version: string; commit: string | null };
    decode: 'sample' | 'mcts';
    settings_hash: string;
    settings: Record<string, unknown>;
  };
}
