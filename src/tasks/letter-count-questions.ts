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

/**
 * A single letter as a token, optionally quoted, optionally with a plural `'s` / `s` ("g's", "Gs",
 * '"g"s'; a bare lower-case "gs" is not read, it could be a word).
 */
const LETTER_TOKEN = String.raw`(?:["'‘“]([A-Za-z])["'’”](?:'?s)?|([A-Za-z])(?:'s)?|([A-Z])s)`;
/** Capture groups of one LETTER_TOKEN (one per alternative; exactly one is set). */
const LETTER_TOKEN_GROUPS = 3;
/** The article "a" before a noun ("a word", "a total"), which is not the letter a. */
const ARTICLE = /(^|\s)a(?=\s+(?:word|string|term|total|number|count|single|given|sequence|name)\b)/gi;
/** "letters x", "the letter x", "the character x": the noun before a letter. */
const LETTER_NOUN = String.raw`(?:(?:[Tt]he\s+)?(?:[Ll]etters?|[Cc]haracters?)\s+)?`;
const TWO_LETTERS = new RegExp(String.raw`(?:^|\s)${LETTER_TOKEN},?\s+and\s+${LETTER_NOUN}${LETTER_TOKEN}(?=[\s,?.!]|$)`);
const ONE_LETTER = new RegExp(String.raw`(?:^|\s)${LETTER_TOKEN}(?=[\s,?.!]|$)`, 'g');

/** A word as a question writes it: letters, inner hyphens or apostrophes. */
const WORD = String.raw`[\p{L}][\p{L}\-']*[\p{L}]`;
/** Function words that follow "in" without naming the word ("in it", "in total", "in the word ..."). */
const AFTER_IN = String.raw`(?!(?:it|its|total|all|them|this|that|these|those|there|here|sum|the|a|an|each|every|which|what|your|my|our|their)\b)`;
/** "the word below", "the word given": pointers to the word, not the word. */
const NOT_DEICTIC = String.raw`(?!(?:below|above|following|given|here|there|itself|this|that|shown)\b)`;
/** Every "the word/string/term X" must name the word the cues found ("in the word banana and in the word apple"). */
const ANY_NOUN = new RegExp(String.raw`\bthe\s+(?:word|string|term)\s+${NOT_DEICTIC}(${WORD})\b`, 'giu');
/**
 * Where a question names its word: quoted; "the word/string/term W" where W ends the clause or
 * is followed by has/contains ("The word is W" too); "does W have/contain"; "W has how many"; and
 * IN_AT_END, "in W" at the end of a counting sentence (the authors' phrasings). Every one of these
 * that matches must name the same word.
 */
const WORD_CUES: readonly RegExp[] = [
  new RegExp(String.raw`["‘“](${WORD})["’”]|(?:^|\s)'(${WORD})'`, 'gu'),
  new RegExp(
    String.raw`\bthe\s+(?:word|string|term)\s+${NOT_DEICTIC}(${WORD})(?=\s*(?:[?.,!:;]|$)|\s+(?:has|have|contains?|holds?|includes?)\b)|\bword\s+is\s+${NOT_DEICTIC}(${WORD})`,
    'giu',
  ),
  new RegExp(String.raw`\bdoes\s+(?!(?:it|this|that|the)\b)(${WORD})\s+(?:have|contain|hold|include)\b`, 'giu'),
  new RegExp(String.raw`^(${WORD})\s+has\s+how\s+many\b`, 'giu'),
];
/** "... in W" at the end of a counting sentence (COUNTING_SENTENCE). */
const IN_AT_END = new RegExp(String.raw`\b(?:in|within|inside)\s+${AFTER_IN}(${WORD})[?.!]*$`, 'iu');
/**
 * A sentence that asks the count. "in X" is read only there: "Answer in English." or "Explain in
 * detail." after the question name no word of it.
 */
const COUNTING_SENTENCE = /\b(?:how|count|counts|number|total|times|often|sum|occurrences?|frequency)\b/i;
/**
 * Every "in X" of a counting sentence must name the word the cues found: "How many a are in banana
 * and how many in apple?" does not say which word is meant.
 */
const ANY_IN = new RegExp(String.raw`\b(?:in|within|inside)\s+${AFTER_IN}(${WORD})\b`, 'giu');
/** Questions about the letters NOT asked ("letters other than n", "besides a"): never read. */
const EXCLUSION = /\b(?:other\s+than|besides|except|excluding|apart\s+from|aside\s+from|not|without)\b/i;
/**
 * Labels that open a prompt ("Question: How many ...") rather than name the word, so the
 * LEADING_WORD cue never reads them.
 */
const PROMPT_LABELS = [
  'question',
  'q',
  'task',
  'problem',
  'puzzle',
  'quiz',
  'query',
  'prompt',
  'input',
  'user',
  'instruction',
  'exercise',
  'challenge',
  'note',
  'hint',
  'example',
  'request',
];
/**
 * "W: how many ...": a word before a leading colon. Weakest cue: a colon also ends a label ("Riddle:",
 * "Alice:"), so it is used only when no WORD_CUES names the word, never for a PROMPT_LABELS word, and
 * only when the rest of the question holds nothing but letters and the words of a counting
 * question (COUNTING_WORDS): "banana: how many a?" is read, "Hey: how many r does strawberry
 * have?" is not.
 */
const LEADING_WORD = new RegExp(String.raw`^(?!(?:${PROMPT_LABELS.join('|')})\s*:)(${WORD})\s*:(.*)$`, 'iu');
const COUNTING_WORDS = new Set(
  (
    'how many much often times time does do is are was were there appear appears occur occurs show shows up used found ' +
    'count counts total sum of the and or plus together combined altogether overall letter letters character characters ' +
    'in it number what whats give tell me find please answer with a an'
  ).split(' '),
);

/** A LETTER_TOKEN standing alone (not the start or end of a longer word). */
const LONE_LETTER = new RegExp(String.raw`(?<!\p{L})${LETTER_TOKEN}(?!\p{L})`, 'gu');

/** The rest of a "W: ..." question holds nothing but letters and counting words. */
function onlyCountingWords(rest: string): boolean {
  const tokens = rest.replace(LONE_LETTER, ' ').match(/\p{L}[\p{L}']*/gu) ?? [];
  return tokens.every((t) => COUNTING_WORDS.has(t.toLowerCase().replace(/'/g, '')));
}

/**
 * Parse a letter-counting question. The word is the one its phrasing marks (WORD_CUES), and every
 * such cue and every "in X" must name the same word; else the word before a leading colon
 * (LEADING_WORD) when the rest is a bare counting question. The letters are the two single letters
 * around " and ", else the only single-letter token besides the word. Returns null when the text does
 * not say clearly: no cue, cues naming different words, an exclusion ("other than"), or zero or
 * several candidate letters. A null is a question left unjudged (the process check keeps it and says
 * so); a wrong parse would judge it by another word.
 */
export function parseLetterCountQuestion(text: string): LetterCountQuestion | null {
  const trimmed = text.trim();
  const words = new Set<string>();
  let at = -1;
  let length = 0;
  for (const cue of WORD_CUES) {
    for (const m of trimmed.matchAll(cue)) {
      const found = (m[1] ?? m[2])!;
      words.add(found.toLowerCase());
      at = m.index! + m[0].indexOf(found);
      length = found.length;
    }
  }
  const counting = [...trimmed.matchAll(/[^?.!]+[?.!]*/g)].filter((m) => COUNTING_SENTENCE.test(m[0]));
  for (const sentence of counting) {
    const m = IN_AT_END.exec(sentence[0].trimEnd());
    if (!m) continue;
    words.add(m[1]!.toLowerCase());
    at = sentence.index! + m.index + m[0].indexOf(m[1]!);
    length = m[1]!.length;
  }
  const leading = words.size === 0 ? LEADING_WORD.exec(trimmed) : null;
  if (leading && onlyCountingWords(leading[2]!)) {
    words.add(leading[1]!.toLowerCase());
    at = 0;
    length = leading[1]!.length;
  }
  if (words.size !== 1 || EXCLUSION.test(trimmed)) return null;
  for (const m of trimmed.matchAll(ANY_NOUN)) if (!words.has(m[1]!.toLowerCase())) return null;
  for (const sentence of counting) for (const m of sentence[0].matchAll(ANY_IN)) if (!words.has(m[1]!.toLowerCase())) return null;
  const word = [...words][0]!;
  // Letters are read from the text without the word (a short capitalised word such as "As" would
  // read as the letter a).
  const rest = `${trimmed.slice(0, at)} ${trimmed.slice(at + length)}`.replace(/\s+/g, ' ').trim();
  // The letter of the LETTER_TOKEN whose groups start at `first`.
  const letterOf = (m: RegExpMatchArray, first: number): string =>
    m
      .slice(first, first + LETTER_TOKEN_GROUPS)
      .find((g) => g !== undefined)!
      .toLowerCase();
  const two = TWO_LETTERS.exec(rest);
  if (two) return { word, letters: [letterOf(two, 1), letterOf(two, 1 + LETTER_TOKEN_GROUPS)] };
  const singles = [...rest.replace(ARTICLE, '$1').matchAll(ONE_LETTER)].map((m) => letterOf(m, 1));
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
 * text. A parse whose count disagrees with the problem's integer reference is dropped: the text
 * was misread, and judging by a misread word would reject right paths or keep wrong ones. Null
 * when nothing trustworthy is known.
 */
export function letterCountParts(problem: {
  question: string;
  word?: unknown;
  letters?: unknown;
  reference?: unknown;
}): LetterCountQuestion | null {
  const { word, letters, reference } = problem;
  if (typeof word === 'string' && Array.isArray(letters) && letters.every((l) => typeof l === 'string'))
    return { word, letters: letters as string[] };
  const parsed = parseLetterCountQuestion(problem.question);
  if (parsed && Number.isInteger(reference) && letterCountAnswer(parsed) !== reference) return null;
  return parsed;
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
