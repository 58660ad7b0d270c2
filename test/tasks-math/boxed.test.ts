/**
 * The shared `\boxed{}` scanner (src/tasks/boxed.ts) and the three extractors that use it
 * (gsm8k, math, integer answers): nesting, several boxes, unbalanced and escaped braces, options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findBoxes } from '../../src/tasks/boxed.ts';
import { extractGsm8kAnswer, extractMathAnswer, extractFinalNumber, lastBoxed } from '../../src/tasks/index.ts';

const contents = (text: string, options?: Parameters<typeof findBoxes>[1]): string[] => findBoxes(text, options).map((b) => b.content);

test('boxed: several boxes in order, with the opener and the index past the closing brace', () => {
  const text = 'a \\boxed{1} b \\fbox{22} c \\boxed {3}';
  assert.deepEqual(findBoxes(text), [
    { content: '1', start: 2, end: 11 },
    { content: '22', start: 14, end: 23 },
    { content: '3', start: 26, end: text.length },
  ]);
});

test('boxed: nested braces are counted; escaped braces are not', () => {
  assert.deepEqual(contents('\\boxed{\\frac{\\sqrt{3}}{{2}}}.'), ['\\frac{\\sqrt{3}}{{2}}']);
  assert.deepEqual(contents('$\\boxed{\\{1, 2\\}}$'), ['\\{1, 2\\}']);
  assert.deepEqual(contents('\\boxed{\\}} \\boxed{a\\\\}'), ['\\}', 'a\\\\']);
  // `\}` is a literal brace, so this box never closes.
  assert.deepEqual(contents('\\boxed{5\\}'), []);
});

test('boxed: a box inside a box is listed only with `nested`', () => {
  const text = '\\boxed{1 + \\boxed{2}} \\boxed{3}';
  assert.deepEqual(contents(text), ['1 + \\boxed{2}', '3']);
  assert.deepEqual(contents(text, { nested: true }), ['1 + \\boxed{2}', '2', '3']);
});

test('boxed: unbalanced input: an unclosed box is skipped, boxes after it (even inside it) count', () => {
  assert.deepEqual(contents('\\boxed{7} and an unclosed \\boxed{8'), ['7']);
  assert.deepEqual(contents('\\boxed{ oops \\boxed{8}'), ['8']);
  assert.deepEqual(contents('} \\boxed{4}} }'), ['4']);
  assert.deepEqual(contents('\\boxed{'.repeat(1000)), []);
  assert.deepEqual(contents('\\boxed{}'), ['']);
  assert.deepEqual(contents('\\boxed 5 and \\fbox'), []);
});

test('boxed: `withoutBackslash` reads boxed{3} and fbox{3}', () => {
  assert.deepEqual(contents('boxed{3} fbox{4}'), []);
  assert.deepEqual(findBoxes('so boxed{3}, \\boxed{4}', { withoutBackslash: true }), [
    { content: '3', start: 3, end: 11 },
    { content: '4', start: 13, end: 22 },
  ]);
});

test('boxed: `braceless` reads \\boxed 5 up to $, newline, \\], \\) or the end of a sentence', () => {
  const braceless = (text: string): string[] => contents(text, { braceless: true });
  assert.deepEqual(braceless('so $\\boxed 5$.'), ['5']);
  assert.deepEqual(braceless('hence \\boxed -3'), ['-3']);
  assert.deepEqual(braceless('\\boxed 3.5. Done'), ['3.5']);
  assert.deepEqual(braceless('\\[\\boxed x+1 \\]\n'), ['x+1']);
  assert.deepEqual(braceless('\\boxed \n5'), []);
  assert.deepEqual(braceless('\\fbox 5'), []);
  assert.deepEqual(braceless('\\boxed 1\n\\boxed {2}'), ['1', '2']);
  assert.deepEqual(findBoxes('a \\boxed 12$', { braceless: true }), [{ content: '12', start: 2, end: 11 }]);
});

test('boxed: linear on 1 MB of boxes, unclosed boxes and brace-less boxes', () => {
  const MB = 1 << 20;
  const inputs = [
    '\\boxed{'.repeat(MB / 7),
    '\\boxed{1}'.repeat(MB / 9),
    '\\boxed{'.repeat(5000) + '3' + '}'.repeat(5000),
    '\\boxed x '.repeat(MB / 9),
  ];
  for (const input of inputs) {
    const start = performance.now();
    findBoxes(input, { braceless: true, nested: true });
    const ms = performance.now() - start;
    assert.ok(ms < 5000, `${input.slice(0, 12)}: ${ms.toFixed(0)} ms`);
  }
});

test('boxed: gsm8k reads \\fbox, spaced braces and a box after an unclosed one', () => {
  assert.equal(extractGsm8kAnswer('\\fbox{18}'), '18');
  assert.equal(extractGsm8kAnswer('\\boxed {18}'), '18');
  assert.equal(extractGsm8kAnswer('\\boxed{ oops \\boxed{18}'), '18');
  assert.equal(extractGsm8kAnswer('\\boxed{\\boxed{18}}'), null);
});

test('boxed: integer answers read a box after an unclosed one, and never count \\}', () => {
  assert.equal(extractFinalNumber('boxed{ oops \\fbox{3}'), '3');
  assert.equal(extractFinalNumber('\\boxed{\\boxed{3}}'), '3');
  assert.equal(extractFinalNumber('\\boxed{3\\}'), null);
});

test('boxed: math takes the last opener, nested or after any number of unclosed boxes', () => {
  assert.equal(lastBoxed('\\boxed{1 + \\boxed{2}}'), '2');
  assert.equal(extractMathAnswer('\\boxed{7}' + ' \\boxed{'.repeat(25)), '7');
  assert.equal(extractMathAnswer('\\boxed\n{5}'), '5');
  assert.equal(lastBoxed('no box'), null);
});
