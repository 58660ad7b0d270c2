/**
 * Where the built-in policy's chatter words come from (chatter-words.ts): the lowercase words of the
 * GSM8K training questions (data/gsm8k/train.jsonl, MIT), everyday English that letter-count
 * questions may be wrapped in. scripts/write-chatter-words.ts writes the list; a test checks that the
 * embedded list equals this derivation from the data file.
 */
import { HARD_SET_WORDS } from './hard-set-words.ts';
import { HELD_OUT_ONLY_WORDS } from './phrasing-grammar.ts';
import { builtinWordSplit } from './words.ts';

/** Words seen at least this often are kept. */
export const CHATTER_MIN_COUNT = 10;

/**
 * The chatter words of `questions`: lowercase tokens of 2-12 letters a-z (a capitalised name is
 * not one) seen at least CHATTER_MIN_COUNT times, minus the held-out-only words, the held-out
 * evaluation words and the authors' evaluation words (no evaluation word may appear in training
 * rows), sorted.
 */
export function deriveChatterWords(questions: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const q of questions) for (const [w] of q.matchAll(/\b[a-z]{2,12}\b/g)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const evaluation = new Set([...HELD_OUT_ONLY_WORDS, ...builtinWordSplit().heldOut, ...HARD_SET_WORDS]);
  return [...counts]
    .filter(([w, n]) => n >= CHATTER_MIN_COUNT && !evaluation.has(w))
    .map(([w]) => w)
    .sort();
}
