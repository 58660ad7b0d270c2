/**
 * MATH answer extraction: last \boxed with nested braces, \fbox, brace-less \boxed, "The answer is",
 * <answer> thoughts; and the verdict shape of the math task.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractMathAnswer, mathTask, type Problem } from '../../src/tasks/index.ts';

test('math: answer extraction', () => {
  const cases: Array<[string, string | null]> = [
    ['first \\boxed{1} then \\boxed{\\frac{1}{2}}', '\\frac{1}{2}'],
    ['\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}', '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}'],
    ['$\\boxed{\\{1, 2\\}}$', '\\{1, 2\\}'],
    ['nested \\boxed{\\frac{\\sqrt{3}}{{2}}}.', '\\frac{\\sqrt{3}}{{2}}'],
    ['\\fbox{42}', '42'],
    ['so $\\boxed 5$.', '5'],
    ['hence \\boxed -3', '-3'],
    ['\\boxed{7} and an unclosed \\boxed{8', '7'],
    ['The answer is: $\\frac{3}{4}$', '\\frac{3}{4}'],
    ['The final answer is 12. I hope it is correct.', '12'],
    ['<thinking>2+2</thinking><answer>4</answer>', '4'],
    ['no final answer here', null],
    ['\\boxed{}', null],
  ];
  for (const [output, expected] of cases) assert.equal(extractMathAnswer(output), expected, JSON.stringify(output));
});

test('math: verdicts carry extracted text, reference and a reason', () => {
  const problem: Problem = { id: '1', question: 'q', reference: { answer: '\\left( 3, \\frac{\\pi}{2} \\right)', solution: null } };
  const right = mathTask.verify('Thus $\\boxed{(3, \\pi/2)}$.', problem);
  assert.deepEqual([right.verdict, right.extracted, right.reference], ['correct', '(3, \\pi/2)', '\\left( 3, \\frac{\\pi}{2} \\right)']);
  const wrong = mathTask.verify('Thus $\\boxed{(\\pi/2, 3)}$.', problem);
  assert.equal(wrong.verdict, 'wrong');
  assert.match(wrong.reason, /tuple entry 1/);
  const none = mathTask.verify('I am not sure.', problem);
  assert.deepEqual([none.verdict, none.extracted], ['no_answer', null]);
  assert.equal(mathTask.goldOutput!(problem), null);
});
