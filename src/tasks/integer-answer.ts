/**
 * Final-integer extraction shared by the tasks whose answer is one integer (`letter-count`,
 * `arithmetic`). Accepted forms, and the LAST one in the output wins:
 *   - `<answer>3</answer>` (the built-in model's compact format; an unclosed `<answer>3` at
 *     the very end also counts, since generation may stop at the closing tag);
 *   - `<answer>The answer is: \boxed{3}</answer>` (the authors' format; inside an answer tag a
 *     `\boxed{}` or "answer is" wins, else the last number in the tag);
 *   - `\boxed{3}` (also `boxed{3}`, which the authors' prompt literally asks for, and `\fbox{3}`);
 *   - "The answer is 3", "the answer is: **3**", "Answer: 3".
 * Numbers may carry a sign, thousands separators (`1,234`), an integral decimal part (`3.0` = 3)
 * and an exponent, read whole (`1e2` = 100, never 1; see decimal.ts); number words zero..twenty
 * are read too ("The answer is three").
 */
import { DataError } from '../core/errors.ts';
import { answerTags } from './answer-tags.ts';
import { findBoxes } from './boxed.ts';
import { canonicalDecimal, EXPONENT_SOURCE } from './decimal.ts';
import { readAnswerNumber } from './answer-number.ts';
import type { FieldContext } from './load-problems.ts';
import type { Verdict } from './types.ts';

/** Written number words accepted after "answer is" (0-20). */
const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
};

/** A signed number with optional thousands separators, decimals and exponent, or a number word. */
const NUMBER_SOURCE = String.raw`[-−]?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?${EXPONENT_SOURCE}?|\b(?:${Object.keys(NUMBER_WORDS).join('|')})\b`;
const NUMBER = new RegExp(NUMBER_SOURCE, 'gi');

/**
 * Normalise one number token (a number word, or digits as `canonicalDecimal` reads them) to its
 * canonical text: an integer string ("-12", "100" for "1e2"), or the canonical decimal ("2.5"
 * for "2.50") when it is not integral. Null for anything else.
 */
export function normalizeNumberToken(token: string): string | null {
  const word = NUMBER_WORDS[token.trim().toLowerCase()];
  if (word !== undefined) return String(word);
  return canonicalDecimal(token);
}

/** The last number in `text` (normalised), or null. */
function lastNumber(text: string): string | null {
  let last: string | null = null;
  for (const match of text.matchAll(NUMBER)) last = normalizeNumberToken(match[0]) ?? last;
  return last;
}

/**
 * The answer at the start of `text` read with what follows it (answer-number.ts): the value of
 * `3 + 1 = 4` is 4, a range `3-4` is its text (never an integer). Null when no digits start it.
 */
function answerAt(text: string): string | null {
  const answer = readAnswerNumber(text);
  return answer === null ? null : (answer.value ?? answer.text);
}

/** Characters after a marker handed to the answer reader: bounded so many markers stay linear. */
const ANSWER_WINDOW = 512;

/** The first number in `text` (normalised), or null. */
function firstNumber(text: string): string | null {
  for (const match of text.matchAll(NUMBER)) {
    const value = normalizeNumberToken(match[0]);
    if (value !== null) return value;
  }
  return null;
}

// No two adjacent quantifiers may match the same characters (e.g. `\s*` then `(\s)*`): that
// backtracks quadratically on "answer is" followed by a long run of spaces.
const ANSWER_IS = new RegExp(String.raw`\banswer\s*(?:is(?:\s*[:=])?|[:=])(?:\*\*|\$|\\\(|\s)*(${NUMBER_SOURCE})`, 'gi');

/** Candidate answers found in free text, each with the offset where it ends. */
function freeTextCandidates(text: string): { value: string; end: number }[] {
  // Callers keep only the candidate that ends last, so each kind is read from the end and stops at
  // its first value: one answer read per kind, however many boxes or phrases the text holds.
  const out: { value: string; end: number }[] = [];
  const boxes = findBoxes(text, { withoutBackslash: true });
  for (let i = boxes.length - 1; i >= 0; i--) {
    const box = boxes[i]!;
    const value = answerAt(box.content) ?? firstNumber(box.content);
    if (value !== null) {
      out.push({ value, end: box.end });
      break;
    }
  }
  const phrases = [...text.matchAll(ANSWER_IS)];
  for (let i = phrases.length - 1; i >= 0; i--) {
    const match = phrases[i]!;
    const start = match.index + match[0].length - match[1]!.length;
    const value = answerAt(text.slice(start, start + ANSWER_WINDOW)) ?? normalizeNumberToken(match[1]!);
    if (value !== null) {
      out.push({ value, end: match.index + match[0].length });
      break;
    }
  }
  return out;
}

/** Read the answer inside an `<answer>` tag: a `\boxed{}` or "answer is" first, else its last number. */
function answerTagValue(content: string): string | null {
  const inner = freeTextCandidates(content);
  if (inner.length > 0) return inner.reduce((a, b) => (b.end >= a.end ? b : a)).value;
  return lastNumber(content);
}

/**
 * Extract the final integer-like answer of a model output (see the file comment for the
 * accepted forms). Returns the normalised number text ("3", "-12", or "2.5" for a
 * non-integral number, which the caller judges wrong), or null when nothing is extractable.
 */
export function extractFinalNumber(output: string): string | null {
  const candidates: { value: string; end: number }[] = [];
  // Answer-tag regions are blanked out (same length) so free-text offsets stay comparable.
  const parts: string[] = [];
  let cursor = 0;
  for (const tag of answerTags(output)) {
    const value = answerTagValue(tag.content);
    if (value !== null) candidates.push({ value, end: tag.end });
    parts.push(output.slice(cursor, tag.start), ' '.repeat(tag.end - tag.start));
    cursor = tag.end;
  }
  parts.push(output.slice(cursor));
  const masked = parts.join('');
  candidates.push(...freeTextCandidates(masked));
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (b.end >= a.end ? b : a)).value;
}

/** True when `value` is an integer string as produced by `extractFinalNumber`. */
export function isIntegerText(value: string): boolean {
  return /^-?\d+$/.test(value);
}

/**
 * Turn a raw answer field (number or numeric string) into an integer reference.
 * @throws DataError naming file, line and field when it is not an integer.
 */
export function integerReference(value: unknown, context: FieldContext): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new DataError(
      { file: context.file, line: context.line, field: context.field },
      `expected an integer answer, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/**
 * Judge an integer answer: `no_answer` when nothing is extractable, `correct` when the
 * extracted integer equals `reference`, else `wrong` (a non-integral number is wrong).
 */
export function verifyInteger(output: string, reference: number, details?: unknown): Verdict {
  const extracted = extractFinalNumber(output);
  const ref = String(reference);
  if (extracted === null)
    return {
      verdict: 'no_answer',
      extracted: null,
      reference: ref,
      reason: 'no final answer found (<answer>, \\boxed{} or "the answer is")',
      details,
      rule: 'no-answer',
    };
  if (!isIntegerText(extracted))
    return {
      verdict: 'wrong',
      extracted,
      reference: ref,
      reason: `answer ${extracted} is not an integer`,
      details,
      rule: 'not an integer',
    };
  if (extracted === ref)
    return { verdict: 'correct', extracted, reference: ref, reason: `answer ${extracted} equals the reference`, details, rule: 'integer' };
  return {
    verdict: 'wrong',
    extracted,
    reference: ref,
    reason: `answer ${extracted} differs from the reference ${ref}`,
    details,
    rule: 'integer',
  };
}
