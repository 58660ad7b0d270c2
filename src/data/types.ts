/**
 * Shapes of the data built from search trees (METHOD.md sections 2-4): root-to-answer
 * paths, SFT rows and DPO pairs. Types only; the converters live next to this file.
 */

/** The unit of every `length` in this module: tokens when a tokenizer was given, else characters. */
export type LengthUnit = 'chars' | 'tokens';

/** Counts tokens of a text (for lengths and prefix lengths). Must be deterministic. */
export type CountTokens = (text: string) => number;

/** Relative length class of a correct path within its question (METHOD.md section 2). */
export type LengthBin = 'short' | 'medium' | 'long';

/** One root-to-answer path of a question's tree, linearised as the assistant response. */
export interface TreePath {
  questionId: string;
  /** User-turn text the search used: `userText(instruction, question)`. */
  prompt: string;
  /** The assistant response: shown thoughts joined by the run's separator (tags kept unless stripped). */
  response: string;
  /** Answer reward: 1 correct, 0 wrong. */
  reward: number;
  /** reward >= 1. */
  correct: boolean;
  /** Answer verdict ('correct' | 'wrong' | 'no_answer' | 'timeout' | null). */
  verdict: string | null;
  /** Length of `response` in `lengthUnit`. */
  length: number;
  lengthUnit: LengthUnit;
  /** Number of reflection nodes on the path (type `reflection`, or the run's `search.reflection_type`). */
  reflectionCount: number;
  /** Reflective phrases in the response text (eval's `reflectionMarkers`: `<reflection>`, "wait", ...). */
  reflectionMarkers: number;
  /** Node ids from the root to the answer node (inclusive). */
  nodeIds: number[];
  /** Character offsets in `response` where each shown thought starts (first is 0). */
  thoughtStarts: number[];
  /** Summed prompt / completion tokens of the path's nodes (the store's usage columns). */
  promptTokens: number;
  completionTokens: number;
  /** Prompt + completion tokens of each node, parallel to `nodeIds`. */
  nodeTokens: number[];
}

/** One SFT row (TRL plain prompt-completion format plus provenance columns). */
export interface SftRow {
  prompt: string;
  completion: string;
  question_id: string;
  /** Relative length class of this path among the question's correct paths. */
  length_bin: LengthBin;
  /** Length of `completion` in `length_unit`. */
  length: number;
  length_unit: LengthUnit;
  /** 0-based rank by length among the question's distinct correct paths (0 = shortest). */
  length_rank: number;
  /** Number of distinct correct paths of the question. */
  correct_paths: number;
  reflection_count: number;
  /** Reflective phrases in the completion (eval's `reflectionMarkers`). */
  reflection_markers: number;
  /** Node ids root..answer. */
  node_ids: number[];
  /** Prompt + completion tokens the search spent on this path's nodes. */
  path_tokens: number;
}

/** One DPO pair (TRL plain preference format plus prefix lengths for masking, METHOD.md section 3). */
export interface DpoPair {
  prompt: string;
  chosen: string;
  rejected: string;
  question_id: string;
  /** Length in characters of the longest common prefix of `chosen` and `rejected` (exact). */
  common_prefix_chars: number;
  /** Tokens of `chosen.slice(0, common_prefix_chars)`; present only when a tokenizer was given. */
  common_prefix_tokens?: number;
  /**
   * `common_prefix_chars` cut back to the last thought boundary shared by both responses
   * (the start of a thought, i.e. after the previous thought and separator). Used by the
   * prefix-in-prompt export so the moved text never ends mid-word.
   */
  shared_thoughts_chars: number;
  /** Number of shared tree nodes below the root (branching depth). */
  shared_nodes: number;
  chosen_length: number;
  rejected_length: number;
  length_unit: LengthUnit;
  chosen_length_bin: LengthBin;
  chosen_reflection_count: number;
  rejected_reflection_count: number;
  chosen_reflection_markers: number;
  rejected_reflection_markers: number;
  rejected_verdict: string | null;
  chosen_node_ids: number[];
  rejected_node_ids: number[];
  /** Prompt + completion tokens the search spent on the nodes of both paths (shared nodes once). */
  path_tokens: number;
}
