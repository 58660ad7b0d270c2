/**
 * Scientific notation is read whole (src/tasks/decimal.ts): `#### 1e2` is 100, never 1, in GSM8K
 * and in the integer answers of letter-count and arithmetic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Gsm8kReference,
  canonicalDecimal,
  extractGsm8kAnswer,
  extractFinalNumber,
  gsm8kTask,
  normalizeNumberToken,
  verifyInteger,
  type Problem,
} from '../../src/tasks/index.ts';

const gsm8kProblem = (answer: string): Problem => ({ id: '0', question: 'q', reference: { answer, solution: null } });

test('decimal: exponents move the point exactly', () => {
  const cases: Array<[string, string | null]> = [
    ['1e2', '100'],
    ['2.5e3', '2500'],
    ['2.5E+3', '2500'],
    ['-1.5e1', '-15'],
    ['1e-2', '0.01'],
    ['12.5e-1', '1.25'],
    ['0.5e1', '5'],
    ['1,000e3', '1000000'],
    ['-0e5', '0'],
    ['2.5 \\times 10^{3}', '2500'],
    ['3 \\cdot 10^2', '300'],
    ['4×10^-1', '0.4'],
    ['1e100', '1' + '0'.repeat(100)],
    ['1e-100', '0.' + '0'.repeat(99) + '1'],
    ['1e101', null],
    ['1e-101', null],
    ['e5', null],
    ['1e', null],
  ];
  for (const [text, expected] of cases) assert.equal(canonicalDecimal(text), expected, text);
});

test('gsm8k: #### 1e2 is 100, not 1', () => {
  assert.equal(extractGsm8kAnswer('so 10 * 10 = 100\n#### 1e2'), '100');
  assert.equal(gsm8kTask.verify('#### 1e2', gsm8kProblem('100')).verdict, 'correct');
  assert.equal(gsm8kTask.verify('#### 1e2', gsm8kProblem('1')).verdict, 'wrong');
  assert.equal(extractGsm8kAnswer('#### 1E-2'), '0.01');
  assert.equal(extractGsm8kAnswer('#### 2.5 \\times 10^{3} dollars'), '2500');
});

test('gsm8k: \\boxed{2.5e3}, "answer is" and <answer> read the exponent', () => {
  assert.equal(extractGsm8kAnswer('Thus \\boxed{2.5e3}.'), '2500');
  assert.equal(gsm8kTask.verify('Thus \\boxed{2.5e3}.', gsm8kProblem('2500')).verdict, 'correct');
  assert.equal(gsm8kTask.verify('Thus \\boxed{2.5e3}.', gsm8kProblem('2.5')).verdict, 'wrong');
  assert.equal(extractGsm8kAnswer('The answer is 3e2 eggs.'), '300');
  assert.equal(extractGsm8kAnswer('<answer>about 4e1</answer>'), '40');
});

test('decimal: reading is linear on adversarial outputs (negative exponents, long zero runs)', () => {
  // Before, trailing zeros were trimmed with /0+$/ (quadratic on a zero run): the first input took 157 s.
  const inputs = [
    '<answer>' + '1e-99 '.repeat(150_000) + '</answer>',
    '#### 0.' + '0'.repeat(1_000_000) + '1',
    'The answer is 1e-99. '.repeat(45_000),
  ];
  for (const text of inputs) {
    const t0 = performance.now();
    extractGsm8kAnswer(text);
    extractFinalNumber(text);
    const seconds = (performance.now() - t0) / 1000;
    assert.ok(seconds < 5, `${text.slice(0, 20)}...: ${seconds.toFixed(2)} s`);
  }
});

test('gsm8k: an exponent too large to read is no number, not its mantissa', () => {
  assert.equal(extractGsm8kAnswer('#### 1e5000'), null);
  assert.equal(gsm8kTask.verify('#### 1e5000', gsm8kProblem('1')).verdict, 'no_answer');
  // A letter e that is no exponent is left alone.
  assert.equal(extractGsm8kAnswer('#### 5 eggs'), '5');
  assert.equal(extractGsm8kAnswer('<answer>pawn to e5</answer>'), '5');
});

test('gsm8k: a reference written with an exponent loads as its value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-sci-'));
  try {
    const file = join(dir, 'gsm8k.jsonl');
    writeFileSync(file, JSON.stringify({ question: 'q', answer: '10 * 10 = 100\n#### 1e2' }) + '\n');
    assert.equal((gsm8kTask.load(file)[0]!.reference as Gsm8kReference).answer, '100');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('integer answers: 1e2 is 100 and 2.5e-1 is not an integer', () => {
  assert.equal(extractFinalNumber('<answer>1e2</answer>'), '100');
  assert.equal(extractFinalNumber('The answer is 3e0.'), '3');
  assert.equal(extractFinalNumber('\\boxed{2.5e3}'), '2500');
  assert.equal(verifyInteger('<answer>1e2</answer>', 100).verdict, 'correct');
  assert.equal(verifyInteger('<answer>1e2</answer>', 2).verdict, 'wrong');
  assert.equal(verifyInteger('<answer>2.5e-1</answer>', 0).verdict, 'wrong');
  assert.equal(normalizeNumberToken('2.50'), '2.5');
  assert.equal(normalizeNumberToken('three'), '3');
});
