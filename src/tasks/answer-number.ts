/**
 * The number an answer marker points at (`#### ...`, a `\boxed{...}` content, the text after
 * "The answer is"), read together with what follows it (issue 11). A first-number reader judges
 * `#### 48 + 24 = 72` as 48 and `\boxed{1/2}` as 1; here:
 *   - an arithmetic expression has its value: `48 + 24 = 72` is 72 (the last side of a chain of
 *     `=`), `36/2` is 18, `\frac{1}{2}` is 0.5, `4 \times 12` is 48;
 *   - a range (`70-72`, `70–72`, `70 to 72`), a non-terminating fraction (`1/3`) or a percentage
 *     of something (`20% of 50`) is not a number: its text is the answer, which equals no
 *     numeric reference;
 *   - a number followed by units, words or a parenthetical (`18 dollars`, `18 (9 * 2)`) is the
 *     number.
 * Values are exact rationals (values.ts), so no float rounding can make two numbers equal.
 */
import { canonicalDecimal, EXPONENT_SOURCE } from './decimal.ts';
import { type Rat, rat, ratAdd, ratSub, ratMul, ratDiv, ratFromDecimal, Inconclusive } from './math/values.ts';

/** What an answer marker points at. */
export interface AnswerNumber {
  /** Canonical decimal of the value, or null when the answer is not one terminating number. */
  value: string | null;
  /** The answer as written (the expression, range or number), trimmed; at most MAX_SPAN characters. */
  text: string;
  /** How it was read: one number, an expression's value, or why it is not a number. */
  rule: 'number' | 'expression' | 'range' | 'percent-of' | 'non-terminating' | 'unevaluable';
}

/** Longest text after a marker that is read as the answer. */
const MAX_SPAN = 200;

/**
 * A written number: thousands groups with commas or single spaces (`1,234`, `1 000`), or plain
 * digits; decimals; an exponent read whole (decimal.ts).
 */
const NUMBER_SOURCE = String.raw`(?:\d{1,3}(?:,\d{3})+(?![\d])|\d{1,3}(?:[ \u202f]\d{3})+(?![\d.,])|\d+)(?:\.\d+)?${EXPONENT_SOURCE}?|\.\d+${EXPONENT_SOURCE}?`;
const NUMBER_AT = new RegExp(`^(?:${NUMBER_SOURCE})`);
const PREFIX = /^[\s:=*]*(?:\\\$|\$|\\\(|\\\[|\\text\{\s*\$?)?\s*/;
const RANGE = new RegExp(String.raw`^\s*(?:[–—]|-(?=\d)|\s+to\s+)\s*(?:\\?\$)?(?:${NUMBER_SOURCE})`);
const PERCENT_OF = /^\s*(?:\\?%|percent)\s*of\b/i;

type Token = { kind: 'num'; value: Rat; text: string } | { kind: 'op'; op: string };

const OPERATORS: Array<[RegExp, string]> = [
  [/^\\times|^×|^\*|^\\cdot|^·|^times\b|^x(?=\s*[\d(])/, '*'],
  [/^\\div|^÷|^\//, '/'],
  [/^\+/, '+'],
  [/^[-−–]/, '-'],
  [/^\^/, '^'],
  [/^=/, '='],
  [/^\(/, '('],
  [/^\)/, ')'],
  [/^\\[dt]?frac/, 'frac'],
  [/^\{/, '{'],
  [/^\}/, '}'],
];

/** Tokens of the arithmetic expression at the start of `text`; stops at the first other character. */
function tokenize(text: string): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    const skipped = /^(?:\s|\\\$|\$|\\[,!;: ])*/.exec(text.slice(i))![0].length;
    const rest = text.slice(i + skipped);
    const number = NUMBER_AT.exec(rest);
    if (number) {
      const value = canonicalDecimal(number[0]);
      const r = value === null ? null : ratFromDecimal(value);
      if (r === null) break;
      tokens.push({ kind: 'num', value: r, text: number[0] });
      i += skipped + number[0].length;
      continue;
    }
    const operator = OPERATORS.find(([pattern]) => pattern.test(rest));
    if (!operator) break;
    tokens.push({ kind: 'op', op: operator[1] });
    i += skipped + operator[0].exec(rest)![0].length;
  }
  return { tokens, end: i };
}

/** Recursive-descent value of tokens[from..to); throws on anything malformed. */
function evaluateTokens(tokens: Token[]): Rat {
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isOp = (op: string): boolean => {
    const t = peek();
    return t !== undefined && t.kind === 'op' && t.op === op;
  };
  const expect = (op: string): void => {
    if (!isOp(op)) throw new Inconclusive(`expected ${op}`);
    at++;
  };
  const primary = (): Rat => {
    const t = peek();
    if (t === undefined) throw new Inconclusive('missing operand');
    if (t.kind === 'num') {
      at++;
      return t.value;
    }
    if (t.op === '(') {
      at++;
      const v = sum();
      expect(')');
      return v;
    }
    if (t.op === 'frac') {
      at++;
      expect('{');
      const n = sum();
      expect('}');
      expect('{');
      const d = sum();
      expect('}');
      return ratDiv(n, d);
    }
    if (t.op === '{') {
      at++;
      const v = sum();
      expect('}');
      return v;
    }
    throw new Inconclusive(`unexpected ${t.op}`);
  };
  const power = (): Rat => {
    const base = primary();
    if (!isOp('^')) return base;
    at++;
    const exponent = primary();
    if (exponent.d !== 1n || exponent.n < 0n || exponent.n > 64n) throw new Inconclusive('exponent');
    return rat(base.n ** exponent.n, base.d ** exponent.n);
  };
  const unary = (): Rat => {
    if (isOp('-')) {
      at++;
      const v = unary();
      return { n: -v.n, d: v.d };
    }
    if (isOp('+')) at++;
    return power();
  };
  const product = (): Rat => {
    let v = unary();
    while (isOp('*') || isOp('/')) {
      const op = (tokens[at++] as { op: string }).op;
      const w = unary();
      v = op === '*' ? ratMul(v, w) : ratDiv(v, w);
    }
    return v;
  };
  const sum = (): Rat => {
    let v = product();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[at++] as { op: string }).op;
      const w = product();
      v = op === '+' ? ratAdd(v, w) : ratSub(v, w);
    }
    return v;
  };
  const value = sum();
  if (at !== tokens.length) throw new Inconclusive('trailing tokens');
  return value;
}

/** Decimal text of a rational whose denominator has only the factors 2 and 5; null otherwise. */
export function terminatingDecimal(r: Rat): string | null {
  let d = r.d;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  if (d !== 1n) return null;
  const places = Math.max(twos, fives);
  const scaled = (r.n * 10n ** BigInt(places)) / r.d;
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return canonicalDecimal((negative ? '-' : '') + text);
}

/** Cut tokens at a parenthetical that follows a complete operand (`18 (since 9 * 2)`). */
function expressionTokens(tokens: Token[]): Token[] {
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k]!;
    const before = tokens[k - 1]!;
    const operandEnds = before.kind === 'num' || (before.kind === 'op' && (before.op === ')' || before.op === '}'));
    if (t.kind === 'op' && t.op === '(' && operandEnds) return tokens.slice(0, k);
  }
  // a trailing operator or `=` belongs to the text after the answer ("18 = eighteen" is rare)
  let end = tokens.length;
  while (end > 1 && tokens[end - 1]!.kind === 'op' && ![')', '}'].includes((tokens[end - 1] as { op: string }).op)) end--;
  return tokens.slice(0, end);
}

/**
 * Read the answer at the start of `text` (after `$`, `:`, `=` and spaces). Null when it does
 * not start with a number, a sign or an expression.
 */
export function readAnswerNumber(text: string): AnswerNumber | null {
  const span = text
    .slice(0, MAX_SPAN * 2)
    .replace(PREFIX, '')
    .slice(0, MAX_SPAN);
  const { tokens: all, end } = tokenize(span);
  const tokens = expressionTokens(all);
  if (!tokens.some((t) => t.kind === 'num')) return null;
  const written = span.slice(0, end).trim();
  const first = /^([-−–]\s*)?/.exec(span)![0];
  const number = NUMBER_AT.exec(span.slice(first.length));
  if (number) {
    const after = span.slice(first.length + number[0].length);
    const range = RANGE.exec(after);
    if (range && !/=/.test(span.slice(0, end)))
      return { value: null, text: span.slice(0, span.length - after.length + range[0].length).trim(), rule: 'range' };
    if (PERCENT_OF.test(after)) return { value: null, text: span.replace(/[.,;](?:\s[\s\S]*)?$/, '').trim(), rule: 'percent-of' };
  }
  const sides: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'op' && t.op === '=') sides.push([]);
    else sides[sides.length - 1]!.push(t);
  }
  const last = sides.filter((side) => side.length > 0).at(-1)!;
  let value: Rat;
  try {
    value = evaluateTokens(last);
  } catch (error) {
    if (error instanceof Inconclusive) return { value: null, text: written, rule: 'unevaluable' };
    throw error;
  }
  const decimal = terminatingDecimal(value);
  const signedNumber = tokens.length === 1 || (tokens.length === 2 && tokens[0]!.kind === 'op' && tokens[0].op === '-');
  const rule = signedNumber ? 'number' : 'expression';
  if (decimal === null) return { value: null, text: written, rule: 'non-terminating' };
  return { value: decimal, text: written, rule };
}
