/**
 * One writer per search database (issue 15 item 1): while a real search runs in a child
 * process, a second search on the same file is refused at once naming the holder; readers
 * keep working; after the holder is killed with SIGKILL the next search takes over and
 * finishes the same trees.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { StoreError } from '../../src/core/index.ts';
import { runSearch } from '../../src/search/index.ts';
import { readRun, SearchStore } from '../../src/store/index.ts';
import { acquireWriterLock, readWriterHolder } from '../../src/store/writer-lock.ts';
import { crashTestConfig } from './fixtures/crash-config.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from './helpers.ts';
import { startOpenAITestServer } from '../helpers/openai-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-lock-'));
const CHILD = new URL('./fixtures/search-child.ts', import.meta.url).pathname;
const BIN = new URL('../../bin/treecot.js', import.meta.url).pathname;
const problems = letterCountTask.load(LETTER_COUNT_DATA).slice(0, 3);
const server = await startOpenAITestServer({ responder: (r) => Array.from({ length: r.choices }, () => ' step') });
after(() => server.close());

/** Start the search child and resolve once it has committed `rollouts` rollouts. */
function startWriter(db: string, rollouts: number, latencyMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, String(problems.length), String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line === `rollout ${rollouts}` || line.startsWith('done ')) resolve();
    });
    child.on('exit', () => reject(new Error('search child exited before it was ready')));
  });
  return { child, exited, ready };
}

test(
  'a second writer is refused in under a second naming the holder; readers keep working; a killed holder is taken over',
  { timeout: 120_000 },
  async () => {
    const db = join(dir, 'one.db');
    // Slow policy calls (1.5 s each) keep the holder searching through the whole check, even on a loaded machine.
    const writer = startWriter(db, 1, 1500);
    await writer.ready;

    // Second writer in this process, through the library: refused at once, holder named.
    const started = performance.now();
    await assert.rejects(
      runSearch({
        config: crashTestConfig(),
        task: 'letter-count',
        defaultInstruction: letterCountTask.defaultInstruction,
        problems,
        dbPath: db,
        policy: hashedLetterCountPolicy(),
        verify: verifyLetterCount,
      }),
      (error: unknown) => {
        assert.ok(StoreError.isInstance(error));
        assert.match(error.message, new RegExp(`PID ${writer.child.pid} on host ${hostname()}, since \\d{4}-`));
        assert.match(error.message, /--shard/);
        assert.match(error.message, /[Ww]ait/);
        return true;
      },
    );
    const refusedMs = performance.now() - started;
    assert.ok(refusedMs < 1000, `refused after ${refusedMs.toFixed(0)} ms`);

    // The CLI: one clear line, exit 1, no stack trace.
    const cli = await promisify(execFile)(
      process.execPath,
      [
        BIN,
        'search',
        '--config',
        'configs/letter-count.yaml',
        '--task',
        'letter-count',
        '--data',
        LETTER_COUNT_DATA,
        '--out',
        db,
        '--policy',
        server.baseURL,
        '--model',
        'm',
        '--template',
        'chatml',
        '--no-progress',
      ],
      { timeout: 60_000 },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(cli.code, 1);
    assert.match(
      cli.stderr,
      new RegExp(`treecot: .*one\\.db: another treecot process is writing this search database \\(PID ${writer.child.pid}`),
    );
    assert.doesNotMatch(cli.stderr, /\n\s+at /, 'no stack trace');

    // Readers work during the search.
    const during = readRun(db);
    assert.equal(during.questions.length, problems.length);
    assert.ok(during.questions.some((q) => q.nodes.length > 0));

    // kill -9: the OS drops the lock; the holder file still names the dead process.
    writer.child.kill('SIGKILL');
    await writer.exited;
    assert.equal(readWriterHolder(db)?.pid, writer.child.pid);
    const resumed = startWriter(db, Number.MAX_SAFE_INTEGER, 0);
    await resumed.ready;
    assert.equal(await resumed.exited, 0);
    assert.equal(readWriterHolder(db), null, 'a clean exit removes its holder file');
    assert.ok(readRun(db).questions.every((q) => q.status !== 'running' && q.status !== 'pending'));
  },
);

test('the lock is per file and released by close; a read-only open takes no lock', () => {
  const a = join(dir, 'a.db');
  const store = SearchStore.open(a);
  assert.throws(() => SearchStore.open(a), /another treecot process is writing/);
  const other = SearchStore.open(join(dir, 'b.db'));
  other.close();
  store.close();
  const reopened = SearchStore.open(a);
  const reader = SearchStore.open(a, { readonly: true });
  reader.close();
  reopened.close();
  const lock = acquireWriterLock(a);
  assert.equal(lock.holder.pid, process.pid);
  assert.ok(existsSync(`${a}.lock.json`));
  lock.release();
  assert.ok(!existsSync(`${a}.lock.json`));
});
