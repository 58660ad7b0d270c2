/**
 * Training rows and evaluation questions of the built-in **policy** model (issue 10 item 1):
 * letter-count questions on the training words, in the 48 hand-written training phrasings (phrasings.ts)
 * and the phrasing grammar (phrasing-grammar.ts), answered
 * in the compact or the marked-spelling format (policy-format.ts); a share of rows holds a wrong first attempt, the
 * reflection and a corrected re-think. Held-out words and the 12 held-out phrasings never appear.
 */
import { Rng } from '../../core/index.ts';
import { countLetter } from './format.ts';
import { POLICY_FRESH_PHRASINGS, POLICY_HELD_OUT_PHRASINGS, POLICY_TRAIN_PHRASINGS, renderPhrasing, type Phrasing } from './phrasings.ts';
import { CLOSINGS, grammarPhrasings, OPENINGS, varyQuestionContext, checkWordContextLists } from './phrasing-grammar.ts';
import { correctAttempt, formatPolicyResponse, POLICY_FORMATS, type PolicyAttempt, type PolicyFormat } from './policy-format.ts';
import { builtinWordSplit } from './words.ts';

const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz'];

/** Default share of the policy's training questions asked in a grammar phrasing (the rest: the 48 hand-written ones). */
export const POLICY_GRAMMAR_SHARE = 0.6;

/**
 * A grammar question as the policy's training rows ask it: with an opening ("Question: ") 25% of
 * the time and a closing (" Thanks!") 20% of the time, drawn from `rng` in that order.
 */
export function decorateGrammarQuestion(rng: Rng, question: string): string {
  let out = question;
  if (rng.float() < 0.25) out = rng.pick(OPENINGS) + out;
  if (rng.float() < 0.2) out += rng.pick(CLOSINGS);
  return out;
}

export interface PolicyRow {
  prompt: string;
  completion: string;
  kind: 'letter-count' | 'letter-count-reflection';
  /** The asked word and letters, so other traces can answer the same question (the student's rows). */
  word: string;
  letters: string[];
}

export interface PolicyRowOptions {
  count: number;
  seed: number;
  /** Share of rows with a wrong first attempt, a reflection and a corrected re-think (default 0.25). */
  reflectionShare?: number;
  /** Share of two-letter questions (default 0.6). */
  twoLetterShare?: number;
  /** Share of letter picks that are any letter a-z, so counts of 0 occur (default 0.15). */
  randomLetterShare?: number;
  /**
   * Share of rows asked in a phrasing of the grammar (phrasing-grammar.ts, about 7,000 templates)
   * instead of one of the 48 hand-written ones (default POLICY_GRAMMAR_SHARE). Grammar rows are
   * decorated by decorateGrammarQuestion.
   */
  grammarShare?: number;
  /** How the word is spelled (policy-format.ts; default 'marked', the first shipped policy's format). */
  format?: PolicyFormat;
  /**
   * Share of grammar rows whose word gets another preposition or opening before it
   * (varyWordContext); half as many grammar rows also get chatter, everyday words before, after or
   * inside the question (addChatter). Default 0: the rows of the first training stage, unchanged.
   * Its draws come from a stream of their own, so the other parts of each row stay as without it.
   */
  contextShare?: number;
}

/** How a wrong first attempt went wrong (each is a mistake a re-spelling and recount catches). */
export type SlipKind = 'missed-occurrence' | 'count-slip' | 'sum-slip';

/**
 * A wrong attempt for `letters` in `word`, drawn with `rng`: a missed occurrence of an asked letter
 * in the spelling (marked: its mark is left out; compact: the letter is left out of the spelled
 * word; the counts follow the spelling, so the attempt is wrong but self-consistent), a count step
 * off by one (spelling right), or, for two letters, a double-check sum off by one. Its total always
 * differs from the right one.
 */
export function wrongAttempt(
  rng: Rng,
  word: string,
  letters: readonly string[],
  format: PolicyFormat,
): { attempt: PolicyAttempt; slip: SlipKind } {
  const right = correctAttempt(word, letters, format);
  const present = letters.filter((l) => countLetter(word, l) > 0);
  const kinds: SlipKind[] = [
    'count-slip',
    ...(present.length ? (['missed-occurrence', 'missed-occurrence'] as const) : []),
    ...(letters.length === 2 ? (['sum-slip'] as const) : []),
  ];
  const slip = rng.pick(kinds);
  if (slip === 'missed-occurrence') {
    const letter = rng.pick(present);
    const skip = rng.int(1, countLetter(word, letter));
    let seen = 0;
    const marks = new Map<string, number>();
    let spelling = '';
    for (const c of word) {
      const missed = c === letter && ++seen === skip;
      // marked: the letter stays, its mark is left out; compact: the letter itself is left out.
      if (!missed || format === 'marked') spelling += c;
      if (!letters.includes(c) || missed) continue;
      const n = (marks.get(c) ?? 0) + 1;
      marks.set(c, n);
      if (format === 'marked') spelling += String(n);
    }
    const counts = letters.map((l) => marks.get(l) ?? 0);
    return { attempt: { spelling, counts, total: counts.reduce((a, b) => a + b, 0) }, slip };
  }
  if (slip === 'count-slip') {
    const i = rng.int(0, letters.length - 1);
    const counts = [...right.counts];
    counts[i] = counts[i]! === 0 || rng.float() < 0.5 ? counts[i]! + 1 : counts[i]! - 1;
    return { attempt: { spelling: right.spelling, counts, total: counts.reduce((a, b) => a + b, 0) }, slip };
  }
  const total = right.total === 0 || rng.float() < 0.5 ? right.total + 1 : right.total - 1;
  return { attempt: { ...right, total }, slip };
}

/** Draw `k` distinct letters for `word`: by occurrence ("pos"), or any a-z with `randomShare`. */
function drawLetters(rng: Rng, word: string, k: number, randomShare: number, sampling: 'pos' | 'set'): string[] {
  const letters: string[] = [];
  const pool = sampling === 'pos' ? [...word] : [...new Set(word)];
  while (letters.length < k) {
    const candidate = rng.float() < randomShare ? rng.pick(ALPHABET) : rng.pick(pool);
    if (!letters.includes(candidate)) letters.push(candidate);
    else if (new Set(word).size <= letters.length) letters.push(ALPHABET.find((c) => !letters.includes(c))!);
  }
  return letters;
}

/**
 * Policy SFT rows from the training words and training phrasings. Row i depends only on (seed, i).
 * @throws RangeError for a share outside [0, 1] or a negative count.
 */
export function buildPolicyRows(options: PolicyRowOptions): PolicyRow[] {
  const reflectionShare = options.reflectionShare ?? 0.25;
  const twoLetterShare = options.twoLetterShare ?? 0.6;
  const randomShare = options.randomLetterShare ?? 0.15;
  const grammarShare = options.grammarShare ?? POLICY_GRAMMAR_SHARE;
  const contextShare = options.contextShare ?? 0;
  const format = options.format ?? 'marked';
  if (!POLICY_FORMATS.includes(format))
    throw new RangeError(`buildPolicyRows: format must be ${POLICY_FORMATS.join(' or ')} (got ${format})`);
  for (const [name, v] of Object.entries({ reflectionShare, twoLetterShare, randomShare, grammarShare, contextShare })) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`buildPolicyRows: ${name} must be in [0, 1] (got ${v})`);
  }
  if (!Number.isInteger(options.count) || options.count < 0)
    throw new RangeError(`buildPolicyRows: count must be a non-negative integer (got ${options.count})`);
  const words = builtinWordSplit().train;
  const byLetters = (pool: readonly Phrasing[]) => [pool.filter((p) => p.letters === 1), pool.filter((p) => p.letters === 2)] as const;
  const hand = byLetters(POLICY_TRAIN_PHRASINGS);
  const grammar = byLetters(grammarPhrasings());
  if (contextShare > 0) checkWordContextLists();
  const root = new Rng(options.seed);
  return Array.from({ length: options.count }, (_, i): PolicyRow => {
    const rng = root.split(`policy:${i}`);
    const word = rng.pick(words);
    const fromGrammar = rng.float() < grammarShare;
    const phrasing = rng.pick((fromGrammar ? grammar : hand)[rng.float() < twoLetterShare ? 1 : 0]);
    const letters = drawLetters(rng, word, phrasing.letters, randomShare, 'pos');
    const reflect = rng.float() < reflectionShare;
    const wrong = reflect ? wrongAttempt(rng, word, letters, format).attempt : undefined;
    const context = fromGrammar && contextShare > 0 ? root.split(`policy-context:${i}`) : undefined;
    const template = context ? varyQuestionContext(context, phrasing.template, contextShare, words, word) : phrasing.template;
    const rendered = renderPhrasing({ ...phrasing, template }, letters, word);
    const prompt = fromGrammar ? decorateGrammarQuestion(rng, rendered) : rendered;
    return {
      prompt,
      completion: formatPolicyResponse(word, letters, wrong, format),
      kind: reflect ? 'letter-count-reflection' : 'letter-count',
      word,
      letters,
    };
  });
}

/** An evaluation question with its parts, so nothing has to be parsed back from the text. */
export interface PolicyEvalQuestion {
  id: string;
  question: string;
  word: string;
  letters: string[];
  answer: number;
  phrasing: string;
}

/**
 * Evaluation questions on the HELD-OUT words: `phrasings` 'train' (word generalisation) or
 * 'held-out' (phrasing generalisation: templates no training row used) or 'fresh' (8 more such
 * templates, written after the context-varied rows were designed on the 12 held-out ones). Letters
 * uniform over the word's distinct letters, plus `zeroShare` of questions whose letters are absent
 * from the word.
 */
export function policyEvalQuestions(options: {
  phrasings: 'train' | 'held-out' | 'fresh';
  count: number;
  seed: number;
  zeroShare?: number;
  letters?: 1 | 2;
}): PolicyEvalQuestion[] {
  const templates = { train: POLICY_TRAIN_PHRASINGS, 'held-out': POLICY_HELD_OUT_PHRASINGS, fresh: POLICY_FRESH_PHRASINGS }[
    options.phrasings
  ];
  const pool: readonly Phrasing[] = templates.filter((p) => options.letters === undefined || p.letters === options.letters);
  const words = builtinWordSplit().heldOut;
  const root = new Rng(options.seed);
  return Array.from({ length: options.count }, (_, i) => {
    const rng = root.split(`eval:${i}`);
    const word = rng.pick(words);
    const phrasing = rng.pick(pool);
    const zero = rng.float() < (options.zeroShare ?? 0);
    const absent = ALPHABET.filter((c) => !word.includes(c));
    const letters =
      zero && absent.length >= phrasing.letters
        ? rng.shuffle(absent).slice(0, phrasing.letters)
        : drawLetters(rng, word, phrasing.letters, 0, 'set');
    return {
      id: `${options.phrasings}-${i}`,
      question: renderPhrasing(phrasing, letters, word),
      word,
      letters,
      answer: letters.reduce((s, l) => s + countLetter(word, l), 0),
      phrasing: phrasing.template,
    };
  });
}

/**
 * The policy's greedy evaluation sets, `count` questions each, on fixed seeds: what `train:builtin`'s
 * final evaluation (policy.eval.json) and scripts/eval-policy-sets.ts ask, so their numbers pair up.
 */
export function policyEvaluationSets(count: number): Record<'heldOutWords' | 'heldOutPhrasings' | 'freshPhrasings', PolicyEvalQuestion[]> {
  return {
    heldOutWords: policyEvalQuestions({ phrasings: 'train', count, seed: 20261206, zeroShare: 0.1 }),
    heldOutPhrasings: policyEvalQuestions({ phrasings: 'held-out', count, seed: 20261207, zeroShare: 0.1 }),
    freshPhrasings: policyEvalQuestions({ phrasings: 'fresh', count, seed: 20261209, zeroShare: 0.1 }),
  };
}

/**
 * Measured mean of BOS + prompt + response + EOS over buildPolicyRows({count: 20000, seed: 1, format})
 * (max 258 tokens marked, 250 compact, with the phrasing grammar). Like train-builtin's constant for
 * the student, it only sizes the row set to about one epoch of the budget; it stays a constant
 * because the row count seeds the data.
 */
export const POLICY_MEAN_ROW_TOKENS: Readonly<Record<PolicyFormat, number>> = { marked: 111.8, compact: 109.4 };
