import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/core/errors.ts';
import {
  integerOption,
  MAX_TIMER_MS,
  numberOption,
  optionalIntegerOption,
  optionalNumberOption,
  runIdOption,
} from '../../src/cli/number-options.ts';

/** Asserts a ConfigError at `(command line)`, field `flag`, with exactly this message. */
function rejects(fn: () => unknown, flag: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.deepEqual(e.location, { file: '(command line)', field: flag });
    assert.equal(e.message, message);
    return true;
  });
}

test('integerOption accepts plain decimal integers, exponents with whole values and surrounding blanks', () => {
  assert.equal(integerOption('8', '--n', 1), 8);
  assert.equal(integerOption('1', '--n', 1), 1);
  assert.equal(integerOption('0', '--seed', 0), 0);
  assert.equal(integerOption('-3', '--seed'), -3);
  assert.equal(integerOption('1e3', '--limit', 1), 1000);
  assert.equal(integerOption('2.0', '--limit', 1), 2);
  assert.equal(integerOption(' 16 ', '--limit', 1), 16);
});

test('integerOption rejects values below the minimum, fractions, blanks, hex and other non-decimal forms', () => {
  rejects(() => integerOption('0', '--limit', 1), '--limit', '(command line) field "--limit": expected an integer >= 1, got "0"');
  rejects(() => integerOption('-1', '--seed', 0), '--seed', '(command line) field "--seed": expected an integer >= 0, got "-1"');
  rejects(() => integerOption('2.5', '--limit', 1), '--limit', '(command line) field "--limit": expected an integer >= 1, got "2.5"');
  rejects(() => integerOption('1e-1', '--limit', 1), '--limit', '(command line) field "--limit": expected an integer >= 1, got "1e-1"');
  rejects(() => integerOption('', '--limit', 1), '--limit', '(command line) field "--limit": expected an integer >= 1, got ""');
  rejects(() => integerOption(' ', '--seed'), '--seed', '(command line) field "--seed": expected an integer, got " "');
  rejects(() => integerOption('0x10', '--limit', 1), '--limit', '(command line) field "--limit": expected an integer >= 1, got "0x10"');
  for (const bad of ['0b1', '0o7', 'Infinity', 'NaN', '1_000', 'ten', '3abc', '1e400', '9007199254740993']) {
    rejects(() => integerOption(bad, '--n', 1), '--n', `(command line) field "--n": expected an integer >= 1, got "${bad}"`);
  }
});

test('numberOption accepts finite decimals with exponents and checks the optional minimum', () => {
  assert.equal(numberOption('0.7', '--temperature', 0), 0.7);
  assert.equal(numberOption('0', '--temperature', 0), 0);
  assert.equal(numberOption('.5', '--top-p', 0), 0.5);
  assert.equal(numberOption('2e-5', '--sft-lr'), 2e-5);
  assert.equal(numberOption('-0.25', '--beta'), -0.25);
  rejects(
    () => numberOption('-0.1', '--temperature', 0),
    '--temperature',
    '(command line) field "--temperature": expected a number >= 0, got "-0.1"',
  );
  rejects(() => numberOption('', '--beta'), '--beta', '(command line) field "--beta": expected a number, got ""');
  rejects(() => numberOption('\t', '--beta'), '--beta', '(command line) field "--beta": expected a number, got "\t"');
  rejects(() => numberOption('0x10', '--beta'), '--beta', '(command line) field "--beta": expected a number, got "0x10"');
  rejects(() => numberOption('Infinity', '--beta'), '--beta', '(command line) field "--beta": expected a number, got "Infinity"');
  rejects(() => numberOption('1e999', '--beta'), '--beta', '(command line) field "--beta": expected a number, got "1e999"');
});

test('optional variants pass undefined through, parse anything else (an empty string is an error, not "absent")', () => {
  assert.equal(optionalIntegerOption(undefined, '--limit', 1), undefined);
  assert.equal(optionalIntegerOption('5', '--limit', 1), 5);
  rejects(() => optionalIntegerOption('', '--limit', 1), '--limit', '(command line) field "--limit": expected an integer >= 1, got ""');
  assert.equal(optionalNumberOption(undefined, '--lr'), undefined);
  assert.equal(optionalNumberOption('1e-4', '--lr'), 1e-4);
  rejects(() => optionalNumberOption('x', '--lr'), '--lr', '(command line) field "--lr": expected a number, got "x"');
  assert.equal(runIdOption(undefined), undefined);
  assert.equal(runIdOption('2'), 2);
  rejects(() => runIdOption('0'), '--run', '(command line) field "--run": expected an integer >= 1, got "0"');
});

test('run --alpha-sweep items go through the same parser (an empty item is an error, not 0)', async () => {
  const { parseAlphaList } = await import('../../src/cli/commands/run.ts');
  assert.deepEqual(parseAlphaList('0, 0.5,1,1e0'), [0, 0.5, 1, 1]);
  rejects(() => parseAlphaList('0,,1'), '--alpha-sweep', '(command line) field "--alpha-sweep": expected a number >= 0, got ""');
  rejects(() => parseAlphaList('0,-1'), '--alpha-sweep', '(command line) field "--alpha-sweep": expected a number >= 0, got "-1"');
  rejects(() => parseAlphaList('0x1'), '--alpha-sweep', '(command line) field "--alpha-sweep": expected a number >= 0, got "0x1"');
});

test('a maximum is enforced and named; millisecond flags stop at the largest delay Node timers take', () => {
  assert.equal(integerOption('64', '--workers', 1, 64), 64);
  rejects(
    () => integerOption('65', '--workers', 1, 64),
    '--workers',
    '(command line) field "--workers": expected an integer in [1, 64], got "65"',
  );
  assert.equal(integerOption(String(MAX_TIMER_MS), '--timeout-ms', 1, MAX_TIMER_MS), 2 ** 31 - 1);
  rejects(
    () => integerOption('3e9', '--timeout-ms', 1, MAX_TIMER_MS),
    '--timeout-ms',
    `(command line) field "--timeout-ms": expected an integer in [1, ${MAX_TIMER_MS}], got "3e9"`,
  );
  rejects(
    () => numberOption('1.5', '--top-p', undefined, 1),
    '--top-p',
    '(command line) field "--top-p": expected a number <= 1, got "1.5"',
  );
});
