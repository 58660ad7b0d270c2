/**
 * Evaluate a canonical MathJSON expression (from `@cortex-js/compute-engine` 0.140.0 `ce.parse`,
 * https://cortexjs.io/compute-engine/reference/) to a `Complex` value (values.ts): exact rationals
 * wherever the operations allow (+, -, *, /, integer powers, perfect roots, factorials, binomials,
 * floor/ceil/abs), floats for the rest (sqrt of non-squares, pi, e, trig, logs). Free symbols take
 * values from `env`. Anything unsupported, undefined or too large throws `Inconclusive`.
 */
import {
  Inconclusive,
  type Complex,
  type Real,
  type Rat,
  rat,
  ratFromDecimal,
  ratIsInt,
  ratToFloat,
  exactRoot,
  bitLength,
  realExact,
  realFloat,
  realToFloat,
  isExact,
  complexReal,
  complexAdd,
  complexNeg,
  complexMul,
  complexInv,
  isReal,
  MAX_EXACT_BITS,
} from './values.ts';

/** A MathJSON expression as produced by `BoxedExpression.json`. */
export type MathJson = number | string | { num: string } | MathJson[] | { [key: string]: unknown };

/** Largest n for which `n!` is computed exactly. */
const MAX_FACTORIAL = 5000;

const CONSTANTS: Record<string, () => Complex> = {
  Pi: () => complexReal(realFloat(Math.PI)),
  ExponentialE: () => complexReal(realFloat(Math.E)),
  ImaginaryUnit: () => ({ re: realExact(rat(0n)), im: realExact(rat(1n)) }),
  Half: () => complexReal(realExact(rat(1n, 2n))),
};

/** Names of symbols treated as numbers, not variables. */
export const KNOWN_SYMBOLS = new Set([
  ...Object.keys(CONSTANTS),
  'PositiveInfinity',
  'NegativeInfinity',
  'ComplexInfinity',
  'NaN',
  'Nothing',
]);

const REAL_FUNCTIONS: Record<string, (x: number) => number> = {
  Sin: Math.sin,
  Cos: Math.cos,
  Tan: Math.tan,
  Cot: (x) => 1 / Math.tan(x),
  Sec: (x) => 1 / Math.cos(x),
  Csc: (x) => 1 / Math.sin(x),
  Arcsin: Math.asin,
  Arccos: Math.acos,
  Arctan: Math.atan,
  Arccot: (x) => Math.atan(1 / x),
  Sinh: Math.sinh,
  Cosh: Math.cosh,
  Tanh: Math.tanh,
  Ln: Math.log,
  Exp: Math.exp,
  Lb: Math.log2,
  Lg: Math.log10,
};

function numberValue(text: string): Complex {
  const r = ratFromDecimal(text);
  if (r === null) throw new Inconclusive(`unsupported number ${text}`);
  return complexReal(realExact(r));
}

function exactRat(c: Complex): Rat | null {
  return isReal(c) && isExact(c.re) ? c.re.r : null;
}

function realArg(c: Complex): number {
  if (!isReal(c)) throw new Inconclusive('complex argument to a real function');
  return realToFloat(c.re);
}

function floatResult(v: number): Complex {
  if (!Number.isFinite(v)) throw new Inconclusive('undefined value');
  return complexReal(realFloat(v));
}

/** Integer power with exact arithmetic when the result stays under MAX_EXACT_BITS. */
function integerPower(base: Complex, exponent: bigint): Complex {
  const exact = exactRat(base);
  const e = exponent < 0n ? -exponent : exponent;
  if (exact) {
    const bits = Math.max(bitLength(exact.n), bitLength(exact.d));
    if (bits * Number(e) <= MAX_EXACT_BITS || bits <= 1) {
      if (exact.n === 0n && exponent < 0n) throw new Inconclusive('division by zero');
      const r = exponent >= 0n ? rat(exact.n ** e, exact.d ** e) : rat(exact.d ** e, exact.n ** e);
      return complexReal(realExact(r));
    }
    const v = Math.pow(ratToFloat(exact), Number(exponent));
    return floatResult(v);
  }
  if (e > 4096n) {
    if (!isReal(base)) throw new Inconclusive('large power of a complex number');
    return floatResult(Math.pow(realArg(base), Number(exponent)));
  }
  let result: Complex = complexReal(realExact(rat(1n)));
  let square = base;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) result = complexMul(result, square);
    if (k > 1n) square = complexMul(square, square);
  }
  return exponent < 0n ? complexInv(result) : result;
}

/** base^(p/q) for rational exponent: exact when base is a perfect q-th power, else float. */
function power(base: Complex, exponent: Complex): Complex {
  const e = exactRat(exponent);
  if (e && ratIsInt(e)) return integerPower(base, e.n);
  const b = exactRat(base);
  if (e && b && e.d <= 64n) {
    const q = Number(e.d);
    if (b.n >= 0n) {
      const rn = exactRoot(b.n, q);
      const rd = exactRoot(b.d, q);
      if (rn !== null && rd !== null) return integerPower(complexReal(realExact(rat(rn, rd))), e.n);
    } else if (q === 2) {
      // sqrt of a negative rational: i * sqrt(|b|)
      const root = power(complexReal(realExact(rat(-b.n, b.d))), exponent);
      const i = CONSTANTS.ImaginaryUnit!();
      return complexMul(root, integerPower(i, e.n));
    } else if (q % 2 === 1) {
      // real odd root: (-b)^(p/q) = (-1)^p * b^(p/q), so (-8)^(2/3) = 4 as (\sqrt[3]{-8})^2 is
      const magnitude = power(complexReal(realExact(rat(-b.n, b.d))), exponent);
      return e.n % 2n === 0n ? magnitude : complexNeg(magnitude);
    }
  }
  if (!isReal(base) || !isReal(exponent)) throw new Inconclusive('complex power');
  const x = realArg(base);
  const y = realArg(exponent);
  if (x < 0) throw new Inconclusive('negative base with a non-integer exponent');
  return floatResult(Math.pow(x, y));
}

function factorial(n: Complex): Complex {
  const r = exactRat(n);
  if (!r || !ratIsInt(r) || r.n < 0n) throw new Inconclusive('factorial of a non-natural number');
  if (r.n > BigInt(MAX_FACTORIAL)) throw new Inconclusive('factorial too large');
  let p = 1n;
  for (let k = 2n; k <= r.n; k++) p *= k;
  return complexReal(realExact(rat(p)));
}

function binomial(n: Complex, k: Complex): Complex {
  const a = exactRat(n);
  const b = exactRat(k);
  if (!a || !b || !ratIsInt(a) || !ratIsInt(b) || b.n < 0n || b.n > 10000n) throw new Inconclusive('binomial');
  let p = 1n;
  for (let j = 0n; j < b.n; j++) p = (p * (a.n - j)) / (j + 1n);
  return complexReal(realExact(rat(p)));
}

function roundExact(x: Complex, mode: 'floor' | 'ceil'): Complex {
  const r = exactRat(x);
  if (r) {
    let q = r.n / r.d;
    if (mode === 'floor' && r.n < 0n && q * r.d !== r.n) q -= 1n;
    if (mode === 'ceil' && r.n > 0n && q * r.d !== r.n) q += 1n;
    return complexReal(realExact(rat(q)));
  }
  return floatResult(mode === 'floor' ? Math.floor(realArg(x)) : Math.ceil(realArg(x)));
}

/**
 * Value of `expr` with free symbols from `env`.
 * @throws Inconclusive for unsupported heads, unknown symbols, undefined or oversized values.
 */
export function evaluate(expr: MathJson, env: ReadonlyMap<string, Complex>): Complex {
  if (typeof expr === 'number') return numberValue(String(expr));
  if (typeof expr === 'string') {
    const constant = CONSTANTS[expr];
    if (constant) return constant();
    const bound = env.get(expr);
    if (bound) return bound;
    throw new Inconclusive(`unbound symbol ${expr}`);
  }
  if (!Array.isArray(expr)) {
    const num = (expr as { num?: unknown }).num;
    if (typeof num === 'string') return numberValue(num);
    throw new Inconclusive('unsupported expression');
  }
  const [head, ...args] = expr;
  const values = () => args.map((a) => evaluate(a as MathJson, env));
  switch (head) {
    case 'Rational':
    case 'Colon': // a ratio a:b has the value a/b (`6:8` = `3:4`; `12:00` divides by zero: no value)
    case 'Divide': {
      const [a, b] = values();
      return complexMul(a!, complexInv(b!));
    }
    case 'Complex': {
      const [a, b] = values();
      return { re: a!.re, im: b!.re };
    }
    case 'Add':
      return values().reduce(complexAdd);
    case 'Subtract': {
      const [a, b] = values();
      return complexAdd(a!, complexNeg(b!));
    }
    case 'Negate':
      return complexNeg(values()[0]!);
    case 'Multiply':
      return values().reduce(complexMul);
    case 'Square':
      return integerPower(values()[0]!, 2n);
    case 'Power': {
      const [a, b] = values();
      return power(a!, b!);
    }
    case 'Sqrt':
      return power(values()[0]!, complexReal(realExact(rat(1n, 2n))));
    case 'Root': {
      const [a, n] = values();
      return power(a!, complexInv(n!));
    }
    case 'Factorial':
      return factorial(values()[0]!);
    case 'Binomial': {
      const [n, k] = values();
      return binomial(n!, k!);
    }
    case 'Abs': {
      const [a] = values();
      const r = exactRat(a!);
      if (r) return complexReal(realExact(rat(r.n < 0n ? -r.n : r.n, r.d)));
      if (isReal(a!)) return floatResult(Math.abs(realArg(a!)));
      return floatResult(Math.hypot(realToFloat(a!.re), realToFloat(a!.im)));
    }
    case 'Floor':
      return roundExact(values()[0]!, 'floor');
    case 'Ceil':
      return roundExact(values()[0]!, 'ceil');
    case 'Log': {
      const [a, b] = values();
      return floatResult(Math.log(realArg(a!)) / Math.log(b ? realArg(b) : 10));
    }
    case 'Delimiter':
      if (args.length === 1) return values()[0]!;
      throw new Inconclusive('sequence in a scalar');
    default: {
      const fn = typeof head === 'string' ? REAL_FUNCTIONS[head] : undefined;
      if (fn && args.length === 1) return floatResult(fn(realArg(values()[0]!)));
      throw new Inconclusive(`unsupported operation ${JSON.stringify(head)}`);
    }
  }
}

/** Free symbols of `expr` (variables), excluding known constants and function heads. */
export function freeSymbols(expr: MathJson, into: Set<string> = new Set()): Set<string> {
  if (typeof expr === 'string') {
    if (!KNOWN_SYMBOLS.has(expr) && !expr.startsWith("'")) into.add(expr);
  } else if (Array.isArray(expr)) {
    for (let i = 1; i < expr.length; i++) freeSymbols(expr[i] as MathJson, into);
  }
  return into;
}
