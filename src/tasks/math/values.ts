/**
 * Number values for answer comparison: an exact rational part (BigInt numerator/denominator)
 * plus a floating-point part for whatever is irrational (sqrt, pi, trig, logs), and complex pairs
 * of those. Rational parts never round, so `1/2004!` vs `1/2006!` and `10^100` vs `10^100 + 1`
 * compare exactly; only float parts get a relative tolerance (`FLOAT_TOLERANCE`, scaled by the
 * largest float magnitude that went into the value).
 */

/** Thrown when a value cannot be compared reliably (too large, undefined, unsupported). */
export class Inconclusive extends Error {}

/** Exact rational with d > 0 and gcd(n, d) = 1. */
export interface Rat {
  n: bigint;
  d: bigint;
}

/** Largest exact numerator/denominator we build, in bits (2006! has about 19,000 bits). */
export const MAX_EXACT_BITS = 60_000;
/** Relative tolerance on the float part of a value. */
export const FLOAT_TOLERANCE = 1e-12;
/**
 * Largest denominator of an exact rational that may equal a value with a float part. Two distinct
 * rationals with denominators <= D differ by at least 1/D^2 = 1e-10, far above FLOAT_TOLERANCE, so
 * `\frac12` = `\sin\frac{\pi}{6}` is an identity, while a decimal written to many places
 * (`4.123105625617661`, denominator 10^15) against `\sqrt{17}` is an approximation: wrong, as the
 * exact `0.0833333333333333` against `\frac{1}{12}` is (docs/tasks.md, "one rule for decimals").
 */
export const MAX_IDENTITY_DENOMINATOR = 100_000n;

const ZERO: Rat = { n: 0n, d: 1n };

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b) [a, b] = [b, a % b];
  return a;
}

export function bitLength(x: bigint): number {
  if (x < 0n) x = -x;
  return x === 0n ? 0 : x.toString(16).length * 4;
}

export function rat(n: bigint, d: bigint = 1n): Rat {
  if (d === 0n) throw new Inconclusive('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  const r = g > 1n ? { n: n / g, d: d / g } : { n, d };
  if (bitLength(r.n) > MAX_EXACT_BITS || bitLength(r.d) > MAX_EXACT_BITS) throw new Inconclusive('number too large');
  return r;
}

/** Exact rational from decimal text such as `-12.50`, `.5`, `1e-7`, `3.2E+5`; null when not a plain decimal. */
export function ratFromDecimal(text: string): Rat | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const digits = (m[2] || '0') + (m[3] ?? '');
  let exponent = Number(m[4] ?? 0) - (m[3] ?? '').length;
  if (Math.abs(exponent) > 5000) throw new Inconclusive('exponent too large');
  let n = BigInt(digits) * (m[1] === '-' ? -1n : 1n);
  let d = 1n;
  if (exponent >= 0) n *= 10n ** BigInt(exponent);
  else d = 10n ** BigInt(-exponent);
  return rat(n, d);
}

export const ratAdd = (a: Rat, b: Rat): Rat => (a.d === b.d ? rat(a.n + b.n, a.d) : rat(a.n * b.d + b.n * a.d, a.d * b.d));
export const ratSub = (a: Rat, b: Rat): Rat => ratAdd(a, { n: -b.n, d: b.d });
export const ratMul = (a: Rat, b: Rat): Rat => rat(a.n * b.n, a.d * b.d);
export const ratDiv = (a: Rat, b: Rat): Rat => rat(a.n * b.d, a.d * b.n);
export const ratIsInt = (a: Rat): boolean => a.d === 1n;

/** Float value of a rational, scaling huge parts first; throws Inconclusive on overflow/underflow. */
export function ratToFloat(a: Rat): number {
  if (a.n === 0n) return 0;
  const nb = bitLength(a.n);
  const db = bitLength(a.d);
  const ns = Math.max(0, nb - 64);
  const ds = Math.max(0, db - 64);
  const value = (Number(a.n >> BigInt(ns)) / Number(a.d >> BigInt(ds))) * Math.pow(2, ns - ds);
  if (!Number.isFinite(value) || value === 0) {
    // Try again splitting the power of two (2^(ns-ds) alone may overflow while the product does not).
    const head = Number(a.n >> BigInt(ns)) / Number(a.d >> BigInt(ds));
    const v2 = head * Math.pow(2, (ns - ds) / 2) * Math.pow(2, (ns - ds) / 2);
    if (!Number.isFinite(v2) || v2 === 0) throw new Inconclusive('magnitude outside float range');
    return v2;
  }
  return value;
}

/** Exact integer k-th root of a non-negative integer, or null when it is not a perfect power. */
export function exactRoot(x: bigint, k: number): bigint | null {
  if (x < 0n) return null;
  if (x < 2n) return x;
  const approx = BigInt(Math.round(Math.pow(Number(x), 1 / k)));
  for (const c of [approx - 1n, approx, approx + 1n]) if (c >= 0n && c ** BigInt(k) === x) return c;
  if (bitLength(x) < 1000) return null;
  // Large: Newton iteration.
  let r = 1n << BigInt(Math.ceil(bitLength(x) / k));
  const K = BigInt(k);
  for (;;) {
    const next = ((K - 1n) * r + x / r ** (K - 1n)) / K;
    if (next >= r) break;
    r = next;
  }
  return r ** K === x ? r : null;
}

/** A real value: exact part `r` plus float part `f`; `m` bounds the float magnitudes that went in. */
export interface Real {
  r: Rat;
  f: number;
  m: number;
}

export const realExact = (r: Rat): Real => ({ r, f: 0, m: 0 });
export function realFloat(f: number): Real {
  if (!Number.isFinite(f)) throw new Inconclusive('non-finite value');
  return { r: ZERO, f, m: Math.abs(f) };
}
export const isExact = (a: Real): boolean => a.m === 0 && a.f === 0;
export const realIsZero = (a: Real): boolean => isExact(a) && a.r.n === 0n;

export function realToFloat(a: Real): number {
  const v = (a.r.n === 0n ? 0 : ratToFloat(a.r)) + a.f;
  if (!Number.isFinite(v)) throw new Inconclusive('non-finite value');
  return v;
}

export function realAdd(a: Real, b: Real): Real {
  const f = a.f + b.f;
  return { r: ratAdd(a.r, b.r), f, m: Math.max(a.m, b.m, Math.abs(f)) };
}
export const realNeg = (a: Real): Real => ({ r: { n: -a.r.n, d: a.r.d }, f: -a.f, m: a.m });

export function realMul(a: Real, b: Real): Real {
  if (isExact(a) && isExact(b)) return realExact(ratMul(a.r, b.r));
  const ar = a.r.n === 0n ? 0 : ratToFloat(a.r);
  const br = b.r.n === 0n ? 0 : ratToFloat(b.r);
  const terms: Array<[number, number]> = [
    [ar, b.f],
    [a.f, br],
    [a.f, b.f],
  ];
  let f = 0;
  for (const [x, y] of terms) {
    const t = x * y;
    if (t === 0 && x !== 0 && y !== 0) throw new Inconclusive('underflow');
    f += t;
  }
  const m = Math.max(Math.abs(ar) * b.m, a.m * Math.abs(br), a.m * b.m, Math.abs(f));
  if (!Number.isFinite(f) || !Number.isFinite(m)) throw new Inconclusive('overflow');
  return { r: ratMul(a.r, b.r), f, m };
}

export function realInv(a: Real): Real {
  if (isExact(a)) {
    if (a.r.n === 0n) throw new Inconclusive('division by zero');
    return realExact(ratDiv({ n: 1n, d: 1n }, a.r));
  }
  const v = realToFloat(a);
  if (v === 0 || Math.abs(v) < 1e-250) throw new Inconclusive('division by (near) zero');
  return { r: ZERO, f: 1 / v, m: Math.abs(1 / v) * Math.max(1, a.m / Math.abs(v)) };
}

/** Complex value re + i*im. */
export interface Complex {
  re: Real;
  im: Real;
}

export const REAL_ZERO: Real = realExact(ZERO);
export const complexReal = (re: Real): Complex => ({ re, im: REAL_ZERO });
export const complexAdd = (a: Complex, b: Complex): Complex => ({ re: realAdd(a.re, b.re), im: realAdd(a.im, b.im) });
export const complexNeg = (a: Complex): Complex => ({ re: realNeg(a.re), im: realNeg(a.im) });
export const isReal = (a: Complex): boolean => realIsZero(a.im);

export function complexMul(a: Complex, b: Complex): Complex {
  if (isReal(a) && isReal(b)) return complexReal(realMul(a.re, b.re));
  return {
    re: realAdd(realMul(a.re, b.re), realNeg(realMul(a.im, b.im))),
    im: realAdd(realMul(a.re, b.im), realMul(a.im, b.re)),
  };
}

export function complexInv(a: Complex): Complex {
  if (isReal(a)) return complexReal(realInv(a.re));
  const norm = realAdd(realMul(a.re, a.re), realMul(a.im, a.im));
  const inv = realInv(norm);
  return { re: realMul(a.re, inv), im: realNeg(realMul(a.im, inv)) };
}

function realEqual(a: Real, b: Real): boolean {
  const dr = ratSub(a.r, b.r);
  if (isExact(a) && isExact(b)) return dr.n === 0n;
  const exact = isExact(a) ? a : isExact(b) ? b : null;
  if (exact && exact.r.d > MAX_IDENTITY_DENOMINATOR) return false;
  const scale = Math.max(a.m, b.m);
  const diff = (dr.n === 0n ? 0 : ratToFloatOrInfinity(dr)) + (a.f - b.f);
  return Math.abs(diff) <= FLOAT_TOLERANCE * scale;
}

function ratToFloatOrInfinity(a: Rat): number {
  try {
    return ratToFloat(a);
  } catch {
    return bitLength(a.n) > bitLength(a.d) ? Infinity : 1e-300;
  }
}

/** Equality: exact on rational parts, `FLOAT_TOLERANCE` relative to float magnitudes otherwise. */
export function complexEqual(a: Complex, b: Complex): boolean {
  return realEqual(a.re, b.re) && realEqual(a.im, b.im);
}
