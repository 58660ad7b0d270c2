/**
 * Numbers from command-line flags: one parser for every command, one error wording.
 *
 * commander hands options over as strings, and `Number()` alone is too lenient for them:
 * `Number('')` and `Number(' ')` are 0, `Number('0x10')` is 16, `Number('Infinity')` is
 * Infinity. The functions here accept only plain decimal numbers:
 *
 * - an optional sign, digits with an optional decimal point (`3`, `-2`, `0.5`, `.5`, `2.`);
 * - an optional decimal exponent (`1e3`, `2e-5`, `5E6`), so `--limit 1e3` or `--tokens 5e6` work;
 *   an integer flag takes any such number whose value is a whole number (`1e3`, `2.0`);
 * - surrounding whitespace is ignored (a value quoted from a script); a blank value is rejected.
 *
 * Rejected: empty or blank strings, hex / octal / binary literals (`0x10`, `0o7`, `0b1`),
 * `Infinity` and `NaN`, digit separators (`1_000`), and for integer flags any value beyond
 * ±(2^53 - 1) (where `Number` stops counting exactly).
 *
 * Errors are ConfigErrors located at file `(command line)` with the flag as the field, e.g.
 * `(command line) field "--limit": expected an integer >= 1, got "0"`.
 */
import { ConfigError } from '../core/errors.ts';

/** The `file` of every ConfigError about a command-line value. */
export const COMMAND_LINE = '(command line)';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Largest delay Node's timers take (2^31 - 1 ms, about 24.8 days): a larger one fires after 1 ms with a
 * TimeoutOverflowWarning, so every flag in milliseconds uses it as its maximum.
 */
export const MAX_TIMER_MS = 2_147_483_647;

function fail(value: string, flag: string, kind: string, min: number | undefined, max: number | undefined): never {
  const range =
    min !== undefined && max !== undefined
      ? ` in [${min}, ${max}]`
      : min !== undefined
        ? ` >= ${min}`
        : max !== undefined
          ? ` <= ${max}`
          : '';
  throw new ConfigError({ file: COMMAND_LINE, field: flag }, `expected ${kind}${range}, got "${value}"`);
}

function parse(value: string, flag: string, kind: 'a number' | 'an integer', min: number | undefined, max: number | undefined): number {
  const text = value.trim();
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  const ok = kind === 'an integer' ? Number.isSafeInteger(n) : Number.isFinite(n);
  if (!ok || (min !== undefined && n < min) || (max !== undefined && n > max)) fail(value, flag, kind, min, max);
  return n;
}

/**
 * A whole number from a flag's value (plain decimal, exponent allowed: `1e3` is 1000).
 * @param flag the flag as the user typed it (`--limit`), named in the error
 * @param min the smallest value allowed (inclusive); no lower bound when omitted
 * @param max the largest value allowed (inclusive); no upper bound when omitted
 * @throws ConfigError `(command line) field "<flag>": expected an integer >= <min>, got "<value>"`
 *   (`in [<min>, <max>]` when both bounds are given)
 */
export function integerOption(value: string, flag: string, min?: number, max?: number): number {
  return parse(value, flag, 'an integer', min, max);
}

/**
 * A finite number from a flag's value (plain decimal, exponent allowed: `2e-5`).
 * @param flag the flag as the user typed it (`--temperature`), named in the error
 * @param min the smallest value allowed (inclusive); no lower bound when omitted
 * @param max the largest value allowed (inclusive); no upper bound when omitted
 * @throws ConfigError `(command line) field "<flag>": expected a number >= <min>, got "<value>"`
 *   (`in [<min>, <max>]` when both bounds are given)
 */
export function numberOption(value: string, flag: string, min?: number, max?: number): number {
  return parse(value, flag, 'a number', min, max);
}

/** {@link integerOption} for a flag without a default: `undefined` when the flag was not given. */
export function optionalIntegerOption(value: string | undefined, flag: string, min?: number, max?: number): number | undefined {
  return value === undefined ? undefined : integerOption(value, flag, min, max);
}

/** {@link numberOption} for a flag without a default: `undefined` when the flag was not given. */
export function optionalNumberOption(value: string | undefined, flag: string, min?: number, max?: number): number | undefined {
  return value === undefined ? undefined : numberOption(value, flag, min, max);
}

/** `--run <id>` of build, tree and export-trees: a run id (integer >= 1), or undefined for the latest run. */
export function runIdOption(value: string | undefined): number | undefined {
  return optionalIntegerOption(value, '--run', 1);
}
