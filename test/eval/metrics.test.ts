import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracy,
  majorityBaseline,
  meanPassAtK,
  median,
  noAnswerRate,
  passAtK,
  reflectionMarkers,
  repeatedLineRate,
} from '../../src/eval/index.ts';
import { summarize } from '../../src/eval/summarize.ts';
import type { EvalQuestionRecord } from '../../src/eval/index.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('pass@k equals 1 - C(n-c,k)/C(n,k) computed by hand', () => {
  // n = 5, c = 2: C(3,1)/C(5,1) = 3/5; C(3,2)/C(5,2) = 3/10; C(3,3)/C(5,3) = 1/10.
  close(passAtK(5, 2, 1), 0.4);
  close(passAtK(5, 2, 2), 0.7);
  close(passAtK(5, 2, 3), 0.9);
  assert.equal(passAtK(5, 2, 4), 1); // n - c = 3 < k: every 4-subset holds a correct sample
  assert.equal(passAtK(10, 0, 5), 0);
  assert.equal(passAtK(10, 10, 1), 1);
  // n = 8, c = 3, k = 4: 1 - C(5,4)/C(8,4) = 1 - 5/70.
  close(passAtK(8, 3, 4), 1 - 5 / 70);
  // pass@1 is the plain share correct.
  close(passAtK(16, 7, 1), 7 / 16);
  assert.throws(() => passAtK(4, 5, 1), RangeError);
  assert.throws(() => passAtK(4, 1, 5), RangeError);
  assert.throws(() => passAtK(4, 1, 0), RangeError);
});

test('pass@k: brute force over all k-subsets agrees with the estimator', () => {
  const n = 7;
  for (let c = 0; c <= n; c++) {
    const correct = Array.from({ length: n }, (_, i) => i < c);
    for (let k = 1; k <= n; k++) {
      let hit = 0;
      let total = 0;
      for (let mask = 0; mask < 1 << n; mask++) {
        let bits = 0;
        let any = false;
        for (let i = 0; i < n; i++) if (mask & (1 << i)) (bits++, (any ||= correct[i]!));
        if (bits !== k) continue;
        total++;
        if (any) hit++;
      }
      close(passAtK(n, c, k), hit / total, 1e-12);
    }
  }
});

test('meanPassAtK skips questions with fewer than k samples', () => {
  close(
    meanPassAtK(
      [
        { n: 5, c: 2 },
        { n: 5, c: 0 },
        { n: 1, c: 1 },
      ],
      2,
    ),
    (0.7 + 0) / 2,
  );
  assert.equal(meanPassAtK([], 1), 0);
});

test('accuracy and no-answer rate count verdict kinds; timeouts are neither correct nor no-answer', () => {
  const verdicts = ['correct', 'wrong', 'no_answer', 'timeout', 'correct'] as const;
  close(accuracy(verdicts), 2 / 5);
  close(noAnswerRate(verdicts), 1 / 5);
  assert.equal(accuracy([]), 0);
  assert.equal(noAnswerRate([]), 0);
});

test('median, reflection markers, repeated-line rate, majority baseline', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(reflectionMarkers("<reflection>Wait! something is wrong, let's think again.</reflection>"), 4);
  assert.equal(reflectionMarkers('no markers here; awaiting is not wait-free'), 1); // "wait" in "wait-free" is a word
  assert.equal(repeatedLineRate('a\nb\na\na\n\n'), 2 / 4);
  assert.equal(repeatedLineRate('<thinking>x</thinking><thinking>x</thinking><answer>x</answer>'), 1 / 3);
  assert.equal(repeatedLineRate(''), 0);
  const refs = [...Array(298).fill('3'), ...Array(100).fill('2'), ...Array(102).fill('4')];
  assert.deepEqual(majorityBaseline(refs), { answer: '3', accuracy: 0.596 });
});

test('summarize pools samples for rates and computes pass@k per question', () => {
  const sample = (verdict: 'correct' | 'wrong' | 'no_answer', text: string) => ({
    text,
    verdict,
    extracted: null,
    length_chars: text.length,
    completion_tokens: 2,
    finish_reason: 'stop',
    reflection_markers: reflectionMarkers(text),
    repeated_line_rate: repeatedLineRate(text),
    steps: { spelling: verdict === 'correct' ? 1 : 0, addition: null },
  });
  const records: EvalQuestionRecord[] = [
    {
      question_id: 'a',
      question: 'qa',
      reference: '3',
      n: 2,
      correct: 1,
      prompt_tokens: 5,
      samples: [sample('correct', 'xx'), sample('wrong', 'wait')],
    },
    {
      question_id: 'b',
      question: 'qb',
      reference: '3',
      n: 2,
      correct: 0,
      prompt_tokens: 5,
      samples: [sample('no_answer', 'abcdef'), sample('wrong', 'y')],
    },
  ];
  const s = summarize(records, {
    name: 't',
    task: 'letter-count',
    policy: 'p',
    decode: 'sample',
    data: 'd',
    temperature: 0.7,
    maxTokens: 9,
    k: [1, 2],
    wallS: 1,
  });
  close(s.accuracy, 1 / 4);
  close(s.no_answer_rate, 1 / 4);
  close(s.pass_at_k['1']!, (0.5 + 0) / 2);
  close(s.pass_at_k['2']!, (1 + 0) / 2);
  assert.equal(s.median_length_chars, 3);
  close(s.mean_length_chars, (2 + 4 + 6 + 1) / 4);
  close(s.reflection_markers_per_response, 1 / 4);
  assert.deepEqual(s.step_accuracy, { spelling: 1 / 4 });
  assert.deepEqual(s.verdicts, { correct: 1, wrong: 2, no_answer: 1, timeout: 0 });
  assert.equal(s.prompt_tokens, 10);
  assert.equal(s.completion_tokens, 8);
});
