import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSearch, exportTree } from '../../src/search/index.ts';
import { readRun, SearchStore } from '../../src/store/index.ts';
import { crashTestConfig } from './fixtures/crash-config.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA, normaliseTree } from './helpers.ts';

const QUESTIONS = 6;
const CHILD = new URL('./fixtures/search-child.ts', import.meta.url).pathname;

/** Run the child; kill -9 it once it has printed `killAfter` rollouts (null: let it finish). */
function runChild(db: string, killAfter: number | null): Promise<{ killed: boolean; rollouts: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, String(QUESTIONS), '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let rollouts = 0;
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      rollouts = (out.match(/^rollout /gm) ?? []).length;
      if (killAfter !== null && !killed && rollouts >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ killed: signal === 'SIGKILL', rollouts, out });
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

type NodeKey = { id: number; parent: number | null; type: string; content: string };
/** Every node keyed by question and per-question id (readRun numbers nodes per question). */
function snapshot(db: string): Map<string, NodeKey> {
  const map = new Map<string, NodeKey>();
  for (const q of readRun(db).questions)
    for (const n of q.nodes) map.set(`${q.questionId}#${n.id}`, { id: n.id, parent: n.parentId, type: n.type, content: n.content });
  return map;
}

test(
  'crash: kill -9 at several points, re-run: nothing lost or duplicated, and the trees equal an uninterrupted run',
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treecot-crash-'));
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
    const db = join(dir, 'crashed.db');
    const committed = new Map<string, NodeKey>();
    let kills = 0;
    for (const killAfter of [2, 9, 25]) {
      const result = await runChild(db, killAfter);
      if (!result.killed) break; // finished before the kill point
      kills++;
      // Whatever the killed process committed is there, and every earlier snapshot survives unchanged.
      const now = snapshot(db);
      for (const [id, node] of committed) assert.deepEqual(now.get(id), node, `node ${id} lost or changed after kill ${kills}`);
      for (const [id, node] of now) committed.set(id, node);
    }
    assert.ok(kills >= 2, `the child was killed mid-run at least twice (got ${kills})`);
    const final = await runChild(db, null);
    assert.match(final.out, /done /);
    const after = snapshot(db);
    for (const [id, node] of committed) assert.deepEqual(after.get(id), node, `committed node ${id} lost`);
    const { questions } = readRun(db);
    assert.equal(questions.length, QUESTIONS);
    for (const q of questions) {
      assert.ok(['solved', 'gave_up'].includes(q.status), `${q.questionId} is ${q.status}`);
      // No duplicates: no two children of one parent with the same type and text (merged on creation) except reflections.
      const seen = new Set<string>();
      for (const n of q.nodes) {
        if (n.type === 'reflection') continue;
        const key = `${n.parentId}|${n.type}|${n.content}`;
        assert.ok(!seen.has(key), `duplicate node ${key}`);
        seen.add(key);
      }
    }
    // Visit counts agree with the committed rollouts.
    const store = SearchStore.open(db);
    for (const q of questions) assert.equal(store.rebuildCounts(1, q.questionId), 0);
    store.close();
    const norm = (file: string) => JSON.parse(JSON.stringify(readRun(file).questions.map((q) => normaliseTree(exportTree(q)))));
    assert.deepEqual(norm(db), norm(reference));
    // And the exported files are byte-identical (per-question node ids; issue 15 item 5).
    const files = (file: string) =>
      readRun(file, { nodeIds: 'per-question' }).questions.map((q) => `${JSON.stringify(exportTree(q), null, 2)}\n`);
    assert.deepEqual(files(db), files(reference));
  },
);
