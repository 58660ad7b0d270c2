/**
 * MATH-500 and AIME through the VerifierPool (2 workers): gold solutions verify against their
 * answers; shuffled (solution, other answer) pairs give no false positive.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mathTask, aimeTask, normalizeAnswer, VerifierPool, type MathReference, type Problem } from '../../src/tasks/index.ts';
import { dataFile } from '../helpers/data-paths.ts';

const pool = new VerifierPool({ workers: 2, timeoutMs: 5000 });
after(() => pool.close());

const MATH500 = dataFile('math500/test.jsonl');

test('math: every MATH-500 gold solution verifies against its answer (500/500)', async () => {
  const problems = mathTask.load(MATH500);
  assert.equal(problems.length, 500);
  const verdicts = await Promise.all(problems.map((p) => pool.verify('math', mathTask.goldOutput!(p)!, p)));
  const failures = verdicts.map((v, i) => ({ id: problems[i]!.id, ...v })).filter((v) => v.verdict !== 'correct');
  assert.deepEqual(failures, []);
});

/**
 * Shuffled pairs known to be mathematically equal although their strings differ (checked by hand):
 * `x=5` is an assignment of 5.
 */
const KNOWN_EQUAL = new Set(['5|x=5', 'x=5|5']);
/** Normalised answer text without spaces: pairs with the same key are the same answer. */
const key = (answer: string): string => normalizeAnswer(answer).replace(/\s+/g, '');

test('math: shuffled solution/answer pairs give no false positives (3,000 pairs over distinct answers)', async () => {
  const problems = mathTask.load(MATH500);
  // One problem per distinct answer, then each solution against 10 other answers.
  const byAnswer = new Map<string, Problem>();
  for (const p of problems) byAnswer.set((p.reference as MathReference).answer, p);
  const distinct = [...byAnswer.values()];
  const checks: Array<Promise<{ own: string; other: string; verdict: string; reason: string }>> = [];
  for (let shift = 1; shift <= 10; shift++) {
    for (let i = 0; i < distinct.length; i++) {
      const own = distinct[i]!;
      const other = distinct[(i + shift) % distinct.length]!;
      const ownAnswer = (own.reference as MathReference).answer;
      const otherAnswer = (other.reference as MathReference).answer;
      checks.push(
        pool
          .verify('math', mathTask.goldOutput!(own)!, other)
          .then((v) => ({ own: ownAnswer, other: otherAnswer, verdict: v.verdict, reason: v.reason })),
      );
    }
  }
  const results = await Promise.all(checks);
  assert.ok(results.length >= 3000);
  const falsePositives = results.filter(
    (r) => r.verdict === 'correct' && key(r.own) !== key(r.other) && !KNOWN_EQUAL.has(`${r.own}|${r.other}`),
  );
  assert.deepEqual(falsePositives, []);
  // Identical answers must still be recognised across different problems.
  const sameText = results.filter((r) => key(r.own) === key(r.other));
  for (const r of sameText) assert.equal(r.verdict, 'correct', `${r.own} vs ${r.other}`);
  assert.ok(results.filter((r) => r.verdict === 'wrong').length > 2900);
});

test('aime: 2024 gold solutions verify except one without a final answer; zero-padded and int answers', async () => {
  const problems = aimeTask.load(dataFile('aime/aime24.jsonl'));
  assert.equal(problems.length, 30);
  const verdicts = await Promise.all(problems.map((p) => pool.verify('aime', aimeTask.goldOutput!(p)!, p)));
  const notCorrect = verdicts.map((v, i) => [problems[i]!.id, v.verdict]).filter(([, v]) => v !== 'correct');
  // Problem 60's AoPS solution ends "$180 + 24 = 204$. -sepehr2010" with no \boxed and no "answer is".
  assert.deepEqual(notCorrect, [['60', 'no_answer']]);
  const padded = problems.find((p) => (p.reference as MathReference).answer === '025')!;
  assert.equal(aimeTask.verify('The answer is \\boxed{25}.', padded).verdict, 'correct');
  assert.equal(aimeTask.verify('The answer is \\boxed{250}.', padded).verdict, 'wrong');
  const aime25 = aimeTask.load(dataFile('aime/aime25.jsonl'));
  assert.equal(aime25.length, 30);
  assert.equal(aime25[0]!.id, '0');
  assert.equal((aime25[0]!.reference as MathReference).answer, '70');
  assert.equal(aimeTask.verify('so \\boxed{070}', aime25[0]!).verdict, 'correct');
  assert.equal(aimeTask.goldOutput!(aime25[0]!), null);
});
