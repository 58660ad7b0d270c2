/**
 * Letter-counting questions ("How many g and n are there in total in navigant?"): the
 * phrasings, a parser that recovers word and letters from the text, the label, a compact
 * worked trace, and a seeded generator.
 *
 * Phrasings: the 7 two-letter templates are the ones of the authors' hard set
 * (data/letter-count/letter_count_hard.json, Marco-o1 v2 demo); the 5 one-letter
 * templates are ours (docs/letter-count-study.md "Setup": 70% two-letter, 30%
 * one-letter questions, letters weighted by occurrence ("pos") or uniform over the word's
 * distinct letters ("set"), 10% any letter a-z so a count can be 0).
 */
import { Rng } from '../core/rng.ts';
import { renderThought } from '../core/thought-format.ts';
import type { Problem } from './types.ts';

/** The hard set's 7 two-letter templates; `{a}`, `{b}` = letters, `{word}` = the word. */
export const TWO_LETTER_PHRASINGS: readonly string[] = [
  'What is the sum of the counts of {a} and {b} in {word}?',
  'Find out the total number of {a} and {b} in {word}.',
  'How many {a} and {b} are there in total in {word}?',
  'What is the combined count of {a} and {b} in {word}?',
  'What is the combined total of {a} and {b} present in {word}?',
  'Calculate the total occurrences of {a} and {b} together in {word}.',
  'Add up the counts of {a} and {b} in {word}.',
];

/** 5 one-letter templates (not in the hard set); `{a}` = the letter, `{word}` = the word. */
export const ONE_LETTER_PHRASINGS: readonly string[] = [
  'How many times does the letter {a} appear in {word}?',
  'Count the occurrences of {a} in {word}.',
  'How many {a} are there in {word}?',
  'What is the count of {a} in {word}?',
  'Find the number of times {a} occurs in {word}.',
];

/** A parsed question: the word and its 1 or 2 letters (lower case). */
export interface LetterCountQuestion {
  word: string;
  letters: string[];
}

/** A single letter as a token, optionally quoted, optionally with a possessive/plural `'s`. */
const LETTER_TOKEN = String.raw`["'‘“]?([A-Za-z])["'’”]?(?:'s)?`;
const TWO_LETTERS = new RegExp(String.raw`(?:^|\s)${LETTER_TOKEN},?\s+and\s+${LETTER_TOKEN}(?=[\s,?.!]|$)`);
const ONE_LETTER = new RegExp(String.raw`(?:^|\s)${LETTER_TOKEN}(?=[\s,?.!]|$)`, 'g');

/**
 * Parse a letter-counting question. The word is the last token (quotes and final
 * punctuation stripped); the letters are the two single letters around " and ", else the
 * only single-letter token before the word (one-letter phrasings).
 * Returns null when the text does not look like such a question (no word, or zero or
 * several candidate letters).
 */
export function parseLetterCountQuestion(text: string): LetterCountQuestion | null {
  const trimmed = text
    .trim()
    .replace(/[?.!]+$/, '')
    .trim();
  const lastSpace = trimmed.search(/\S+$/);
  if (lastSpace <= 0) return null;
  const word = trimmed
    .slice(lastSpace)
    .replace(/^["'‘“]+|["'’”]+$/g, '')
    .toLowerCase();
  if (!/^[\p{L}\-']+$/u.test(word)) return null;
  const head = trimmed.slice(0, lastSpace);
  const two = TWO_LETTERS.exec(head);
  if (two) return { word, letters: [two[1]!.toLowerCase(), two[2]!.toLowerCase()] };
  const singles = [...head.matchAll(ONE_LETTER)].map((m) => m[1]!.toLowerCase());
  if (singles.length !== 1) return null;
  return { word, letters: singles };
}

/** Occurrences of `letter` in `word`, case-insensitive. */
export function countLetter(word: string, letter: string): number {
  const target = letter.toLowerCase();
  let n = 0;
  for (const c of word.toLowerCase()) if (c === target) n++;
  return n;
}

/** The label of a parsed question: the summed counts of its letters. */
export function letterCountAnswer(question: LetterCountQuestion): number {
  return question.letters.reduce((sum, letter) => sum + countLetter(question.word, letter), 0);
}

/**
 * The compact worked trace of the built-in model format (letter-count-model.md "Format"), with
 * `separator` between thoughts ("" for the built-in model, "\n" for chat models):
 * `<sub-task>g+n</sub-task><thinking>navigant</thinking><thinking>g:1</thinking>
 *  <thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>`.
 * One-letter questions have no double-check.
 */
export function letterCountTrace(question: LetterCountQuestion, separator = ''): string {
  const counts = question.letters.map((letter) => countLetter(question.word, letter));
  const total = counts.reduce((a, b) => a + b, 0);
  const thoughts = [
    renderThought('sub-task', question.letters.join('+')),
    renderThought('thinking', question.word),
    ...question.letters.map((letter, i) => renderThought('thinking', `${letter}:${counts[i]}`)),
  ];
  if (counts.length > 1) thoughts.push(renderThought('double-check', `${counts.join('+')}=${total}`));
  thoughts.push(renderThought('answer', String(total)));
  return thoughts.join(separator);
}

/** Fill a phrasing template: `{a}`/`{b}` the letters, `{A}`/`{B}` the same in upper case, `{word}` the word. */
export function renderLetterCountQuestion(template: string, question: LetterCountQuestion): string {
  const [a, b = ''] = question.letters;
  return template
    .replaceAll('{a}', a!)
    .replaceAll('{b}', b)
    .replaceAll('{A}', a!.toUpperCase())
    .replaceAll('{B}', b.toUpperCase())
    .replaceAll('{word}', question.word);
}

/**
 * The word and letters of a letter-count problem: the problem's own `word` and `letters` when it
 * carries them (generated problems, and data rows with those fields), else parsed from the question
 * text (null when it does not parse). Phrasings that put the word anywhere but last only parse
 * when the problem carries its parts.
 */
export function letterCountParts(problem: { question: string; word?: unknown; letters?: unknown }): LetterCountQuestion | null {
  const { word, letters } = problem;
  if (typeof word === 'string' && Array.isArray(letters) && letters.every((l) => typeof l === 'string'))
    return { word, letters: letters as string[] };
  return parseLetterCountQuestion(problem.question);
}

/** Options of `generateLetterCountProblems`. */
export interface LetterCountGeneratorOptions {
  /** Words to draw from (drawn uniformly with replacement); must be non-empty. */
  words: readonly string[];
  /** Number of questions. */
  count: number;
  /** Seed of the `Rng`; the same options give the same questions. */
  seed: number;
  /** Share of two-letter questions in [0, 1] (default 0.7, letter-count-model.md). */
  twoLetterShare?: number;
  /**
   * How letters of the word are drawn (default 'pos'): 'pos' = proportional to occurrences
   * (a position of the word, uniformly), 'set' = uniformly among its distinct letters.
   */
  letterSampling?: 'pos' | 'set';
  /** Share of letter picks that are any letter a-z (so a count can be 0); default 0.1. */
  randomLetterShare?: number;
  /** Id prefix (default "lc"); ids are `${prefix}-${index}`. */
  idPrefix?: string;
  /**
   * Templates to draw from (default: the 5 one-letter and 7 two-letter templates above), e.g. the
   * built-in policy's training or held-out phrasings (src/train/builtin/phrasings.ts).
   */
  phrasings?: { one: readonly string[]; two: readonly string[] };
}

/** A generated problem: reference = the integer label; word, letters and phrasing kept for analysis. */
export interface GeneratedLetterCountProblem extends Problem {
  reference: number;
  word: string;
  letters: string[];
  /** Index into the two-letter or one-letter template list (TWO_LETTER_PHRASINGS / ONE_LETTER_PHRASINGS by default). */
  phrasing: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

function pickLetter(rng: Rng, word: string, sampling: 'pos' | 'set', randomShare: number, exclude: string[]): string {
  const positions = [...word].filter((c) => ALPHABET.includes(c));
  for (let attempt = 0; attempt < 100; attempt++) {
    let letter: string;
    if (positions.length === 0 || rng.float() < randomShare) letter = rng.pick([...ALPHABET]);
    else if (sampling === 'pos') letter = rng.pick(positions);
    else letter = rng.pick([...new Set(positions)]);
    if (!exclude.includes(letter)) return letter;
  }
  // A word with a single distinct letter: fall back to a letter not yet used.
  return [...ALPHABET].find((c) => !exclude.includes(c))!;
}

/**
 * Seeded generator of letter-counting problems. Each question draws its word, its kind
 * (two-letter with probability `twoLetterShare`), its phrasing (uniform) and its letters
 * (distinct within a question) from `new Rng(seed).split(index)`, so question i does not
 * depend on `count`. Words are lower-cased; letters are a-z.
 * @throws RangeError for an empty word list, a negative count or a share outside [0, 1].
 */
export function generateLetterCountProblems(options: LetterCountGeneratorOptions): GeneratedLetterCountProblem[] {
  const { words, count, seed } = options;
  const twoLetterShare = options.twoLetterShare ?? 0.7;
  const randomLetterShare = options.randomLetterShare ?? 0.1;
  const sampling = options.letterSampling ?? 'pos';
  const prefix = options.idPrefix ?? 'lc';
  if (words.length === 0) throw new RangeError('generateLetterCountProblems: words is empty');
  if (options.phrasings && ((twoLetterShare > 0 && !options.phrasings.two.length) || (twoLetterShare < 1 && !options.phrasings.one.length)))
    throw new RangeError('generateLetterCountProblems: phrasings has no template for a kind of question it must generate');
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`generateLetterCountProblems: count must be a non-negative integer (got ${count})`);
  for (const [name, share] of [
    ['twoLetterShare', twoLetterShare],
    ['randomLetterShare', randomLetterShare],
  ] as const) {
    if (!(share >= 0 && share <= 1)) throw new RangeError(`generateLetterCountProblems: ${name} must be in [0, 1] (got ${share})`);
  }
  const root = new Rng(seed);
  const out: GeneratedLetterCountProblem[] = [];
  for (let i = 0; i < count; i++) {
    const rng = root.split(i);
    const word = rng.pick(words).toLowerCase();
    const twoLetters = rng.float() < twoLetterShare;
    const phrasings = twoLetters ? (options.phrasings?.two ?? TWO_LETTER_PHRASINGS) : (options.phrasings?.one ?? ONE_LETTER_PHRASINGS);
    const phrasing = rng.int(0, phrasings.length - 1);
    const letters: string[] = [];
    for (let k = 0; k < (twoLetters ? 2 : 1); k++) letters.push(pickLetter(rng, word, sampling, randomLetterShare, letters));
    const parsed = { word, letters };
    out.push({
      id: `${prefix}-${i}`,
      question: renderLetterCountQuestion(phrasings[phrasing]!, parsed),
      reference: letterCountAnswer(parsed),
      word,
      letters,
      phrasing,
    });
  }
  return out;
}
