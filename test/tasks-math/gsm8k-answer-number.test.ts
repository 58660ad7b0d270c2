/**
 * GSM8K: what follows the number after an answer marker counts (issue 11). Near misses first:
 * each row is [model output, reference, expected verdict]. The same reader serves letter-count
 * and arithmetic (integer-answer.ts), checked at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gsm8kTask, type Problem } from '../../src/tasks/index.ts';
import { extractFinalNumber } from '../../src/tasks/integer-answer.ts';

type Row = [output: string, reference: string, verdict: 'correct' | 'wrong'];
const problem = (answer: string): Problem => ({ id: '0', question: 'q', reference: { answer, solution: null } });

const NEAR_MISSES: Row[] = [
  // the examples: the first number after the marker is not the answer
  ['#### 48 + 24 = 72', '48', 'wrong'],
  ['\\boxed{1/2}', '1', 'wrong'],
  ['\\boxed{36/2}', '36', 'wrong'],
  ['The answer is 18 + 2 = 20.', '18', 'wrong'],
  ['#### 70-72', '70', 'wrong'],
  ['#### 70-72', '72', 'wrong'],
  ['#### 1 000', '1', 'wrong'],
  ['The answer is 20% of 50, which is 10.', '20', 'wrong'],
  // variants: other operators, spellings, markers
  ['#### 5 \\times 12 = 60', '5', 'wrong'],
  ['#### 4 x 12 = 48', '4', 'wrong'],
  ['#### 3 times 4', '3', 'wrong'],
  ['\\boxed{\\frac{3}{4}}', '3', 'wrong'],
  ['\\boxed{2^{10}}', '2', 'wrong'],
  ['Answer: 10 - 3 = 7', '10', 'wrong'],
  ['#### 1/3', '0.33', 'wrong'],
  ['#### 70–72', '70', 'wrong'],
  ['#### 70 to 72', '70', 'wrong'],
  ['#### $12 - $3 = $9', '12', 'wrong'],
  ['#### 15 percent of 80', '15', 'wrong'],
  ['#### -5 + 8', '-5', 'wrong'],
  ['#### 2 000', '2', 'wrong'],
  ['#### 1 234 567', '1234', 'wrong'],
];

const EQUAL: Row[] = [
  ['#### 48 + 24 = 72', '72', 'correct'],
  ['\\boxed{36/2}', '18', 'correct'],
  ['\\boxed{1/2}', '0.5', 'correct'],
  ['The answer is 18 + 2 = 20.', '20', 'correct'],
  ['#### 1 000', '1000', 'correct'],
  ['#### 1 234 567', '1234567', 'correct'],
  ['#### 4 x 12 = 48', '48', 'correct'],
  ['#### $12 - $3 = $9', '9', 'correct'],
  ['\\boxed{\\frac{3}{4}}', '0.75', 'correct'],
  ['#### 18 (9 * 2)', '18', 'correct'],
  ['The answer is 20%.', '20', 'correct'],
  ['#### 18 dollars', '18', 'correct'],
  ['#### -5 + 8', '3', 'correct'],
  ['#### 2 * (3 + 4)', '14', 'correct'],
];

test('gsm8k: an expression after the marker has its value; ranges, fractions and "x% of" are not the bare number', () => {
  const nearMisses = NEAR_MISSES.length;
  assert.ok(nearMisses >= EQUAL.length, 'at least half of the rows are near misses');
  for (const [output, reference, expected] of [...NEAR_MISSES, ...EQUAL]) {
    const verdict = gsm8kTask.verify(output, problem(reference));
    assert.equal(verdict.verdict, expected, `${JSON.stringify(output)} vs ${reference}: ${verdict.reason}`);
    assert.ok(verdict.rule, 'every verdict names its rule');
  }
});

test('gsm8k: a range or a non-terminating fraction is extracted as written, with the rule that says why', () => {
  const range = gsm8kTask.verify('#### 70-72', problem('70'));
  assert.equal(range.extracted, '70-72');
  assert.equal(range.rule, '####: range');
  const third = gsm8kTask.verify('\\boxed{1/3}', problem('0.3333333333'));
  assert.equal(third.extracted, '1/3');
  assert.equal(third.rule, 'boxed: non-terminating');
});

test('integer answers (letter-count, arithmetic) read the same way', () => {
  assert.equal(extractFinalNumber('The answer is 3 + 1 = 4'), '4');
  assert.equal(extractFinalNumber('\\boxed{6/2}'), '3');
  assert.equal(extractFinalNumber('\\boxed{1/2}'), '0.5');
  assert.equal(extractFinalNumber('The answer is 3-4'), '3-4');
  assert.equal(extractFinalNumber('The answer is three'), '3');
});
