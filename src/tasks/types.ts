/**
 * The task interface: a Task = loader + prompt builder + answer extractor + verifier.
 * (docs/design.md `tasks/`; table shape after transformers.js `src/pipelines/index.js`.)
 */

/** One problem, as every later stage sees it. */
export interface Problem {
  /** Stable id: the data set's `id`/`unique_id`/`instance_id`, else the 0-based row index as a string. */
  id: string;
  /** The question text shown to the model (the user turn, without the task instruction). */
  question: string;
  /** The reference the verifier compares against (task-specific, JSON-serialisable). */
  reference: unknown;
  /** Where the problem came from, for error messages. */
  source?: { file: string; line: number };
}

/** Result classes. `no_answer` = nothing extractable (the paper's no-answer rate, docs/method.md section 5). */
export type VerdictKind = 'correct' | 'wrong' | 'no_answer' | 'timeout';

export interface Verdict {
  verdict: VerdictKind;
  /** What was extracted from the output (null when nothing was). */
  extracted: string | null;
  /** The reference as text. */
  reference: string;
  /** Why it was judged so, in a short human sentence. */
  reason: string;
  /**
   * The rule that decided, short and stable so verdicts can be counted by it (`treecot check
   * --audit`, the search summary): e.g. `####: expression`, `text`, `value`, `identity`, `tuple`.
   */
  rule?: string;
  /** Per-instruction or per-step details (IFEval instructions, Blocksworld first failing step). */
  details?: unknown;
}

/** Options to load a problems file. */
export interface LoadOptions {
  /** Field holding the question text; task default when absent. */
  questionField?: string;
  /** Field holding the reference answer; task default when absent. */
  answerField?: string;
  /** Field holding the id; default: `id`, `unique_id`, `instance_id`, else row index. */
  idField?: string;
}

export interface Task {
  readonly name: string;
  /** One-line description for `--help`. */
  readonly description: string;
  /**
   * Load problems from a JSONL file or a JSON array (or a task-specific format).
   * @throws DataError naming file, line and field.
   */
  load(file: string, options?: LoadOptions): Problem[];
  /** Task instruction text put before the question in the user turn ('' for none). */
  readonly defaultInstruction: string;
  /** Extract the final answer from a model output; null when nothing is extractable. */
  extractAnswer(output: string): string | null;
  /**
   * Judge an output against a problem's reference. Pure and synchronous; callers that need
   * a hard time limit use `VerifierPool` (see verifier-pool.ts), which runs this in a worker.
   */
  verify(output: string, problem: Problem): Verdict;
  /**
   * A gold output for the problem from the data set itself (e.g. GSM8K's worked solution), used
   * by `treecot check` without `--pred`. Null when the data set has none.
   */
  goldOutput?(problem: Problem): string | null;
}
