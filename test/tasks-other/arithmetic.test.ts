import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arithmeticTask, evaluateExpression, generateArithmeticProblems, parseArithmeticQuestion } from '../../src/tasks/arithmetic.ts';

/** An independent oracle: JavaScript's own evaluation of the printed expression (exact for these sizes). */
function jsValue(expression: string): number {
  assert.match(expression, /^[\d\s+\-*/()]+$/);
  return Function(`"use strict"; return (${expression});`)() as number;
}

test('generator: answers are exact and equal the printed expression', () => {
  const problems = generateArithmeticProblems({ count: 2000, seed: 1 });
  for (const p of problems) {
    assert.equal(jsValue(p.expression), p.reference, p.expression);
    assert.equal(evaluateExpression(p.expression), BigInt(p.reference));
    assert.ok(Number.isInteger(p.reference) && p.reference >= 0 && p.reference <= 1000, p.expression);
    const ops = p.expression.match(/[-+*/]/g)!.length;
    assert.equal(ops, p.operations);
    assert.ok(ops >= 2 && ops <= 4);
    for (const operand of p.expression.match(/\d+/g)!) assert.ok(Number(operand) >= 1 && Number(operand) <= 20);
    assert.equal(parseArithmeticQuestion(p.question), p.expression, p.question);
    assert.equal(arithmeticTask.verify(arithmeticTask.goldOutput!(p)!, p).verdict, 'correct');
  }
  assert.ok(
    problems.some((p) => p.expression.includes('/')),
    'some divisions',
  );
  assert.ok(
    problems.some((p) => p.expression.includes('(')),
    'some parentheses',
  );
});

test('generator: deterministic under a seed, options respected', () => {
  const a = generateArithmeticProblems({ count: 50, seed: 9 });
  assert.deepEqual(a, generateArithmeticProblems({ count: 50, seed: 9 }));
  assert.notDeepEqual(a, generateArithmeticProblems({ count: 50, seed: 10 }));
  assert.deepEqual(generateArithmeticProblems({ count: 5, seed: 9 }), a.slice(0, 5));
  const flat = generateArithmeticProblems({
    count: 300,
    seed: 3,
    parentheses: false,
    operators: ['+', '-', '*'],
    minOperations: 3,
    maxOperations: 3,
    maxOperand: 9,
    allowNegative: true,
  });
  for (const p of flat) {
    assert.ok(!/[()/]/.test(p.expression), p.expression);
    assert.equal(p.operations, 3);
    assert.equal(jsValue(p.expression), p.reference);
  }
  assert.ok(
    flat.some((p) => p.reference < 0),
    'negative results when allowed',
  );
  assert.throws(() => generateArithmeticProblems({ count: 1, seed: 1, minOperations: 3, maxOperations: 2 }), RangeError);
});

test('evaluateExpression: precedence, parentheses, exact division, bad input', () => {
  assert.equal(evaluateExpression('12 + 7 * 3 - 5'), 28n);
  assert.equal(evaluateExpression('(12 + 8) / 4 - 2 * 3'), -1n);
  assert.equal(evaluateExpression('20 - 5 - 3'), 12n);
  assert.equal(evaluateExpression('20 - (5 - 3)'), 18n);
  assert.equal(evaluateExpression('7 / 2'), null);
  assert.equal(evaluateExpression('7 / 0'), null);
  assert.equal(evaluateExpression('3 +'), null);
  assert.equal(evaluateExpression('(3 + 4'), null);
  assert.equal(evaluateExpression('3 x 4'), null);
});

test('verify: extraction forms and verdicts', () => {
  const p = { id: '0', question: 'What is 12 + 7 * 3 - 5?', reference: 28 };
  assert.equal(arithmeticTask.verify('<answer>28</answer>', p).verdict, 'correct');
  assert.equal(arithmeticTask.verify('7*3=21, 12+21=33, 33-5=28. The answer is 28', p).verdict, 'correct');
  assert.equal(arithmeticTask.verify('\\boxed{28}', p).verdict, 'correct');
  assert.equal(arithmeticTask.verify('The answer is 33', p).verdict, 'wrong');
  const none = arithmeticTask.verify('12 + 21 - 5 = 28', p);
  assert.equal(none.verdict, 'no_answer');
  assert.deepEqual(none.details, { expression: '12 + 7 * 3 - 5', value: 28 });
});
