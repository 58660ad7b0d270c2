/**
 * GSM8K verifier on the real test set (data/gsm8k/test.jsonl, read by path) and on hand-written outputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataFile } from '../helpers/data-paths.ts';
import { gsm8kTask, extractGsm8kAnswer, canonicalDecimal, type Gsm8kReference } from '../../src/tasks/index.ts';

const GSM8K_TEST = dataFile('gsm8k/test.jsonl');

test('gsm8k: every gold solution of test.jsonl verifies as correct (1319/1319)', () => {
  const problems = gsm8kTask.load(GSM8K_TEST);
  assert.equal(problems.length, 1319);
  const failures = problems
    .map((p) => ({ id: p.id, verdict: gsm8kTask.verify(gsm8kTask.goldOutput!(p)!, p) }))
    .filter((r) => r.verdict.verdict !== 'correct');
  assert.deepEqual(failures, []);
});

test("gsm8k: a solution checked against another question's answer is wrong unless the numbers are equal", () => {
  const problems = gsm8kTask.load(GSM8K_TEST);
  let wrong = 0;
  let equalNumbers = 0;
  for (const shift of [1, 17, 500]) {
    for (let i = 0; i < problems.length; i++) {
      const own = problems[i]!;
      const other = problems[(i + shift) % problems.length]!;
      const verdict = gsm8kTask.verify(gsm8kTask.goldOutput!(own)!, other);
      const a = Number((own.reference as Gsm8kReference).answer);
      const b = Number((other.reference as Gsm8kReference).answer);
      assert.equal(verdict.verdict, a === b ? 'correct' : 'wrong', `${own.id} vs ${other.id}: ${verdict.reason}`);
      if (a === b) equalNumbers++;
      else wrong++;
    }
  }
  assert.ok(wrong > 3800 && equalNumbers > 0, `${wrong} wrong, ${equalNumbers} equal`);
});

test('gsm8k: answer extraction formats', () => {
  const cases: Array<[string, string | null]> = [
    ['so she makes 18 dollars.\n#### 18', '18'],
    ['#### $1,234', '1234'],
    ['The answer is $18.00.', '18'],
    ['The final answer is 18 dollars per day', '18'],
    ['Answer: -3 degrees', '-3'],
    ['Thus \\boxed{\\$18} per day', '18'],
    ['\\boxed{18 \\text{ eggs}}', '18'],
    ['\\boxed{1{,}000}', '1000'],
    ['The answer is 5, and 6 is not', '5'],
    ['<answer>She has 42 eggs left.</answer>', '42'],
    ['#### 7\nThe answer is 8', '7'],
    ['She sells 9 eggs and makes 18 dollars.', null],
    ['The answer is unknown.', null],
    ['', null],
  ];
  for (const [output, expected] of cases) assert.equal(extractGsm8kAnswer(output), expected, JSON.stringify(output));
});

test('gsm8k: numbers compare as exact decimals', () => {
  assert.equal(canonicalDecimal('18.00'), '18');
  assert.equal(canonicalDecimal('0018.50'), '18.5');
  assert.equal(canonicalDecimal('1,000,000'), '1000000');
  assert.equal(canonicalDecimal('-0'), '0');
  assert.equal(canonicalDecimal('abc'), null);
  const problem = { id: '0', question: 'q', reference: { answer: '18', solution: null } };
  assert.equal(gsm8kTask.verify('#### 18.00', problem).verdict, 'correct');
  assert.equal(gsm8kTask.verify('#### 18.01', problem).verdict, 'wrong');
  assert.equal(gsm8kTask.verify('#### 180', problem).verdict, 'wrong');
  assert.equal(gsm8kTask.verify('#### -18', problem).verdict, 'wrong');
  assert.equal(gsm8kTask.verify('no number here', problem).verdict, 'no_answer');
  const big = { id: '1', question: 'q', reference: { answer: '10000000000000000000001', solution: null } };
  assert.equal(gsm8kTask.verify('#### 10000000000000000000000', big).verdict, 'wrong');
});
