/**
 * VerifierPool: pathological inputs get a clear verdict within the default 2 s limit without
 * blocking the event loop; an overrunning check becomes `timeout` and its worker is replaced.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierPool, gsm8kTask, type Problem } from '../../src/tasks/index.ts';

const LIMIT_MS = 2000;
const pool = new VerifierPool({ workers: 2, timeoutMs: LIMIT_MS });
after(() => pool.close());

const problem: Problem = { id: 'p', question: 'q', reference: { answer: '\\frac{1}{2}', solution: null } };

/** Runs `work` while a 10 ms interval measures the longest gap between ticks (event-loop stalls). */
async function withHeartbeat<T>(work: () => Promise<T>): Promise<{ value: T; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  try {
    const value = await work();
    return { value, maxGapMs: Math.max(maxGapMs, performance.now() - last) };
  } finally {
    clearInterval(timer);
  }
}

test('pool: a normal check is correct, wrong or no_answer as the task says', async () => {
  await pool.ready();
  assert.equal((await pool.verify('math', 'so $\\boxed{0.5}$', problem)).verdict, 'correct');
  assert.equal((await pool.verify('math', 'so $\\boxed{0.25}$', problem)).verdict, 'wrong');
  assert.equal((await pool.verify('math', 'I do not know', problem)).verdict, 'no_answer');
  await assert.rejects(pool.verify('no-such-task', 'x', problem), /unknown task "no-such-task"/);
});

const PATHOLOGICAL: Array<[string, string]> = [
  ['tower of powers', '\\boxed{10^{10^{10^{10}}}}'],
  ['tower vs tower + 1', 'The answer is $\\boxed{10^{10^{10^{10}}}+1}$'],
  ['5,000 nested braces', `\\boxed{${'{'.repeat(5000)}1${'}'.repeat(5000)}}`],
  ['5,000 unclosed braces', `\\boxed{${'{'.repeat(5000)}1`],
  ['1 MB string', 'x'.repeat(1_000_000)],
  ['1 MB boxed', `\\boxed{${'1+'.repeat(500_000)}1}`],
  ['1 MB of boxes', '\\boxed{1}'.repeat(100_000)],
  ['deep radicals', `\\boxed{${'\\sqrt{'.repeat(150)}2${'}'.repeat(150)}}`],
];

for (const [name, output] of PATHOLOGICAL) {
  test(`pool: pathological input "${name}" gets a verdict within the limit without blocking the event loop`, async () => {
    const started = performance.now();
    const { value: verdict, maxGapMs } = await withHeartbeat(() => pool.verify('math', output, problem));
    const elapsed = performance.now() - started;
    assert.ok(['wrong', 'no_answer', 'timeout'].includes(verdict.verdict), `${verdict.verdict}: ${verdict.reason}`);
    assert.ok(verdict.reason.length > 0);
    assert.ok(elapsed < LIMIT_MS + 1000, `took ${elapsed.toFixed(0)} ms`);
    // Posting a 1 MB string copies it on this thread; anything near the limit would be a blocked loop.
    assert.ok(maxGapMs < 500, `event loop stalled for ${maxGapMs.toFixed(0)} ms`);
  });
}

test('pool: a check that overruns its limit becomes "timeout", the worker is replaced and the pool keeps working', async () => {
  const single = new VerifierPool({ workers: 1 });
  try {
    await single.ready();
    // 12 distinct 20-deep nested sines compared as unordered lists: ~200 ms of work in a fresh worker.
    const items = Array.from({ length: 12 }, (_, k) => `${'\\sin('.repeat(20)}x+${k}${')'.repeat(20)}`);
    const heavy = `\\boxed{${items.join(', ')}}`;
    const heavyProblem: Problem = { id: 'h', question: 'q', reference: { answer: [...items].reverse().join(', '), solution: null } };
    const { value: verdict, maxGapMs } = await withHeartbeat(() => single.verify('math', heavy, heavyProblem, { timeoutMs: 20 }));
    assert.equal(verdict.verdict, 'timeout');
    assert.match(verdict.reason, /within 20 ms/);
    assert.equal(verdict.reference, (heavyProblem.reference as { answer: string }).answer);
    assert.ok(maxGapMs < 500);
    assert.deepEqual([single.stats.timeouts, single.stats.workersReplaced], [1, 1]);
    // The replacement worker answers the next checks (the same heavy one, given the default 2 s limit).
    assert.equal((await single.verify('math', '\\boxed{\\frac{2}{4}}', problem)).verdict, 'correct');
    assert.equal((await single.verify('math', heavy, heavyProblem)).verdict, 'correct');
    assert.deepEqual([single.stats.timeouts, single.stats.workersReplaced], [1, 1]);
  } finally {
    await single.close();
  }
});

test('pool: short gsm8k outputs are checked in-process, long ones in a worker, with the same verdict', async () => {
  const gsmProblem: Problem = { id: 'g', question: 'q', reference: { answer: '18', solution: null } };
  const before = { ...pool.stats };
  assert.equal((await pool.verify('gsm8k', '#### 18', gsmProblem)).verdict, 'correct');
  assert.equal(pool.stats.inProcess, before.inProcess + 1);
  const long = `${'so on. '.repeat(5000)}#### 18`;
  assert.equal((await pool.verify('gsm8k', long, gsmProblem)).verdict, 'correct');
  assert.equal(pool.stats.inProcess, before.inProcess + 1);
  assert.equal(gsm8kTask.verify(long, gsmProblem).verdict, 'correct');
});

test('pool: checks run concurrently on two workers and keep their order per promise', async () => {
  const outputs = Array.from({ length: 40 }, (_, k) => `\\boxed{\\frac{${k}}{${2 * k || 1}}}`);
  const verdicts = await Promise.all(outputs.map((o) => pool.verify('math', o, problem)));
  assert.deepEqual(
    verdicts.map((v) => v.verdict),
    outputs.map((_, k) => (k === 0 ? 'wrong' : 'correct')),
  );
  assert.deepEqual(
    verdicts.map((v) => v.extracted),
    outputs.map((o) => o.slice(7, -1)),
  );
});
