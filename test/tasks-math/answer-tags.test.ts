/**
 * The shared `<answer>` tag reader (src/tasks/answer-tags.ts) and the tasks that use it: a tag's
 * capitalisation must not change any task's verdict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerTags, lastAnswerTag } from '../../src/tasks/answer-tags.ts';
import { extractGsm8kAnswer, extractMathAnswer, extractFinalNumber, ifevalResponse, planText } from '../../src/tasks/index.ts';

test('answer tags: every tag in order, with positions', () => {
  const output = 'x<answer>1</answer> y <answer>two</answer>';
  assert.deepEqual(answerTags(output), [
    { content: '1', start: 1, end: 19 },
    { content: 'two', start: 22, end: output.length },
  ]);
  assert.equal(lastAnswerTag(output), 'two');
});

test('answer tags: names are case-insensitive, opening and closing', () => {
  assert.deepEqual(
    answerTags('<Answer>a</ANSWER><ANSWER>b</answer>').map((t) => t.content),
    ['a', 'b'],
  );
  assert.equal(lastAnswerTag('<aNsWeR>7</AnSwEr> trailing'), '7');
});

test('answer tags: an unclosed last tag runs to the end; a tag inside it is content', () => {
  assert.deepEqual(answerTags('<answer>1</answer><answer>2 and more'), [
    { content: '1', start: 0, end: 18 },
    { content: '2 and more', start: 18, end: 36 },
  ]);
  assert.deepEqual(
    answerTags('<answer>a<answer>b').map((t) => t.content),
    ['a<answer>b'],
  );
  assert.equal(lastAnswerTag('<answer>'), '');
});

test('answer tags: none gives an empty list and null', () => {
  assert.deepEqual(answerTags('no tags, only </answer> and <answer >'), []);
  assert.equal(lastAnswerTag(''), null);
});

test('answer tags: every task reads <Answer> like <answer>', () => {
  for (const open of ['<answer>', '<Answer>', '<ANSWER>']) {
    const close = open.replace('<', '</');
    const wrap = (s: string): string => `<thinking>7 or 9?</thinking>${open}${s}${close}`;
    assert.equal(extractGsm8kAnswer(wrap('She has 42 eggs.')), '42', open);
    assert.equal(extractMathAnswer(wrap('\\frac{1}{2}')), '\\frac{1}{2}', open);
    assert.equal(extractFinalNumber(wrap('3')), '3', open);
    assert.equal(ifevalResponse(wrap('Hello world')), 'Hello world', open);
    assert.equal(planText(wrap('(pick-up red)')), '(pick-up red)', open);
  }
});
