/**
 * kill -9 at random points across seeded searches, then resume (issue 15, "Must show"):
 * counts lost and duplicated nodes and checks that the exported trees and the built data set
 * are byte-identical to an uninterrupted run.
 *
 *   node --import tsx bench/robust/kill-resume.ts --kills 100 --questions 8
 *
 * Each search runs in a child process (test/search/fixtures/search-child.ts: the deterministic
 * hashed letter-count policy, concurrency 3) that prints "rollout N" after each commit; the
 * parent sends SIGKILL after a random number of further rollouts (seeded), re-runs the same
 * search, and repeats until it finishes; then starts the next search file, until `--kills`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Rng } from '../../src/core/index.ts';
import { buildDataset, parseBuildOptions, renderDatasetFiles } from '../../src/data/index.ts';
import { exportTree, runSearch } from '../../src/search/index.ts';
import { readRun } from '../../src/store/index.ts';
import { crashTestConfig } from '../../test/search/fixtures/crash-config.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from '../../test/search/helpers.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    questions: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
  },
});
const KILLS = Number(values.kills);
const QUESTIONS = Number(values.questions);
const CHILD = new URL('../../test/search/fixtures/search-child.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'treecot-kill-resume-'));
const rng = new Rng(Number(values.seed));

/** Every exported file of a database: one tree JSON per question and the built data set. */
function exports(db: string): Map<string, Buffer> {
  const data = readRun(db, { nodeIds: 'per-question' });
  const files = new Map<string, Buffer>();
  for (const q of data.questions) files.set(`trees/${q.questionId}.json`, Buffer.from(`${JSON.stringify(exportTree(q), null, 2)}\n`));
  const built = buildDataset(data, parseBuildOptions({ sft: 'all', pairsPerQuestion: 2 }), { source: 'run.db' });
  for (const [name, bytes] of renderDatasetFiles(built, { parquet: true })) files.set(`data/${name}`, Buffer.from(bytes));
  return files;
}

function snapshot(db: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const q of readRun(db).questions)
    for (const n of q.nodes) map.set(`${q.questionId}#${n.id}`, JSON.stringify([n.parentId, n.type, n.content]));
  return map;
}

/** Run the child; SIGKILL it after `killAfter` more rollouts (null: let it finish). */
function runChild(db: string, killAfter: number | null): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, String(QUESTIONS), '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let killed = false;
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('rollout ') && killAfter !== null && ++seen >= killAfter && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' || code === 0 ? resolve({ killed }) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

const started = Date.now();
const reference = join(dir, 'reference.db');
await runSearch({
  config: crashTestConfig(),
  task: 'letter-count',
  defaultInstruction: letterCountTask.defaultInstruction,
  problems: letterCountTask.load(LETTER_COUNT_DATA).slice(0, QUESTIONS),
  dbPath: reference,
  policy: hashedLetterCountPolicy(),
  verify: verifyLetterCount,
  concurrency: 3,
});
const want = exports(reference);
let kills = 0;
let lost = 0;
let searches = 0;
let identical = 0;
let differing = 0;
let duplicates = 0;
while (kills < KILLS) {
  const db = join(dir, `run-${searches++}.db`);
  let committed = new Map<string, string>();
  for (;;) {
    const { killed } = await runChild(db, rng.int(1, 40));
    if (!killed) break;
    kills++;
    const now = snapshot(db);
    for (const [key, value] of committed) if (now.get(key) !== value) lost++;
    committed = now;
    if (kills >= KILLS) {
      await runChild(db, null);
      break;
    }
  }
  const got = exports(db);
  for (const [name, bytes] of want) got.get(name)?.equals(bytes) ? identical++ : differing++;
  for (const q of readRun(db).questions) {
    const seen = new Set<string>();
    for (const n of q.nodes) {
      const key = `${n.parentId}|${n.type}|${n.content}`;
      if (n.type !== 'reflection' && seen.has(key)) duplicates++;
      seen.add(key);
    }
  }
  process.stderr.write(
    `search ${searches}: ${kills} kills so far, lost ${lost}, duplicates ${duplicates}, files identical ${identical}, differing ${differing}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({ kills, searches, questions_per_search: QUESTIONS, lost_nodes: lost, duplicate_nodes: duplicates, files_identical: identical, files_differing: differing, files_per_search: want.size, wall_s: (Date.now() - started) / 1000, loadavg_1m: loadavg()[0] })}\n`,
);
