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

test('math: boxes in a row are one list answer; prose between boxes or one value in two forms is not (issue 11)', () => {
  const verify = (output: string, answer: string) =>
    mathTask.verify(output, { id: '0', question: '', reference: { answer, solution: null } }).verdict;
  assert.equal(verify('so \\boxed{-2} and \\boxed{1}', '1, -2'), 'correct');
  assert.equal(verify('$\\boxed{1}$, $\\boxed{2}$, $\\boxed{3}$', '3, 2, 1'), 'correct');
  assert.equal(verify('so \\boxed{-2} and \\boxed{1}', '1'), 'wrong');
  assert.equal(verify('so \\boxed{-2} and \\boxed{1}', '1, -2, 3'), 'wrong');
  assert.equal(verify('first \\boxed{5}. Then, adding 3 more, \\boxed{8}', '8'), 'correct');
  assert.equal(verify('$d = \\boxed{15\\frac{39}{40}},$ or $\\boxed{\\frac{639}{40}}$ inches', '\\frac{639}{40}'), 'correct');
  assert.equal(verify('\\boxed{255} ... Final Answer: The final answer is $10,455$. I hope it is correct.', '10455'), 'correct');
  assert.equal(verify('Answer $$\n 9 $$', '9'), 'correct');
});
