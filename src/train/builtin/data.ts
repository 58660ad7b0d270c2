/**
 * Training rows and evaluation questions of the built-in model (docs/letter-count-study.md,
 * "Setup" and "Recommendation"): letter-counting questions on the training words (70% two-letter with
 * the hard set's 7 phrasings, 30% one-letter; letters weighted by occurrence, "pos"; 10% any letter
 * a-z), plus a small share of one-operation arithmetic questions (the arithmetic task's generator,
 * operands 1-99, + and -) answered by column steps. The prompt is the raw question text (the
 * search config configs/letter-count-builtin.yaml has an empty instruction); the completion is the
 * compact typed-thought response of format.ts.
 */
import { Rng } from '../../core/index.ts';
import { generateArithmeticProblems, generateLetterCountProblems, type GeneratedLetterCountProblem } from '../../tasks/index.ts';
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
  /**
   * Re-asks the letter-count question of row `index` (default: its generated question in the built-in
   * phrasings); the word, letters and response stay (student-data.ts asks them in the phrasing grammar).
   */
  ask?: (problem: GeneratedLetterCountProblem, index: number) => string;
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
  const arithmeticProblems = generateArithmeticProblems({
    count: isArithmetic.filter((x) => x).length,
    seed: options.seed,
    minOperations: 1,
    maxOperations: 1,
    operators: ['+', '-'],
    maxOperand: 99,
  });
  let nextLetter = 0;
  let nextArithmetic = 0;
  return isArithmetic.map((arithmetic, index): BuiltinRow => {
    if (arithmetic) {
      const p = arithmeticProblems[nextArithmetic++]!;
      return { prompt: p.question, completion: formatArithmeticResponse(parseSingleOperation(p.expression)), kind: 'arithmetic' };
    }
    const p = letterProblems[nextLetter++]!;
    const prompt = options.ask ? options.ask(p, index) : p.question;
    return { prompt, completion: formatLetterCountResponse(p.word, p.letters), kind: 'letter-count' };
  });
}

/** "47 + 38" -> {a: 47, b: 38, op: '+'}. @throws RangeError for anything else. */
export function parseSingleOperation(expression: string): ArithmeticOperation {
  const m = /^(\d+) ([+-]) (\d+)$/.exec(expression);
  if (!m) throw new RangeError(`not a single + or - operation: "${expression}"`);
  return { a: Number(m[1]), b: Number(m[3]), op: m[2] as '+' | '-' };
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
