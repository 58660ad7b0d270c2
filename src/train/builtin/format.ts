/**
 * The built-in model's compact typed-thought responses (docs/letter-count-study.md, "Format").
 * Thoughts are rendered with core's `renderThought` and joined with no separator, as the search config
 * configs/letter-count-builtin.yaml does (separator "", empty instruction: the prompt is the raw question).
 *
 * Letter counting, "How many g and n are there in total in navigant?":
 *   <sub-task>g+n</sub-task><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:2</thinking>
 *   <double-check>1+2=3</double-check><answer>3</answer>
 * One-letter questions have no double-check (there is no addition to check).
 *
 * Arithmetic, "What is 47 + 38?" (column addition / subtraction, least significant digit first):
 *   <sub-task>47+38</sub-task><thinking>7+8=15</thinking><thinking>4+3+1=8</thinking>
 *   <double-check>85-38=47</double-check><answer>85</answer>
 */
import { defaultTagFor, renderThought } from '../../core/index.ts';
import { countLetter, letterCountTrace } from '../../tasks/index.ts';

/** Tags of the four node types the built-in model writes (docs/method.md section 1; no reflection). */
export const BUILTIN_TAGS = {
  subTask: defaultTagFor('sub_task'),
  thinking: defaultTagFor('thinking'),
  doubleCheck: defaultTagFor('double_check'),
  answer: defaultTagFor('answer'),
} as const;

/** Occurrences of `letter` in `word` (re-exported from the letter-count task). */
export { countLetter };

/**
 * The target response for "count `letters` (1 or 2 single letters, in question order) in `word`":
 * the letter-count task's compact trace (`letterCountTrace`, separator ""), so the search's gold trace
 * and the built-in model's training target cannot drift apart.
 * @throws RangeError for anything other than 1 or 2 single-character letters.
 */
export function formatLetterCountResponse(word: string, letters: readonly string[]): string {
  if (letters.length < 1 || letters.length > 2 || letters.some((l) => l.length !== 1)) {
    throw new RangeError(`formatLetterCountResponse: expected 1 or 2 single letters, got ${JSON.stringify(letters)}`);
  }
  return letterCountTrace({ word, letters: [...letters] }, '');
}

/** An arithmetic question the compact format covers: `a op b` with non-negative integers. */
export interface ArithmeticOperation {
  a: number;
  b: number;
  op: '+' | '-';
}

/** Decimal digits of n, least significant first. */
function digitsLsbFirst(n: number): number[] {
  return String(n).split('').reverse().map(Number);
}

/**
 * The target response for `a + b` or `a - b` (a >= b for subtraction): a sub-task naming the
 * operation, one thinking step per column (least significant first, carries / borrows written out),
 * a double-check by the inverse operation, and the answer.
 * @throws RangeError for negative or non-integer operands, or a - b with a < b.
 */
export function formatArithmeticResponse({ a, b, op }: ArithmeticOperation): string {
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || (op === '-' && a < b)) {
    throw new RangeError(`formatArithmeticResponse: unsupported operands ${a} ${op} ${b}`);
  }
  const da = digitsLsbFirst(a);
  const db = digitsLsbFirst(b);
  const columns = Math.max(da.length, db.length);
  const steps: string[] = [];
  let carry = 0;
  for (let i = 0; i < columns; i++) {
    const x = da[i] ?? 0;
    const y = db[i] ?? 0;
    if (op === '+') {
      const terms = [x, y, ...(carry ? [carry] : [])];
      const s = x + y + carry;
      steps.push(`${terms.join('+')}=${s}`);
      carry = s >= 10 ? 1 : 0;
    } else {
      const top = x - carry;
      const borrow = top < y ? 1 : 0;
      const head = carry ? `${x}-${carry}-${y}` : `${x}-${y}`;
      steps.push(borrow ? `1${head}=${top + 10 - y}` : `${head}=${top - y}`);
      carry = borrow;
    }
  }
  const result = op === '+' ? a + b : a - b;
  return [
    renderThought(BUILTIN_TAGS.subTask, `${a}${op}${b}`),
    ...steps.map((s) => renderThought(BUILTIN_TAGS.thinking, s)),
    renderThought(BUILTIN_TAGS.doubleCheck, op === '+' ? `${result}-${b}=${a}` : `${result}+${b}=${a}`),
    renderThought(BUILTIN_TAGS.answer, String(result)),
  ].join('');
}
