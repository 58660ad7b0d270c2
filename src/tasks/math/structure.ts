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

/**
 * A left side that only names the answer: one variable (`x`, `a_1`, `\\theta`), a function value
 * (`f(x)`, `W(n)`), an upper-case segment or point name (`AB`, `\\frac{NO}{BO}`), a ratio of names
 * (`V_1:V_2`) or a tuple of them (`(x, y)`, `(p,q,r)`). `xy` or `2x` are not labels: `xy = 5` is
 * a curve, not the value 5.
 */
export function isLabel(text: string): boolean {
  const s = text.replace(/\s+/g, '');
  if (s === '' || s.length > 40) return false;
  const name = String.raw`(?:[A-Za-z]|\\(?:alpha|beta|gamma|delta|theta|lambda|mu|phi|omega))(?:_\{?\w+\}?)?(?:'+)?`;
  const points = String.raw`[A-Z]{2,4}(?:_\{?\w+\}?)?`;
  const atom = String.raw`(?:${points}|${name}(?:\(${name}(?:,${name})*\))?|\\frac\{${points}\}\{${points}\}|\\angle${points})`;
  const item = String.raw`${atom}(?::${atom})*`;
  return new RegExp(String.raw`^(?:${item}|\|${points}\||\(${item}(?:,${item})+\))$`).test(s);
}

const RELATION = /^(?:\\leq|\\geq|\\neq|<|>)/;

/** Split at top-level relation signs: [side, op, side, op, side, ...]. */
function splitRelations(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (OPEN.has(c)) depth++;
    else if (CLOSE.has(c)) depth--;
    else if (depth === 0) {
      const m = RELATION.exec(s.slice(i, i + 5));
      if (m) {
        parts.push(s.slice(start, i).trim(), m[0]);
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(s.slice(start).trim());
  return parts;
}

/** Interval node with the given bounds (`-\\infty`/`\\infty` open). */
function interval(lo: string, loClosed: boolean, hi: string, hiClosed: boolean, depth: number): AnswerNode {
  return {
    kind: 'bracket',
    open: loClosed ? '[' : '(',
    close: hiClosed ? ']' : ')',
    items: [parseAnswer(lo, depth + 1), parseAnswer(hi, depth + 1)],
  };
}

/**
 * An inequality in one named quantity as the set it describes, so it compares with intervals and
 * with other spellings by value: `x \\geq 5` = `[5, \\infty)`, `-2 \\leq x < 7` = `[-2, 7)`,
 * `x \\neq 3` = `(-\\infty, 3) \\cup (3, \\infty)`, `-x > -1` = `x < 1`. Null for anything else.
 */
function parseInequality(s: string, depth: number): AnswerNode | null {
  const parts = splitRelations(s);
  if (parts.length === 3) {
    let [left, op, right] = parts as [string, string, string];
    if (op === '\\neq') {
      const [name, bound] = isLabel(left) ? [left, right] : [right, left];
      if (!isLabel(name) || isLabel(bound)) return null;
      return { kind: 'union', items: [interval('-\\infty', false, bound, false, depth), interval(bound, false, '\\infty', false, depth)] };
    }
    if (!isLabel(left.replace(/^-/, ''))) {
      if (!isLabel(right.replace(/^-/, ''))) return null;
      [left, right] = [right, left];
      op = { '<': '>', '>': '<', '\\leq': '\\geq', '\\geq': '\\leq' }[op]!;
    }
    if (isLabel(right.replace(/^-/, ''))) return null;
    if (left.startsWith('-')) {
      right = `-(${right})`;
      op = { '<': '>', '>': '<', '\\leq': '\\geq', '\\geq': '\\leq' }[op]!;
    }
    const closed = op === '\\leq' || op === '\\geq';
    return op === '<' || op === '\\leq'
      ? interval('-\\infty', false, right, closed, depth)
      : interval(right, closed, '\\infty', false, depth);
  }
  if (parts.length === 5) {
    const [a, op1, name, op2, b] = parts as [string, string, string, string, string];
    if (!isLabel(name) || isLabel(a) || isLabel(b)) return null;
    const up = (op: string) => op === '<' || op === '\\leq';
    const down = (op: string) => op === '>' || op === '\\geq';
    if (up(op1) && up(op2)) return interval(a, op1 === '\\leq', b, op2 === '\\leq', depth);
    if (down(op1) && down(op2)) return interval(b, op2 === '\\geq', a, op1 === '\\geq', depth);
  }
  return null;
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
    return {
      kind: 'set',
      items: flattenList(
        splitTopLevel(inner, ',')
          .filter((p) => p !== '')
          .map((p) => parseAnswer(p, depth + 1)),
      ),
    };
  }
  if ((s[0] === '(' || s[0] === '[') && (s.endsWith(')') || s.endsWith(']')) && matchingClose(s, 0) === s.length - 1) {
    const inner = s.slice(1, -1);
    let parts = splitTopLevel(inner, ',');
    // `(0;-2;6)`: semicolons separate coordinates where no comma does
    if (parts.length === 1) parts = splitTopLevel(inner, ';');
    if (parts.length === 1) return parseAnswer(inner, depth + 1);
    return { kind: 'bracket', open: s[0]!, close: s[s.length - 1]!, items: parts.map((p) => parseAnswer(p, depth + 1)) };
  }
  // plain braces only group in LaTeX: `{1, 3}` is the list `1, 3`
  if (s[0] === '{' && matchingClose(s, 0) === s.length - 1) return parseAnswer(s.slice(1, -1), depth + 1);
  const commaParts = splitTopLevel(s, ',').flatMap((p) => splitTopLevel(p, ';'));
  if (commaParts.length > 1) {
    return { kind: 'list', items: flattenList(commaParts.filter((p) => p !== '').map((p) => parseAnswer(p, depth + 1))) };
  }
  // `A \approx B`: the exact value A is the answer, unless A only names it (`x \approx 11`)
  const approx = splitTopLevel(s, '\\approx');
  if (approx.length > 1 && approx.every((p) => p !== '')) {
    return parseAnswer(isLabel(approx[0]!) ? approx.slice(1).join('\\approx') : approx[0]!, depth + 1);
  }
  const interval = parseInequality(s, depth);
  if (interval) return interval;
  // `x = 5` and the chain `x = 5 + 6 = 11`: the left side names, the last side is the value
  const equalParts = splitTopLevel(s, '=');
  // a chain's later sides must be computations (`= 5 + 6 = 11`): `W(x)=1orW(x)=-1` is no chain
  const computation = (p: string) => !/[A-Za-z]/.test(p.replace(/\\[A-Za-z]+/g, ''));
  if (equalParts.length > 2 && !equalParts.slice(1).every(computation)) return { kind: 'scalar', text: s };
  if (equalParts.length >= 2 && equalParts.every((p) => p !== '')) {
    return { kind: 'equation', lhs: equalParts[0]!, rhs: parseAnswer(equalParts[equalParts.length - 1]!, depth + 1) };
  }
  return expandPlusMinus(s) ?? { kind: 'scalar', text: s };
}
