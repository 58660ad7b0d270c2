/**
 * Written numbers as exact decimal strings, for the tasks that compare numbers (gsm8k, and the
 * integer answers of letter-count and arithmetic). A number in scientific notation is read whole:
 * `1e2` is 100 and `2.5 \times 10^{3}` is 2500, never 1 or 2.5 (a prefix of itself).
 */

/**
 * Largest exponent read (in either direction). GSM8K answers and integer answers are far smaller;
 * the bound keeps the work per number small (a read number is expanded to at most ~100 digits, so a
 * 1 MB output of `1e-99 1e-99 ...` stays linear and fast), and a larger exponent is not read at all.
 */
export const MAX_EXPONENT = 100;

/**
 * Regex source of the exponent that may follow a number's digits: `e3`, `E-2`, `\times 10^{3}`,
 * `\cdot 10^3`, `× 10^-2`. For use right after the digits, inside a larger pattern.
 */
export const EXPONENT_SOURCE = String.raw`(?:[eE][-+−]?\d+|\s*(?:\\times|\\cdot|×|·)\s*10\s*\^\s*(?:\{\s*[-+−]?\d+\s*\}|[-+−]?\d+))`;

/**
 * Canonical decimal text of a written number: sign, thousands commas and spaces dropped, the
 * exponent applied, no leading zeros in the whole part, no trailing zeros in the fraction, no
 * `-0` (`"1,234.50"` -> `"1234.5"`, `"-0"` -> `"0"`, `"2.5e3"` -> `"2500"`, `"1e-2"` -> `"0.01"`).
 * Null when `text` is not one number (digits with an optional exponent), or when its exponent
 * exceeds `MAX_EXPONENT`.
 */
export function canonicalDecimal(text: string): string | null {
  let s = text
    .replace(/[−–]/g, '-')
    .replace(/[\s,]/g, '')
    .replace(/(?:\\times|\\cdot|×|·)10\^(?:\{([-+]?\d+)\}|([-+]?\d+))$/, (_, braced?: string, bare?: string) => `e${braced ?? bare}`);
  let sign = '';
  if (s.startsWith('-')) {
    sign = '-';
    s = s.slice(1);
  }
  const match = /^(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(s);
  if (!match) return null;
  const [, whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return null;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) return null;
  // Move the decimal point `exponent` places through the digits, padding with zeros.
  const digits = whole + fraction;
  const point = whole.length + exponent;
  const padded = point < 0 ? '0'.repeat(-point) + digits : point > digits.length ? digits + '0'.repeat(point - digits.length) : digits;
  const at = Math.max(point, 0);
  // Trim zeros with index loops: `/0+$/` backtracks from every zero of a run (quadratic on
  // `1e-999`, which pads 998 zeros, or on a long `0.000...1`).
  let first = 0;
  while (first < at && padded.charCodeAt(first) === 48) first++;
  let last = padded.length;
  while (last > at && padded.charCodeAt(last - 1) === 48) last--;
  const intPart = padded.slice(first, at) || '0';
  const fracPart = padded.slice(at, last);
  const body = fracPart ? `${intPart}.${fracPart}` : intPart;
  return body === '0' ? '0' : sign + body;
}
