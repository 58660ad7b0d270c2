/**
 * Training rows and evaluation questions of the built-in model (../shared/notes/letter-count-model.md,
 * "Setup" and "Recommendation"): letter-counting questions on the training words (70% two-letter with
 * the hard set's 7 phrasings, 30% one-letter; letters weighted by occurrence, "pos"; 10% any letter
 * a-z), plus a small share of column-arithmetic questions. The prompt is the raw question text (the
 * search config configs/letter-count-builtin.yaml has an empty instruction); the completion is the
 * compact typed-thought response of format.ts.
 */
import { Rng } from '../../core/index.ts';
import { generateLetterCountProblems, type GeneratedLetterCountProblem } from '../../tasks/index.ts';
import { formatArithmeticResponse, formatLetterCountResponse, type ArithmeticOperation } from './format.ts';
import { builtinWordSplit } from './words.ts';

/** One SFT row: the trainer's input shape. */
export interface BuiltinRow {
  prompt: string;
  completion: string;
  kind: 'letter-count' | 'arithmetic';
}

export interface BuiltinRowOptions {
  /** Rows to build. */
  count: number;
  /** Seed; the same options give the same rows. */
  seed: number;
  /** Share of arithmetic rows in [0, 1]; default 0.05. */
  arithmeticShare?: number;
}

/** Phrasings of arithmetic questions; `{a}`, `{op}`, `{b}`. */
export const ARITHMETIC_PHRASINGS: readonly string[] = ['What is {a} {op} {b}?', 'Calculate {a} {op} {b}.', 'Compute {a} {op} {b}.'];

/** A random `a + b` or `a - b` (a >= b) with operands of 1-3 digits, and its question text. */
export function randomArithmetic(rng: Rng): { question: string; operation: ArithmeticOperation } {
  const digits = (): number => {
    const d = rng.int(1, 3);
    return rng.int(d === 1 ? 0 : 10 ** (d - 1), 10 ** d - 1);
  };
  let a = digits();
  let b = digits();
  const op = rng.float() < 0.5 ? '+' : '-';
  if (op === '-' && a < b) [a, b] = [b, a];
  const question = rng.pick(ARITHMETIC_PHRASINGS).replace('{a}', String(a)).replace('{op}', op).replace('{b}', String(b));
  return { question, operation: { a, b, op } };
}

/**
 * SFT rows for the built-in model, from the TRAINING words only (builtinWordSplit().train).
 * Row i depends only on (seed, i), as generateLetterCountProblems does per question.
 */
export function buildBuiltinRows(options: BuiltinRowOptions): BuiltinRow[] {
  const arithmeticShare = options.arithmeticShare ?? 0.05;
  const root = new Rng(options.seed);
  const isArithmetic = Array.from({ length: options.count }, (_, i) => root.split(`kind:${i}`).float() < arithmeticShare);
  const letterProblems = generateLetterCountProblems({
    words: builtinWordSplit().train,
    count: isArithmetic.filter((x) => !x).length,
    seed: options.seed,
    twoLetterShare: 0.7,
    letterSampling: 'pos',
    randomLetterShare: 0.1,
  });
  let next = 0;
  return isArithmetic.map((arithmetic, i): BuiltinRow => {
    if (arithmetic) {
      const { question, operation } = randomArithmetic(root.split(`arithmetic:${i}`));
      return { prompt: question, completion: formatArithmeticResponse(operation), kind: 'arithmetic' };
    }
    const p = letterProblems[next++]!;
    return { prompt: p.question, completion: formatLetterCountResponse(p.word, p.letters), kind: 'letter-count' };
  });
}

/**
 * Held-out evaluation questions: `count` questions on held-out words (never trained on), letters drawn
 * uniformly from the word's distinct letters and never at random (the notes' test-two / test-one sets).
 */
export function heldOutQuestions(letters: 1 | 2, count: number, seed: number): GeneratedLetterCountProblem[] {
  return generateLetterCountProblems({
    words: builtinWordSplit().heldOut,
    count,
    seed,
    twoLetterShare: letters === 2 ? 1 : 0,
    letterSampling: 'set',
    randomLetterShare: 0,
    idPrefix: letters === 2 ? 'heldout-two' : 'heldout-one',
  });
}
