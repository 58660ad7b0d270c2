/**
 * Linear-time scanners behind the IFEval checkers. Each reproduces what one official regex
 * (google-research `instruction_following_eval/instructions.py`) finds, without the quadratic
 * backtracking those regexes show on long runs of whitespace, `[` or `<<`.
 */
import { isPySpace, PY_SPACE, WORD_CHAR } from './text.ts';

/**
 * Case-insensitive literal occurrences (non-overlapping), like `re.findall(kw, v, re.I)`.
 * Plain lower-case search: a fresh Unicode case-insensitive RegExp per keyword costs V8
 * milliseconds to compile.
 */
export function occurrences(text: string, literal: string, wholeWord = false): number {
  const haystack = text.toLowerCase();
  const needle = literal.toLowerCase();
  if (needle === '') return 0;
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0;) {
    const before = haystack.slice(Math.max(0, at - 2), at);
    const after = haystack.slice(at + needle.length, at + needle.length + 2);
    const bounded = !wholeWord || (!endsWithWordChar(before) && !startsWithWordChar(after));
    if (bounded) n++;
    at = haystack.indexOf(needle, bounded ? at + needle.length : at + 1);
  }
  return n;
}

const WORD_START = new RegExp(`^${WORD_CHAR}`, 'u');
const WORD_END = new RegExp(`${WORD_CHAR}$`, 'u');
const startsWithWordChar = (s: string): boolean => WORD_START.test(s);
const endsWithWordChar = (s: string): boolean => WORD_END.test(s);

/**
 * Whether Python's `json.loads` accepts `text`: JSON plus the bare constants `NaN`, `Infinity`
 * and `-Infinity`, which are swapped for 0 (outside strings) before `JSON.parse`.
 */
export function parsesAsPythonJson(text: string): boolean {
  const parse = (t: string): boolean => {
    try {
      JSON.parse(t);
      return true;
    } catch {
      return false;
    }
  };
  return parse(text) || parse(text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (m) => (m.startsWith('"') ? m : '0')));
}

/** Smallest line start (0, or just after a '\n') at or after `from`; -1 when none. */
export function lineStartAtOrAfter(text: string, from: number): number {
  if (from === 0 || (from <= text.length && text[from - 1] === '\n')) return from;
  const nl = text.indexOf('\n', from);
  return nl < 0 ? -1 : nl + 1;
}

/**
 * Number of non-overlapping matches of Python's `re.findall(r"^\s*\*[^\*].*$", v, re.M)`
 * (marker '*') or `r"^\s*-.*$"` (marker '-'), in linear time: the regex engine retries
 * `^\s*` from every line start of a long whitespace run, which is quadratic.
 */
export function countBulletLines(text: string, marker: '*' | '-'): number {
  let count = 0;
  for (let start = 0; start >= 0 && start <= text.length;) {
    let j = start;
    while (j < text.length && isPySpace(text[j]!)) j++;
    // '*' must be followed by a character that is not '*' (it may be a newline).
    const matched = text[j] === marker && (marker === '-' || (j + 1 < text.length && text[j + 1] !== '*'));
    if (matched) {
      count++;
      const from = marker === '-' ? j + 1 : j + 2;
      const nl = text.indexOf('\n', from);
      start = nl < 0 ? -1 : lineStartAtOrAfter(text, nl);
    } else {
      // Every line start inside the whitespace run reaches the same j and fails the same way.
      const nl = text.indexOf('\n', j);
      start = nl < 0 ? -1 : nl + 1;
    }
  }
  return count;
}

/** `len(re.findall(r"\[.*?\]", v))` in linear time ('.' = not a newline). */
export function countPlaceholders(text: string): number {
  let count = 0;
  for (let i = text.indexOf('['); i >= 0;) {
    const close = text.indexOf(']', i + 1);
    const nl = text.indexOf('\n', i + 1);
    if (close >= 0 && (nl < 0 || close < nl)) {
      count++;
      i = text.indexOf('[', close + 1);
    } else {
      // No ']' before the end of this line: no later '[' on it can match either.
      i = nl < 0 ? -1 : text.indexOf('[', nl + 1);
    }
  }
  return count;
}

/**
 * Titles of `re.findall(r"<<[^\n]+>>", v)`, in linear time: per line, the greedy match runs from
 * the first "<<" to the last ">>" that leaves at least one character between them.
 */
export function titles(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const open = line.indexOf('<<');
    if (open < 0) continue;
    const close = line.lastIndexOf('>>');
    if (close >= open + 3) out.push(line.slice(open, close + 2));
  }
  return out;
}

/** Python `s.lstrip(left).rstrip(right)` for single characters, without regex backtracking. */
export function stripEnds(text: string, left: string, right: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === left) start++;
  while (end > start && text[end - 1] === right) end--;
  return text.slice(start, end);
}

/** `\s?\*\*\*\s?` with Python's `\s`. */
export const PARAGRAPH_DIVIDER = new RegExp(`${PY_SPACE}?\\*\\*\\*${PY_SPACE}?`);
