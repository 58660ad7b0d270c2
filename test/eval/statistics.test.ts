import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  comparePaired,
  compareRecords,
  exactMcNemar,
  meanStandardError,
  pairedBootstrap,
  proportionStandardError,
  rateWithError,
  referenceText,
  wilsonInterval,
  type EvalQuestionRecord,
} from '../../src/eval/index.ts';
import type { VerdictKind } from '../../src/tasks/index.ts';
import { summarize } from '../../src/eval/summarize.ts';
import { getTask } from '../../src/tasks/index.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('binomial standard error: sqrt(0.3 * 0.7 / 100) = 0.0458258', () => {
  close(proportionStandardError(30, 100), Math.sqrt(0.0021));
  close(proportionStandardError(30, 100), 0.0458257569495584);
  assert.equal(proportionStandardError(0, 0), 0);
  assert.equal(proportionStandardError(10, 10), 0);
});

test('Wilson interval: 30/100 -> [0.21895, 0.39585]; 0/10 -> [0, z²/n / (1 + z²/n)] = [0, 0.27753]', () => {
  const [lo, hi] = wilsonInterval(30, 100);
  close(lo, 0.21894885294932756, 1e-12);
  close(hi, 0.3958485463334666, 1e-12);
  // p = 0: centre and half-width are both z²/2n, so the lower end is 0 and the upper is (z²/n)/(1+z²/n).
  const z2n = 1.959963984540054 ** 2 / 10;
  const [lo0, hi0] = wilsonInterval(0, 10);
  close(lo0, 0);
  close(hi0, z2n / (1 + z2n));
  close(hi0, 0.2775327998628892, 1e-12);
});

test('standard error of a mean: [1,2,3,4] -> sqrt(5/3)/2', () => {
  close(meanStandardError([1, 2, 3, 4]), Math.sqrt(5 / 3) / 2);
  assert.equal(meanStandardError([0.7]), 0);
});

test('rateWithError: binomial for 0/1 shares, mean standard error for fractional shares', () => {
  const binary = rateWithError([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  close(binary.value, 0.3);
  close(binary.se, Math.sqrt(0.021));
  assert.deepEqual(binary.ci95, wilsonInterval(3, 10));
  const shares = rateWithError([0.5, 1, 0]);
  close(shares.value, 0.5);
  close(shares.se, 0.5 / Math.sqrt(3)); // sample sd 0.5 over 3 questions
  assert.deepEqual(shares.ci95, [0, 1]); // 0.5 ± 1.96 * 0.2887 clipped
});

test('exact McNemar against hand-computed binomial tails', () => {
  close(exactMcNemar(1, 6), 0.125); // 2 * (C(7,0) + C(7,1)) / 2^7 = 2 * 8/128
  close(exactMcNemar(0, 5), 0.0625); // 2 / 32
  close(exactMcNemar(2, 10), (2 * (1 + 12 + 66)) / 4096); // 0.0385742...
  close(exactMcNemar(10, 2), (2 * (1 + 12 + 66)) / 4096); // symmetric
  assert.equal(exactMcNemar(3, 3), 1); // 2 * 42/64 > 1 is capped
  assert.equal(exactMcNemar(0, 0), 1);
  assert.throws(() => exactMcNemar(-1, 2), RangeError);
  assert.throws(() => exactMcNemar(1.5, 2), RangeError);
});

test('comparePaired with one sample per question: matched ids, McNemar counts, standard error of the differences', () => {
  const a = new Map([
    ['q1', 1],
    ['q2', 0],
    ['q3', 1],
    ['q4', 0],
  ]);
  const b = new Map([
    ['q1', 1],
    ['q2', 1],
    ['q3', 0],
    ['q4', 1],
    ['q5', 1],
  ]);
  const c = comparePaired(a, b);
  assert.equal(c.n, 4); // q5 is not in a
  assert.equal(c.test, 'exact-mcnemar');
  assert.equal(c.onlyA, 1);
  assert.equal(c.onlyB, 2);
  close(c.difference, 0.25);
  close(c.se, Math.sqrt(2.75 / 3) / 2); // differences 0, 1, -1, 1
  close(c.pValue, 1); // 2 * (C(3,0) + C(3,1)) / 8 = 1
  assert.throws(() => comparePaired(new Map([['x', 1]]), new Map([['y', 1]])), RangeError);
});

test('paired bootstrap: all-positive differences give the smallest p it can show, 2/(B+1), all-zero give p = 1, and a seed reproduces it', () => {
  // No resample falls at or below 0: (0 + 1) / 501 on each side, doubled; never p = 0.
  assert.deepEqual(pairedBootstrap([1, 1, 0.5], { resamples: 500 }), { pValue: 2 / 501, ci95: [0.5, 1] });
  assert.equal(pairedBootstrap([0, 0, 0], { resamples: 200 }).pValue, 1);
  const diffs = [0.25, -0.5, 0.75, 0, 0.5, -0.25, 0.5, 0.25];
  assert.deepEqual(pairedBootstrap(diffs, { seed: 3, resamples: 2000 }), pairedBootstrap(diffs, { seed: 3, resamples: 2000 }));
  const spread = comparePaired(
    new Map([
      ['a', 0.5],
      ['b', 0],
      ['c', 0.25],
    ]),
    new Map([
      ['a', 1],
      ['b', 0.5],
      ['c', 0.75],
    ]),
    { resamples: 1000 },
  );
  assert.equal(spread.test, 'paired-bootstrap');
  assert.equal(spread.pValue, 2 / 1001); // every question improved by 0.5: the smallest p 1000 resamples can show
});

function record(id: string, reference: string, verdicts: VerdictKind[]): EvalQuestionRecord {
  return {
    question_id: id,
    question: id,
    reference,
    n: verdicts.length,
    correct: verdicts.filter((v) => v === 'correct').length,
    samples: verdicts.map((verdict) => ({
      text: '',
      verdict,
      extracted: null,
      length_chars: 0,
      completion_tokens: 0,
      finish_reason: 'stop',
      reflection_markers: 0,
      repeated_line_rate: 0,
    })),
    prompt_tokens: 0,
  };
}

const context = {
  name: 't',
  task: 'letter-count',
  policy: 'p',
  decode: 'sample' as const,
  data: '',
  temperature: 0,
  maxTokens: 8,
  k: [1],
  wallS: 0,
};

test('summarize reports standard errors and intervals over questions, and compareRecords pairs two runs', () => {
  const base = ['correct', 'wrong', 'no_answer', 'wrong', 'correct'] as const;
  const after = ['correct', 'correct', 'correct', 'wrong', 'correct'] as const;
  const a = base.map((v, i) => record(`q${i}`, '3', [v]));
  const b = after.map((v, i) => record(`q${i}`, '3', [v]));
  const s = summarize(a, context);
  close(s.accuracy, 0.4);
  close(s.accuracy_se, Math.sqrt((0.4 * 0.6) / 5));
  assert.deepEqual(s.accuracy_ci95, wilsonInterval(2, 5));
  close(s.no_answer_rate_se, Math.sqrt((0.2 * 0.8) / 5));
  const c = compareRecords(a, b);
  assert.equal(c.accuracy.onlyB, 2);
  assert.equal(c.accuracy.onlyA, 0);
  close(c.accuracy.pValue, 0.5); // 2 * C(2,0) / 4
  close(c.no_answer_rate.difference, -0.2);
  // Several samples per question: the question's share is the observation.
  const multi = summarize([record('x', '1', ['correct', 'wrong']), record('y', '1', ['correct', 'correct'])], context);
  close(multi.accuracy, 0.75);
  close(multi.accuracy_se, meanStandardError([0.5, 1]));
});

test('the majority baseline counts extracted reference answers (GSM8K "#### 5", MATH answer), not reference objects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-majority-'));
  const gsmFile = join(dir, 'gsm.jsonl');
  const rows = [
    { question: 'a?', answer: 'Two plus three.\n#### 5' },
    { question: 'b?', answer: 'Five more than nothing.\n#### 5' },
    { question: 'c?', answer: 'It is seven.\n#### 7' },
  ];
  writeFileSync(gsmFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const gsm8k = getTask('gsm8k');
  const problems = gsm8k.load(gsmFile);
  const references = problems.map((p) => referenceText(p, gsm8k));
  assert.deepEqual(references, ['5', '5', '7']);
  const s = summarize(
    problems.map((p, i) => record(p.id, references[i]!, ['wrong'])),
    context,
  );
  assert.equal(s.majority_baseline.answer, '5');
  close(s.majority_baseline.accuracy, 2 / 3);
  close(s.majority_baseline.se!, Math.sqrt(((2 / 3) * (1 / 3)) / 3));
  const mathFile = join(dir, 'math.jsonl');
  writeFileSync(
    mathFile,
    [{ problem: 'x?', solution: 'so \\boxed{\\frac{1}{2}}', answer: '\\frac{1}{2}' }].map((r) => JSON.stringify(r)).join('\n') + '\n',
  );
  const math = getTask('math');
  assert.equal(referenceText(math.load(mathFile)[0]!, math), '\\frac{1}{2}');
});
