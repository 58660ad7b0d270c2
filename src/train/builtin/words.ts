/**
 * The built-in model's words: the `word-list` npm package (sindresorhus/word-list 4.1.0, 274k English
 * words), kept when lowercase a-z and 6-14 letters long (244,592 words), minus every word of the
 * letter-counting evaluation set (HARD_SET_WORDS; 232 of its 500 words are in the list), split into
 * training words and a held-out split.
 *
 * The split is a stable function of each word alone (a seeded 32-bit hash), so it does not depend on
 * the list's order or on other words, and it is reproducible without any data file at run time. About
 * 0.82% of words (~2,000) are held out; the demo asks held-out questions from them.
 */
import { readFileSync } from 'node:fs';
import wordListPath from 'word-list';
import { hashString } from '../../core/index.ts';
import { HARD_SET_WORDS } from './hard-set-words.ts';

/** Shortest and longest word kept (letters). The evaluation set's words are 6-14 letters. */
export const BUILTIN_MIN_WORD_LENGTH = 6;
export const BUILTIN_MAX_WORD_LENGTH = 14;

/** Held-out share, in units of 1/100,000: 820 -> 0.82% (about 2,000 of 244k words). */
const HELD_OUT_PER_100K = 820;
/** Seed string mixed into the split hash; changing it changes the split. */
const SPLIT_SEED = 'treecot-builtin-split-v1';

/** murmur3 fmix32 finaliser, so every bit of FNV-1a's output is well mixed before `%`. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** True when `word` belongs to the held-out split (a pure function of the word). */
export function isHeldOutWord(word: string): boolean {
  return mix32(hashString(`${SPLIT_SEED}:${word}`)) % 100_000 < HELD_OUT_PER_100K;
}

/** True for words the built-in model may use at all: lowercase a-z, 6-14 letters. */
export function isUsableWord(word: string): boolean {
  return word.length >= BUILTIN_MIN_WORD_LENGTH && word.length <= BUILTIN_MAX_WORD_LENGTH && /^[a-z]+$/.test(word);
}

export interface BuiltinWordSplit {
  /** Training words, in word-list order. */
  train: string[];
  /** Held-out words (never trained on), in word-list order. */
  heldOut: string[];
  /** Usable words of the list that were dropped because they are evaluation-set words. */
  excludedHardSetWords: string[];
}

let cached: BuiltinWordSplit | undefined;

/**
 * The train / held-out split of the built-in model's words. Deterministic; cached after the first
 * call (reads the word list, ~2.6 MB, once). Hard-set words are in neither split.
 */
export function builtinWordSplit(): BuiltinWordSplit {
  if (cached) return cached;
  const hardSet = new Set(HARD_SET_WORDS);
  const train: string[] = [];
  const heldOut: string[] = [];
  const excludedHardSetWords: string[] = [];
  for (const raw of readFileSync(wordListPath, 'utf8').split('\n')) {
    const word = raw.trim();
    if (!isUsableWord(word)) continue;
    if (hardSet.has(word)) {
      excludedHardSetWords.push(word);
      continue;
    }
    (isHeldOutWord(word) ? heldOut : train).push(word);
  }
  cached = { train, heldOut, excludedHardSetWords };
  return cached;
}
