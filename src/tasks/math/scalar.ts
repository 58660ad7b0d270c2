/**
 * Equality of two scalar LaTeX answers: parse each with `@cortex-js/compute-engine` 0.140.0
 * (canonical MathJSON), then compare values with evaluate.ts: exactly for rationals, with a
 * relative tolerance on float parts only. Expressions with free variables are compared at
 * fixed rational sample points (algebraic identity, e.g. `(x+1)^2` vs `x^2+2x+1`); equations
 * `a = b` vs `c = d` are equal when `a - b` and `c - d` are proportional.
 */
import { ComputeEngine } from '@cortex-js/compute-engine';
import { evaluate, freeSymbols, type MathJson } from './evaluate.ts';
import { Inconclusive, complexEqual, complexInv, complexMul, complexReal, realExact, rat, type Complex } from './values.ts';

let engine: ComputeEngine | null = null;
/** One engine per process (construction takes ~0.3 s). */
function getEngine(): ComputeEngine {
  engine ??= new ComputeEngine();
  return engine;
}

/** Recently parsed answers (answer lists compare items pairwise, so items are parsed repeatedly). */
const parseCache = new Map<string, MathJson | null>();
const PARSE_CACHE_SIZE = 1000;

/** Parsed LaTeX as canonical MathJSON, or null when the engine reports it as invalid. */
export function parseLatex(latex: string): MathJson | null {
  const cached = parseCache.get(latex);
  if (cached !== undefined) return cached;
  let json: MathJson | null = null;
  try {
    const expr = getEngine().parse(latex);
    json = expr.isValid ? (expr.json as MathJson) : null;
  } catch {
    json = null;
  }
  if (parseCache.size >= PARSE_CACHE_SIZE) parseCache.clear();
  parseCache.set(latex, json);
  return json;
}

/** Sample values per variable slot at each of the sample points (rationals, away from 0 and 1). */
const SAMPLES: ReadonlyArray<ReadonlyArray<[bigint, bigint]>> = [
  [
    [3n, 7n],
    [5n, 11n],
    [2n, 13n],
    [7n, 17n],
    [4n, 19n],
    [6n, 23n],
  ],
  [
    [13n, 9n],
    [9n, 7n],
    [17n, 11n],
    [11n, 5n],
    [19n, 8n],
    [23n, 10n],
  ],
  [
    [29n, 10n],
    [31n, 12n],
    [37n, 14n],
    [41n, 15n],
    [43n, 16n],
    [47n, 18n],
  ],
  [
    [-5n, 3n],
    [-7n, 4n],
    [-11n, 6n],
    [-13n, 9n],
    [-3n, 11n],
    [-2n, 5n],
  ],
];

const INFINITIES = new Set(['PositiveInfinity', 'NegativeInfinity', 'ComplexInfinity']);

function environments(symbols: string[]): Map<string, Complex>[] {
  return SAMPLES.map((point) => new Map(symbols.map((name, k) => [name, complexReal(realExact(rat(...point[k % point.length]!)))])));
}

function hasInfinity(expr: MathJson): boolean {
  if (typeof expr === 'string') return INFINITIES.has(expr);
  return Array.isArray(expr) && expr.some((e) => hasInfinity(e as MathJson));
}

/** Result of a comparison with the reason in words. */
export interface Comparison {
  equal: boolean;
  reason: string;
}

function tryEvaluate(expr: MathJson, env: Map<string, Complex>): Complex | null {
  try {
    return evaluate(expr, env);
  } catch (error) {
    if (error instanceof Inconclusive) return null;
    throw error;
  }
}

/**
 * Compare two MathJSON expressions by value. With `proportional`, equal means a = k*b for one
 * non-zero constant k (used for equations).
 */
function compareValues(a: MathJson, b: MathJson, proportional: boolean): Comparison {
  const symbols = [...freeSymbols(a, freeSymbols(b))].sort();
  if (symbols.length > 6) return { equal: false, reason: 'too many variables to compare' };
  const envs = symbols.length ? environments(symbols) : [new Map<string, Complex>()];
  let compared = 0;
  let ratio: Complex | null = null;
  for (const env of envs) {
    const va = tryEvaluate(a, env);
    const vb = tryEvaluate(b, env);
    if (va === null && vb === null) continue;
    if (va === null || vb === null) return { equal: false, reason: 'one side is undefined where the other is not' };
    if (proportional) {
      const zeroA = complexEqual(va, complexReal(realExact(rat(0n))));
      const zeroB = complexEqual(vb, complexReal(realExact(rat(0n))));
      if (zeroA || zeroB) {
        if (zeroA !== zeroB) return { equal: false, reason: 'equations differ at a sample point' };
      } else {
        let k: Complex;
        try {
          k = complexMul(va, complexInv(vb));
        } catch (error) {
          if (error instanceof Inconclusive) return { equal: false, reason: 'could not compare equations' };
          throw error;
        }
        if (ratio && !complexEqual(ratio, k)) return { equal: false, reason: 'equations are not multiples of each other' };
        ratio = k;
      }
    } else if (!complexEqual(va, vb)) {
      return { equal: false, reason: symbols.length ? `differ at a sample point of ${symbols.join(', ')}` : 'values differ' };
    }
    compared++;
  }
  if (compared === 0) return { equal: false, reason: 'could not evaluate either side' };
  if (symbols.length && compared < 2) return { equal: false, reason: 'too few sample points evaluated' };
  if (proportional && ratio === null && compared < envs.length) return { equal: false, reason: 'could not compare equations' };
  if (proportional) return { equal: true, reason: 'the equations are multiples of each other' };
  return { equal: true, reason: symbols.length ? `identical as functions of ${symbols.join(', ')}` : 'equal values' };
}

const BASE_NUMBER = /^([0-9A-Za-z]+)_\{?(\d+)\}?$/;

/** Value of a numeral in `base` (2..36), or null when a digit is out of range. */
function numeralValue(digits: string, base: number): bigint | null {
  if (base < 2 || base > 36) return null;
  let value = 0n;
  for (const ch of digits.toLowerCase()) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return null;
    value = value * BigInt(base) + BigInt(d);
  }
  return value;
}

/**
 * Base-n numerals (`2516_8`). Predicted `a` vs reference `b`: same base -> same digits; a
 * reference with a base accepts the bare digits (the question asked for that base); a predicted
 * numeral with a base against a plain reference is converted to decimal.
 */
function compareBaseNumerals(a: string, baseA: RegExpExecArray | null, b: string, baseB: RegExpExecArray | null): Comparison {
  if (baseA && baseB) {
    const equal = baseA[2] === baseB[2] && baseA[1]!.toUpperCase() === baseB[1]!.toUpperCase();
    return { equal, reason: equal ? 'same digits in the same base' : 'different base-n numerals' };
  }
  if (baseB) {
    const equal = a.toUpperCase() === baseB[1]!.toUpperCase();
    return { equal, reason: equal ? `same digits as the base-${baseB[2]} reference` : 'different base-n digits' };
  }
  const value = numeralValue(baseA![1]!, Number(baseA![2]));
  const equal = value !== null && /^\d+$/.test(b) && value === BigInt(b);
  return { equal, reason: equal ? 'base-n numeral equals the decimal reference' : 'base-n numeral differs from the reference' };
}

/** Equality of two scalar answers (already normalised): `a` predicted, `b` reference. */
export function scalarEqual(a: string, b: string): Comparison {
  const sa = a.replace(/\s+/g, '');
  const sb = b.replace(/\s+/g, '');
  if (sa === sb) return { equal: true, reason: 'same text after normalisation' };
  const baseA = BASE_NUMBER.exec(sa);
  const baseB = BASE_NUMBER.exec(sb);
  if (baseA || baseB) return compareBaseNumerals(sa, baseA, sb, baseB);
  const ja = parseLatex(a);
  const jb = parseLatex(b);
  if (ja === null || jb === null) return { equal: false, reason: 'texts differ and one does not parse as math' };
  if (hasInfinity(ja) || hasInfinity(jb)) {
    const equal = JSON.stringify(ja) === JSON.stringify(jb);
    return { equal, reason: equal ? 'same expression with infinity' : 'differ (infinity involved)' };
  }
  if (JSON.stringify(ja) === JSON.stringify(jb)) return { equal: true, reason: 'same canonical expression' };
  return compareValues(ja, jb, false);
}

/** Equality of two equations given as (lhs, rhs) LaTeX pairs: lhs - rhs proportional. */
export function equationsEqual(a: [string, string], b: [string, string]): Comparison {
  const parts = [...a, ...b].map(parseLatex);
  if (parts.some((p) => p === null)) return { equal: false, reason: 'an equation side does not parse' };
  const [la, ra, lb, rb] = parts as MathJson[];
  return compareValues(['Subtract', la!, ra!], ['Subtract', lb!, rb!], true);
}
