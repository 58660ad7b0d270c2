import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  builtinWordSplit,
  isHeldOutWord,
  HARD_SET_WORDS,
  formatLetterCountResponse,
  formatArithmeticResponse,
  scoreLetterCountSteps,
  scoreLetterCountResponse,
  summarizeStepAccuracy,
  buildBuiltinRows,
  heldOutQuestions,
} from '../../src/train/builtin/index.ts';
import { parseLetterCountQuestion, letterCountAnswer } from '../../src/tasks/index.ts';
import { dataFile } from '../helpers/data-paths.ts';

const HARD_SET_FILE = dataFile('letter-count/letter_count_hard.json');

test('the embedded hard-set word list equals the words of the evaluation file', () => {
  const rows = JSON.parse(readFileSync(HARD_SET_FILE, 'utf8')) as { problem: string }[];
  const words = [...new Set(rows.map((r) => parseLetterCountQuestion(r.problem)!.word))].sort();
  assert.deepEqual([...HARD_SET_WORDS], words);
});

test('word split: no hard-set word in either split, disjoint, stable, about 2,000 held out', () => {
  const split = builtinWordSplit();
  const hard = new Set(HARD_SET_WORDS);
  assert.equal(split.train.filter((w) => hard.has(w)).length, 0);
  assert.equal(split.heldOut.filter((w) => hard.has(w)).length, 0);
  assert.equal(split.excludedHardSetWords.length, 232);
  const train = new Set(split.train);
  assert.equal(split.heldOut.filter((w) => train.has(w)).length, 0);
  assert.ok(split.heldOut.length > 1800 && split.heldOut.length < 2200, `held out ${split.heldOut.length}`);
  assert.ok(split.heldOut.every(isHeldOutWord) && !split.train.slice(0, 5000).some(isHeldOutWord));
  for (const w of [...split.train.slice(0, 2000), ...split.heldOut]) assert.match(w, /^[a-z]{6,14}$/);
});

test('format: the documented example renders exactly; one-letter has no double-check', () => {
  assert.equal(
    formatLetterCountResponse('navigant', ['g', 'n']),
    '<sub-task>g+n</sub-task><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>',
  );
  assert.equal(
    formatLetterCountResponse('navigant', ['a']),
    '<sub-task>a</sub-task><thinking>navigant</thinking><thinking>a:2</thinking><answer>2</answer>',
  );
  assert.equal(formatLetterCountResponse('navigant', ['z', 'a']).endsWith('<double-check>0+2=2</double-check><answer>2</answer>'), true);
  assert.throws(() => formatLetterCountResponse('navigant', ['ab']), RangeError);
});

test('format: column arithmetic with carries and borrows', () => {
  assert.equal(
    formatArithmeticResponse({ a: 47, b: 38, op: '+' }),
    '<sub-task>47+38</sub-task><thinking>7+8=15</thinking><thinking>4+3+1=8</thinking><double-check>85-38=47</double-check><answer>85</answer>',
  );
  assert.equal(
    formatArithmeticResponse({ a: 402, b: 38, op: '-' }),
    '<sub-task>402-38</sub-task><thinking>12-8=4</thinking><thinking>10-1-3=6</thinking><thinking>4-1-0=3</thinking><double-check>364+38=402</double-check><answer>364</answer>',
  );
  assert.throws(() => formatArithmeticResponse({ a: 3, b: 5, op: '-' }), RangeError);
});

test('step accuracy: a gold response scores perfectly; each kind of slip is caught by its step', () => {
  const q = { word: 'navigant', letters: ['g', 'n'] };
  const gold = scoreLetterCountSteps(formatLetterCountResponse(q.word, q.letters), q);
  assert.deepEqual(gold, {
    answered: true,
    answerCorrect: true,
    spellingCorrect: true,
    countSteps: 2,
    countStepsCorrect: 2,
    countStepsOnExpectedLetter: 2,
    additionCorrect: true,
  });
  const slip = scoreLetterCountSteps(
    '<sub-task>g+n</sub-task><thinking>navigat</thinking><thinking>n:2</thinking><thinking>n:1</thinking><double-check>2+1=4</double-check><answer>4</answer>',
    q,
  );
  assert.deepEqual(slip, {
    answered: true,
    answerCorrect: false,
    spellingCorrect: false,
    countSteps: 2,
    countStepsCorrect: 1,
    countStepsOnExpectedLetter: 1,
    additionCorrect: false,
  });
  const none = scoreLetterCountSteps('<sub-task>g+n</sub-task><thinking>nav', q);
  assert.equal(none.answered, false);
  assert.equal(none.additionCorrect, null);
  const summary = summarizeStepAccuracy([gold, slip, none]);
  assert.equal(summary.answer, 1 / 3);
  assert.equal(summary.noAnswer, 1 / 3);
  assert.equal(summary.countStep, 3 / 4);
  assert.equal(summary.addition, 1 / 2);
  assert.equal(scoreLetterCountResponse('<answer>3</answer>', 'How many g and n are there in total in navigant?')!.answerCorrect, true);
});

test('training rows: seeded, ~70/30 two/one-letter, targets equal the gold count, training words only', () => {
  const rows = buildBuiltinRows({ count: 2000, seed: 5 });
  assert.deepEqual(rows.slice(0, 50), buildBuiltinRows({ count: 50, seed: 5 }), 'row i depends only on (seed, i)');
  const heldOut = new Set(builtinWordSplit().heldOut);
  const hard = new Set(HARD_SET_WORDS);
  let two = 0;
  let arithmetic = 0;
  for (const row of rows) {
    if (row.kind === 'arithmetic') {
      arithmetic++;
      const m = /(\d+) ([+-]) (\d+)/.exec(row.prompt)!;
      const value = m[2] === '+' ? Number(m[1]) + Number(m[3]) : Number(m[1]) - Number(m[3]);
      assert.ok(row.completion.endsWith(`<answer>${value}</answer>`), row.completion);
      continue;
    }
    const parsed = parseLetterCountQuestion(row.prompt)!;
    assert.ok(!heldOut.has(parsed.word) && !hard.has(parsed.word), parsed.word);
    if (parsed.letters.length === 2) two++;
    assert.equal(row.completion, formatLetterCountResponse(parsed.word, parsed.letters));
    assert.ok(row.completion.endsWith(`<answer>${letterCountAnswer(parsed)}</answer>`));
  }
  assert.ok(arithmetic > 40 && arithmetic < 170, `arithmetic ${arithmetic}`);
  const share = two / (rows.length - arithmetic);
  assert.ok(share > 0.65 && share < 0.75, `two-letter share ${share}`);
  for (const q of heldOutQuestions(2, 50, 1)) assert.ok(heldOut.has(q.word) && q.letters.every((l) => q.word.includes(l)));
});
