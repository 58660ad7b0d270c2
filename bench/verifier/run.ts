/**
 * Verifier benchmark (issue 2, "Speed"): checks/s and p50/p99 latency on the GSM8K and MATH-500
 * gold sets, in one process and through the VerifierPool. Targets: >= 5,000 GSM8K checks/s in one
 * process; MATH-500 p99 <= 50 ms. Also times shuffled MATH-500 pairs (solution i vs answer j),
 * which exercise the compute-engine path instead of the text shortcut.
 *
 *   npm run bench:verifier                 # data from data/ (or $TREECOT_DATA)
 *   npm run bench:verifier -- --rounds 3
 */
import { join } from 'node:path';
import { gsm8kTask, mathTask, VerifierPool, type Problem, type Task } from '../../src/tasks/index.ts';
import { dataFile } from '../../test/helpers/data-paths.ts';

const DATA = dataFile('');
const roundsFlag = process.argv.indexOf('--rounds');
const ROUNDS = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 5;

interface Pair {
  output: string;
  problem: Problem;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function report(name: string, latencies: number[], seconds: number, extra = ''): void {
  const sorted = [...latencies].sort((a, b) => a - b);
  const line = [
    name.padEnd(44),
    `${String(latencies.length).padStart(6)} checks`,
    `${(latencies.length / seconds).toFixed(0).padStart(7)} checks/s`,
    `p50 ${percentile(sorted, 0.5).toFixed(3)} ms`,
    `p99 ${percentile(sorted, 0.99).toFixed(3)} ms`,
    `max ${sorted[sorted.length - 1]!.toFixed(1)} ms`,
  ].join('  ');
  console.log(line + (extra ? `  ${extra}` : ''));
}

function inProcess(name: string, task: Task, pairs: Pair[], rounds: number): void {
  const latencies: number[] = [];
  let correct = 0;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const { output, problem } of pairs) {
      const t = performance.now();
      const verdict = task.verify(output, problem);
      latencies.push(performance.now() - t);
      if (r === 0 && verdict.verdict === 'correct') correct++;
    }
  }
  report(name, latencies, (performance.now() - started) / 1000, `(${correct}/${pairs.length} correct)`);
}

async function viaPool(name: string, pool: VerifierPool, taskName: string, pairs: Pair[]): Promise<void> {
  // Latency: one check at a time (includes the message round trip to the worker).
  const latencies: number[] = [];
  for (const { output, problem } of pairs) {
    const t = performance.now();
    await pool.verify(taskName, output, problem);
    latencies.push(performance.now() - t);
  }
  // Throughput: all checks queued at once on the pool's workers.
  const started = performance.now();
  const verdicts = await Promise.all(pairs.map(({ output, problem }) => pool.verify(taskName, output, problem)));
  const seconds = (performance.now() - started) / 1000;
  const correct = verdicts.filter((v) => v.verdict === 'correct').length;
  const timeouts = verdicts.filter((v) => v.verdict === 'timeout').length;
  report(name, latencies, seconds, `(throughput with all queued; ${correct}/${pairs.length} correct, ${timeouts} timeouts)`);
}

const gsm8k = gsm8kTask.load(join(DATA, 'gsm8k/test.jsonl'));
const math500 = mathTask.load(join(DATA, 'math500/test.jsonl'));
const gsmGold = gsm8k.map((p) => ({ output: gsm8kTask.goldOutput!(p)!, problem: p }));
const mathGold = math500.map((p) => ({ output: mathTask.goldOutput!(p)!, problem: p }));
const mathShuffled = math500.map((p, i) => ({ output: mathTask.goldOutput!(p)!, problem: math500[(i + 7) % math500.length]! }));

console.log(`node ${process.version}, ${ROUNDS} rounds in-process; data ${DATA}`);
const warm = performance.now();
mathTask.verify('\\boxed{\\frac12}', { id: 'w', question: '', reference: { answer: '0.5', solution: null } });
console.log(`compute-engine warm-up (first parse): ${(performance.now() - warm).toFixed(0)} ms`);
inProcess('GSM8K gold, in-process', gsm8kTask, gsmGold, ROUNDS);
inProcess('MATH-500 gold, in-process', mathTask, mathGold, ROUNDS);
inProcess('MATH-500 shuffled pairs, in-process', mathTask, mathShuffled, 1);

const pool = new VerifierPool({ workers: 2 });
const poolStart = performance.now();
await pool.ready();
console.log(`pool start (2 workers, tsx + compute-engine load): ${(performance.now() - poolStart).toFixed(0)} ms`);
await viaPool('GSM8K gold, pool (short outputs in-process)', pool, 'gsm8k', gsmGold);
await viaPool('MATH-500 gold, pool (2 workers)', pool, 'math', mathGold);
await viaPool('MATH-500 shuffled pairs, pool (2 workers)', pool, 'math', mathShuffled);
await pool.close();
