/**
 * SFT without learning the failed attempts (pipeline `train.sft.mask_failed_attempts`).
 *
 * A tree row with a corrected reflection holds a failed first attempt, the reflection and a right
 * re-think. Trained on whole, a student learns to write the failed attempt too: its first attempts
 * get worse, and its reflections win back only part of that (measured in docs/pipeline.md, "Failed
 * attempts masked"). With the failed attempts masked, the loss covers the
 * reflection and what follows it (and whole rows without a reflection): the student learns to reflect
 * on an attempt and re-think, not to fail first.
 *
 * The mask is a move: the completion text before its last reflection thought goes to the end of the
 * prompt, and the trainer's loss covers the completion only. With treecot's character tokenizer
 * (thought tags are single tokens) the token sequence is unchanged, so this is exactly a loss mask.
 * It is for the treecot trainer's raw prompts; an exported data set keeps its rows whole.
 */
import type { SftRow } from './batching.ts';

/**
 * `rows` with each completion's failed attempts (the text before its last `<tag>` thought) moved to
 * the end of the prompt; rows without that thought are returned as they are.
 */
export function maskFailedAttempts<T extends Pick<SftRow, 'prompt' | 'completion'>>(rows: readonly T[], tag = 'reflection'): T[] {
  const open = `<${tag}>`;
  return rows.map((row) => {
    const at = row.completion.lastIndexOf(open);
    if (at <= 0) return row;
    return { ...row, prompt: row.prompt + row.completion.slice(0, at), completion: row.completion.slice(at) };
  });
}
