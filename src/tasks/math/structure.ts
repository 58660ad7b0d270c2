/**
 * Split a normalised answer (normalize.ts) into its structure: unordered solution lists, sets,
 * tuples/intervals (bracket kinds kept, so `[1,2)` differs from `(1,2)`), unions, matrices,
 * equations/assignments, `\pm` pairs, multiple-choice letters and word answers. Leaves are
 * scalar LaTeX strings compared by scalar.ts.
 */
import { choiceLetter, isWordAnswer } from './normalize.ts';

export type AnswerNode =
  | { kind: 'scalar'; text: string }
  | { kind: 'word'; text: string }
  | { kind: 'choice'; letter: string }
  /** Bare comma list or `\pm` expansion: order does not matter. */
  | { kind: 'list'; items: AnswerNode[] }
  /** `\{a, b\}`: order does not matter. */
  | { kind: 'set'; items: AnswerNode[] }
  /** `(a, b)`, `[a, b)`, ...: ordered, bracket kinds must match. */
  | { kind: 'bracket'; open: string; close: string; items: AnswerNode[] }
  | { kind: 'union'; items: AnswerNode[] }
  | { kind: 'matrix'; rows: AnswerNode[][] }
  | { kind: 'equation'; lhs: string; rhs: AnswerNode };

/** Deepest nesting we parse into structure; deeper input stays one scalar. */
const MAX_DEPTH = 8;

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** Split `s` at `separator` where bracket depth is 0 (brackets of any kind count, `\{` too). */
export function splitTopLevel(s: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (OPEN.has(c)) depth++;
    else if (CLOSE.has(c)) depth--;
    else if (depth === 0 && s.startsWith(separator, i)) {
      // do not split `\cup` inside a longer command, or `=` inside `\leq`-like text
      parts.push(s.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

/** Index of the bracket closing the one at `open`, or -1. */
function matchingClose(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (OPEN.has(s[i]!)) depth++;
    else if (CLOSE.has(s[i]!) && --depth === 0) return i;
  }
  return -1;
}

function parseMatrix(s: string, depth: number): AnswerNode | null {
  const m = /^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?([\s\S]*)\\end\{\1\}$/.exec(s);
  if (!m) return null;
  const rows = m[2]!
    .split('\\\\')
    .map((row) => row.trim())
    .filter((row) => row !== '')
    .map((row) => row.split('&').map((cell) => parseAnswer(cell.trim(), depth + 1)));
  return { kind: 'matrix', rows };
}

/** Expand `a \pm b` into the list [a + b, a - b]; null when there is no top-level `\pm`/`\mp`. */
function expandPlusMinus(s: string): AnswerNode | null {
  for (const op of ['\\pm', '\\mp']) {
    const parts = splitTopLevel(s, op);
    if (parts.length !== 2) continue;
    const [a, b] = parts as [string, string];
    const prefix = a === '' ? '' : `${a}`;
    return {
      kind: 'list',
      items: [
        { kind: 'scalar', text: `${prefix}+(${b})` },
        { kind: 'scalar', text: `${prefix}-(${b})` },
      ],
    };
  }
  return null;
}

function flattenList(items: AnswerNode[]): AnswerNode[] {
  return items.flatMap((item) => (item.kind === 'list' ? item.items : [item]));
}

/** Parse a normalised answer into an `AnswerNode` tree. Never throws. */
export function parseAnswer(s: string, depth = 0): AnswerNode {
  s = s.trim();
  if (depth > MAX_DEPTH) return { kind: 'scalar', text: s };
  const letter = choiceLetter(s);
  if (letter) return { kind: 'choice', letter };
  if (isWordAnswer(s)) return { kind: 'word', text: s };
  const matrix = parseMatrix(s, depth);
  if (matrix) return matrix;

  const unionParts = splitTopLevel(s, '\\cup');
  if (unionParts.length > 1) return { kind: 'union', items: unionParts.map((p) => parseAnswer(p, depth + 1)) };

  if (s.startsWith('\\{') && s.endsWith('\\}') && matchingClose(s, 1) === s.length - 1) {
    const inner = s.slice(2, -2);
    return { kind: 'set', items: flattenList(splitTopLevel(inner, ',').filter((p) => p !== '').map((p) => parseAnswer(p, depth + 1))) };
  }
  if ((s[0] === '(' || s[0] === '[') && (s.endsWith(')') || s.endsWith(']')) && matchingClose(s, 0) === s.length - 1) {
    const inner = s.slice(1, -1);
    const parts = splitTopLevel(inner, ',');
    if (parts.length === 1) return parseAnswer(inner, depth + 1);
    return { kind: 'bracket', open: s[0]!, close: s[s.length - 1]!, items: parts.map((p) => parseAnswer(p, depth + 1)) };
  }
  const commaParts = splitTopLevel(s, ',').flatMap((p) => splitTopLevel(p, ';'));
  if (commaParts.length > 1) {
    return { kind: 'list', items: flattenList(commaParts.filter((p) => p !== '').map((p) => parseAnswer(p, depth + 1))) };
  }
  const equalParts = splitTopLevel(s, '=');
  if (equalParts.length === 2 && equalParts[0] !== '' && equalParts[1] !== '') {
    return { kind: 'equation', lhs: equalParts[0]!, rhs: parseAnswer(equalParts[1]!, depth + 1) };
  }
  return expandPlusMinus(s) ?? { kind: 'scalar', text: s };
}
