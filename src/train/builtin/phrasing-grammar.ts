/**
 * A grammar of letter-count questions for the built-in policy's training rows (issue 10 item 1).
 *
 * 48 hand-written templates taught the first policy to read its 48 sentences, not to read questions:
 * on the 12 held-out phrasings it copied the asked letters right 17% of the time and the word 10%
 * (the first policy, trained on the 48 templates alone; 150 questions). A char-level model that
 * sees a few dozen sentences learns where the letters and the word sit in each; one that sees tens
 * of thousands, built from many frames, letter forms ("x", 'x', X, the letter x, x's), word forms
 * (quoted, "the word ...") and openings and closings, has to learn what marks them instead.
 *
 * Honesty rule: the grammar never renders a held-out template (checked when the list is built), and
 * its vocabulary leaves out the content words that make the held-out sentences distinctive
 * (HELD_OUT_ONLY_WORDS), so the held-out phrasings stay new in wording as well as in order.
 */
import type { Rng } from '../../core/index.ts';
import type { Phrasing } from './phrasings.ts';
import { POLICY_FRESH_PHRASINGS, POLICY_HELD_OUT_PHRASINGS } from './phrasings.ts';
import { CHATTER_WORDS } from './chatter-words.ts';

/** Words of the held-out templates that no training template may use (compared case-insensitively). */
export const HELD_OUT_ONLY_WORDS: readonly string[] = ['instances', 'instance', 'frequency', 'within', 'written', 'spot', 'can'];
const HELD_OUT_ONLY_PATTERN = new RegExp(`\\b(${HELD_OUT_ONLY_WORDS.join('|')})\\b`, 'i');

type Slot = 'a' | 'b';
const up = (s: Slot): string => `{${s.toUpperCase()}}`;
const low = (s: Slot): string => `{${s}}`;

/** A letter named as a thing ("the letter x"), for "does R appear". */
const referential = (s: Slot): string[] => [
  low(s),
  up(s),
  `"${low(s)}"`,
  `'${low(s)}'`,
  `"${up(s)}"`,
  `the letter ${low(s)}`,
  `the letter ${up(s)}`,
  `the letter "${low(s)}"`,
  `the letter '${low(s)}'`,
  `letter ${low(s)}`,
  `the character ${low(s)}`,
  `the character "${low(s)}"`,
];

/** A letter counted as a plural noun, for "how many P". */
const plural = (s: Slot): string[] => [
  low(s),
  `${low(s)}'s`,
  `${up(s)}s`,
  `${up(s)}'s`,
  `"${low(s)}"s`,
  `'${low(s)}'s`,
  `${low(s)} letters`,
  `${up(s)} letters`,
  `letters ${low(s)}`,
  `"${low(s)}" characters`,
];

const WORD_FORMS: readonly string[] = [
  '{word}',
  '"{word}"',
  "'{word}'",
  'the word {word}',
  'the word "{word}"',
  "the word '{word}'",
  'the string {word}',
  'the string "{word}"',
  'the term {word}',
];

/** Frames with one letter: <R> referential, <P> plural, <W> the word. */
const ONE_LETTER_FRAMES: readonly string[] = [
  'How many times does <R> appear in <W>?',
  'How many times does <R> occur in <W>?',
  'How many times does <R> show up in <W>?',
  'How many times is <R> used in <W>?',
  'How many times is <R> found in <W>?',
  'How often does <R> appear in <W>?',
  'How often is <R> used in <W>?',
  'How many <P> are in <W>?',
  'How many <P> are there in <W>?',
  'How many <P> does <W> have?',
  'How many <P> does <W> contain?',
  'How many <P> appear in <W>?',
  'How many <P> in <W>?',
  'Count <R> in <W>.',
  'Count the <P> in <W>.',
  'Count all the <P> in <W>.',
  'Count how many times <R> appears in <W>.',
  'Count how often <R> occurs in <W>.',
  'What is the number of <P> in <W>?',
  'What is the count of <R> in <W>?',
  "What's the count of <R> in <W>?",
  'What is the number of times <R> appears in <W>?',
  'Tell me the number of <P> in <W>.',
  'Tell me how many <P> <W> has.',
  'Find the count of <R> in <W>.',
  'Find how many <P> are in <W>.',
  'Give the count of <R> in <W>.',
  'Determine how many times <R> occurs in <W>.',
  'In <W>, how many <P> are there?',
  'In <W>, how many times does <R> appear?',
  'In <W>, count <R>.',
  'For <W>, how many <P>?',
  'For <W>, give the count of <R>.',
  '<W>: how many <P>?',
  '<W>: count <R>.',
  'Given <W>, how many <P> are there?',
  'Given <W>, count <R>.',
  'Take <W>. How many <P> does it have?',
  'Consider <W>. How many times does <R> occur in it?',
  'Here is a word: <W>. How many <P> does it contain?',
  'Look at <W> and count <R>.',
  'Number of <P> in <W>?',
  'Count of <R> in <W>?',
  '<R> appears how many times in <W>?',
  'Does <W> contain <R>? If so, how many times?',
  'Is <R> in <W>? Say how many times.',
];

/** Frames with two letters: <R1>/<R2> referential, <P1>/<P2> plural. */
const TWO_LETTER_FRAMES: readonly string[] = [
  'How many <P1> and <P2> are in <W> in total?',
  'How many <P1> and <P2> are there in <W> altogether?',
  'How many times do <R1> and <R2> appear in <W> combined?',
  'What is the total number of <P1> and <P2> in <W>?',
  'What is the sum of the counts of <R1> and <R2> in <W>?',
  'What is the combined count of <R1> and <R2> in <W>?',
  'Count <R1> and <R2> in <W> and add them up.',
  'Count both <R1> and <R2> in <W>. Give the total.',
  'Count every occurrence of <R1> and of <R2> in <W>.',
  'In <W>, how many <P1> and <P2> are there in total?',
  'In <W>, what is the total count of <R1> and <R2>?',
  'For <W>, sum the counts of <R1> and <R2>.',
  '<W>: total count of <R1> and <R2>?',
  '<W>: how many <P1> plus <P2>?',
  'Given <W>, how many <P1> and <P2> together?',
  'Take <W>. How many <P1> and <P2> does it have in total?',
  'Together, how many <P1> and <P2> does <W> have?',
  'Tell me the total number of <P1> and <P2> in <W>.',
  'Find the sum of the counts of <R1> and <R2> in <W>.',
  'Determine the combined number of <P1> and <P2> in <W>.',
  'Sum of <R1> and <R2> counts in <W>?',
  'How many letters of <W> are <R1> or <R2>?',
  'How many <P1> plus <P2> does <W> contain?',
  'Look at <W>. How many <P1> and <P2> are there overall?',
  'Add the count of <R1> and the count of <R2> in <W>.',
  'What do the counts of <R1> and <R2> in <W> sum to?',
];

/** Openings and closings a row may add around a grammar template (policy-data.ts draws them). */
export const OPENINGS: readonly string[] = ['Question: ', 'Q: ', 'Quick question: ', 'Letter puzzle: ', 'Hi! '];
export const CLOSINGS: readonly string[] = [' Answer with a number.', ' Please answer.', ' Thanks!'];

/** Every grammar template of one frame list, before openings and closings. */
function expand(frames: readonly string[], letters: 1 | 2): string[] {
  const out: string[] = [];
  for (const frame of frames) {
    for (const word of WORD_FORMS) {
      // The same form for both letters of a pair, as people write them; the form index walks both lists.
      for (let f = 0; f < referential('a').length; f++) {
        let t = frame;
        if (letters === 1) {
          t = t.replace('<R>', referential('a')[f]!).replace('<P>', plural('a')[f % plural('a').length]!);
        } else {
          t = t
            .replace('<R1>', referential('a')[f]!)
            .replace('<R2>', referential('b')[f]!.replace(/^the (letter|character) /, ''))
            .replace('<P1>', plural('a')[f % plural('a').length]!)
            .replace('<P2>', plural('b')[f % plural('b').length]!);
        }
        t = t.replace('<W>', word);
        // A sentence that opens with "the word ..." gets its capital.
        out.push(t.replace(/^the /, 'The '));
      }
    }
  }
  return out;
}

let cache: Phrasing[] | undefined;

/**
 * The grammar's training templates (about 12,000), in a fixed order, without openings and closings.
 * @throws Error if a template, with any opening and closing, equals a held-out template, or uses a
 *   held-out-only word (a grammar edit that would leak the evaluation set into training).
 */
export function grammarPhrasings(): readonly Phrasing[] {
  if (cache) return cache;
  const heldOut = new Set([...POLICY_HELD_OUT_PHRASINGS, ...POLICY_FRESH_PHRASINGS].map((p) => p.template.toLowerCase()));
  const seen = new Set<string>();
  const out: Phrasing[] = [];
  for (const [letters, frames] of [
    [1, ONE_LETTER_FRAMES],
    [2, TWO_LETTER_FRAMES],
  ] as const) {
    for (const template of expand(frames, letters)) {
      if (seen.has(template)) continue;
      seen.add(template);
      for (const opening of ['', ...OPENINGS]) {
        for (const closing of ['', ...CLOSINGS]) {
          const decorated = `${opening}${template}${closing}`;
          if (heldOut.has(decorated.toLowerCase())) throw new Error(`phrasing grammar renders the held-out template "${decorated}"`);
          if (HELD_OUT_ONLY_PATTERN.test(decorated.replace(/\{[a-zA-Z]+\}/g, '')))
            throw new Error(`phrasing grammar uses a held-out-only word in "${decorated}"`);
        }
      }
      out.push({ letters, template });
    }
  }
  cache = out;
  return out;
}

/**
 * Other words before the question's word, for the policy's context-varied rows (policy-data.ts
 * `contextShare`). The first-stage policy copied the word wrong in 57% of held-out-phrasing questions,
 * mostly by mixing in letters of the unfamiliar word beside it ("Within \"virginium\"" spelled
 * `virinium`, "instances ... in maimed" spelled `inimed`): it had seen the word next to a few
 * prepositions only. These lists put many other words there. None is a held-out-only word (checked
 * by checkWordContextLists and a test).
 */
export const WORD_PREPOSITIONS: readonly string[] = [
  'inside',
  'throughout',
  'across',
  'of',
  'from',
  'through',
  'along',
  'among the letters of',
  'in the spelling of',
  'over',
  'amid',
  'all over',
];

/** Openings that replace a sentence-initial "In", "For" or "Given" before the word ("Regarding <W>, ..."). */
export const WORD_INTROS: readonly string[] = [
  'Inside',
  'Throughout',
  'Across',
  'Regarding',
  'About',
  'Concerning',
  'Looking at',
  'Examining',
  'Checking',
  'Scanning',
  'Reading',
  'Considering',
  'Taking',
  'With',
  'Using',
  'Of',
  'From',
  'Through',
  'Along',
  'Amid',
  'Upon',
  'Inspecting',
  'Studying',
  'Speaking of',
  'As for',
  'Focusing on',
  'On',
  'Spelling out',
];

const WORD_SLOT = String.raw`(?:the (?:word|string|term) )?["']?\{word\}`;
const INTRO_BEFORE_WORD = new RegExp(String.raw`^(?:In|For|Given) (?=${WORD_SLOT}["']?,)`);
const IN_BEFORE_WORD = new RegExp(String.raw` in (?=${WORD_SLOT})`);

/**
 * `template` (still holding its `{word}` and letter slots) with the preposition or opening before
 * the word replaced by one drawn with `rng`: "... in {word}?" becomes "... throughout {word}?", "In
 * {word}, ..." becomes "Regarding {word}, ...". A template with neither comes back unchanged.
 */
export function varyWordContext(rng: Rng, template: string): string {
  if (INTRO_BEFORE_WORD.test(template)) return template.replace(INTRO_BEFORE_WORD, `${rng.pick(WORD_INTROS)} `);
  if (IN_BEFORE_WORD.test(template)) return template.replace(IN_BEFORE_WORD, ` ${rng.pick(WORD_PREPOSITIONS)} `);
  return template;
}

/** Words that point at a word or a letter in a question ("the word X"): chatter never holds them, so it never names a second word. */
const CUE_WORDS = new Set(['word', 'words', 'string', 'strings', 'term', 'terms', 'letter', 'letters', 'character', 'characters']);

/**
 * 2-6 words of chatter for the policy's context-varied rows: everyday words (CHATTER_WORDS) with now
 * and then a dictionary word from `words`, never `target` or a held-out-only word. The held-out
 * phrasings fail where an unfamiliar everyday word stands near the word ("Within", "instances",
 * "frequency"); chatter puts thousands of everyday words there, so the copy learns to skip them.
 */
export function chatter(rng: Rng, words: readonly string[], target: string): string {
  const picked: string[] = [];
  const n = rng.int(2, 6);
  while (picked.length < n) {
    const w = rng.float() < 0.15 ? rng.pick(words) : rng.pick(CHATTER_WORDS);
    if (w !== target && !HELD_OUT_ONLY_WORDS.includes(w) && !CUE_WORDS.has(w)) picked.push(w);
  }
  return picked.join(' ');
}

const PREPOSITION_BEFORE_WORD = new RegExp(String.raw` (?=(?:in|${WORD_PREPOSITIONS.join('|')}) ${WORD_SLOT})`);

/**
 * `template` (still holding its slots) with chatter: a sentence before or after the question, or (for
 * a template with a preposition before the word) an aside just before that preposition ("How many {a} are there, so
 * then we, in {word}?"). Working on the template keeps the aside out of the word's own slot ("the
 * word {word}") and the letter slots.
 */
export function addChatter(rng: Rng, template: string, words: readonly string[], target: string): string {
  const text = chatter(rng, words, target);
  const where = rng.float();
  if (where < 0.3 && PREPOSITION_BEFORE_WORD.test(template)) return template.replace(PREPOSITION_BEFORE_WORD, `, ${text}, `);
  const sentence = `${text[0]!.toUpperCase()}${text.slice(1)}`;
  return where < 0.65
    ? `${sentence}${rng.pick(['.', '!', '...', ';', ' -', ':'])} ${template}`
    : `${template} ${sentence}${rng.pick(['.', '!', '...'])}`;
}

/**
 * `template` with its word's context varied as the policy's second-stage rows are: with probability
 * `share` another preposition or opening before the word (varyWordContext), with probability
 * `share / 2` chatter around the question (addChatter). Draws from `rng` in a fixed order, so a row
 * or question that uses its own stream stays reproducible by seed.
 */
export function varyQuestionContext(rng: Rng, template: string, share: number, words: readonly string[], target: string): string {
  let varied = template;
  if (rng.float() < share) varied = varyWordContext(rng, varied);
  if (rng.float() < share / 2) varied = addChatter(rng, varied, words, target);
  return varied;
}

/**
 * Check word-context entries (default: WORD_PREPOSITIONS and WORD_INTROS) for held-out-only words,
 * which would leak the held-out phrasings' wording into training.
 * @throws Error naming the first entry that holds one.
 */
export function checkWordContextLists(entries: readonly string[] = [...WORD_PREPOSITIONS, ...WORD_INTROS]): void {
  for (const entry of entries)
    if (HELD_OUT_ONLY_PATTERN.test(entry)) throw new Error(`phrasing grammar: the word-context entry "${entry}" uses a held-out-only word`);
}
