/**
 * SFT without learning the failed attempts (pipeline `train.sft.mask_failed_attempts`).
 *
 * A tree row with a corrected reflection holds a failed first attempt, the reflection and a right
 * re-think. Trained on whole, a student learns to write the failed attempt too: its first attempts
 * get worse, and its reflections win back only part of that (measured in docs/pipeline.md, "Tried: the
 * second-stage policy in the demo, and masked failed attempts"). With the failed attempts masked, the
 * loss covers the reflection and what follows it (and whole rows without a reflection): the student
 * is not taught to fail first; measured, it then also reflects rarely. The preference stage's joint
 * SFT term still trains on whole chosen paths.
 *
 * The mask is a move: the completion text before its last reflection thought goes to the end of the
 * prompt, and the trainer's loss covers the completion only. With treecot's character tokenizer
 * (thought tags are single tokens) the token sequence is unchanged, so this is exactly a loss mask.
 * It is for the treecot trainer's raw prompts; an exported data set keeps its rows whole.
 */
import { escapeRegExp } from '../core/regexp.ts';
import type { SftRow } from './batching.ts';

export interface FailedAttemptFormat {
  /** The reflection thought's tag (the search graph's `reflection_type` node; default `reflection`). */
  tag?: string;
  /** What the search wrote between thoughts (the search config's `format.separator`; default none). */
  separator?: string;
}

/**
 * `rows` with each completion's failed attempts (the text before its last reflection thought) moved
 * to the end of the prompt; rows without one are returned as they are. A reflection thought starts
 * the completion or follows a closing tag and the separator, so the tag's text inside another
 * thought is not taken for one.
 */
export function maskFailedAttempts<T extends Pick<SftRow, 'prompt' | 'completion'>>(
  rows: readonly T[],
  format: FailedAttemptFormat = {},
): T[] {
  const open = `<${format.tag ?? 'reflection'}>`;
  const afterThought = new RegExp(`</[^<>]+>${escapeRegExp(format.separator ?? '')}$`);
  return rows.map((row) => {
    for (let at = row.completion.lastIndexOf(open); at > 0; at = row.completion.lastIndexOf(open, at - 1)) {
      const before = row.completion.slice(0, at);
      if (afterThought.test(before)) return { ...row, prompt: row.prompt + before, completion: row.completion.slice(at) };
    }
    return row;
  });
}
