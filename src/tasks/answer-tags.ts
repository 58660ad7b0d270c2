/**
 * The `<answer>...</answer>` thought of a typed-thought output (src/core/thought-format.ts), read
 * the same way by every task: tag names are case-insensitive (`<Answer>` and `</ANSWER>` count, so
 * a model's capitalisation never changes a verdict), and an unclosed last tag runs to the end of
 * the output (generation may stop at the closing tag). Which tag a task reads (usually the last
 * one) is the task's choice.
 */

/** One `<answer>` tag of an output. */
export interface AnswerTag {
  /** Text between `<answer>` and `</answer>` (or the end of the output), as written. */
  content: string;
  /** Index of the `<` of `<answer>`. */
  start: number;
  /** Index just past `</answer>`, or the output's length for an unclosed tag. */
  end: number;
}

// Lazy content up to the first closing tag, else to the end: tags do not nest, and an `<answer>`
// inside an unclosed tag is part of its content. One match per tag, linear in the output.
const ANSWER_TAG = /<answer>([\s\S]*?)(?:<\/answer>|$)/gi;

/** Every `<answer>` tag of `output`, in order; empty when there is none. */
export function answerTags(output: string): AnswerTag[] {
  return [...output.matchAll(ANSWER_TAG)].map((m) => ({ content: m[1]!, start: m.index, end: m.index + m[0].length }));
}

/** Content of the last `<answer>` tag of `output`, or null when there is none. */
export function lastAnswerTag(output: string): string | null {
  const tags = answerTags(output);
  return tags.length > 0 ? tags[tags.length - 1]!.content : null;
}
