/**
 * Readers of a data folder cut between the two renames of its replacement (replace-folder.ts):
 * the folder is absent, its previous version sits in `.data.old-PID` and the complete new one
 * in `.data.staging-PID`. The states come from a real writer process, killed with SIGKILL or
 * paused right after the first rename. `train --data DIR`, `train --data DIR/sft.jsonl` and
 * export-trl's reader must read the wholly old version (writer dead), wait for the new one
 * (writer alive), or fail with one line naming the backup and the `mv` that restores it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DataError, recoverForReading } from '../../src/core/index.ts';
import { processStartTicks } from '../../src/core/process-identity.ts';
import { readBuiltData, writeFilesStaged } from '../../src/data/index.ts';
import { CharTokenizer, encodeSftRow, readSftRows, trainingDataFile, type LossSettings } from '../../src/train/index.ts';
import { trainModel } from '../../src/pipeline/adapters.ts';
import type { PipelineConfig } from '../../src/pipeline/config.ts';
import { versionFiles } from './fixtures/replace-versions.ts';

const CHILD = new URL('./fixtures/replace-child.ts', import.meta.url).pathname;
const SFT: Pick<LossSettings, 'lossType'> = { lossType: ['sft'] };
const BIN = new URL('../../bin/treecot.js', import.meta.url).pathname;
const BUILTIN_GGUF = new URL('../../models/builtin.gguf', import.meta.url).pathname;

/** A data folder holding version 1, and a writer of version 2 killed right after moving it away. */
function cutByKill(): { parent: string; out: string } {
  const parent = mkdtempSync(join(tmpdir(), 'treecot-readers-'));
  const out = join(parent, 'data');
  writeFilesStaged(out, versionFiles(1));
  const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, out, '2', 'old-moved-away'], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  // The exact state: no folder, the old version moved away, the new one staged.
  assert.equal(existsSync(out), false);
  assert.deepEqual(
    readdirSync(parent)
      .map((e) => e.replace(/-\d+(-\d+)?$/, '-PID'))
      .sort(),
    ['.data.old-PID', '.data.staging-PID'],
  );
  return { parent, out };
}

/** The version a list of SFT completions ('v1 answer 0', ...) comes from. */
function versionOf(completions: string[]): number {
  const versions = new Set(completions.map((c) => Number(/^v(\d+) /.exec(c)![1])));
  assert.equal(versions.size, 1, `one version, not a mix: ${[...versions]}`);
  return [...versions][0]!;
}

test('writer killed between the renames: train --data DIR, DIR/sft.jsonl and export-trl read the old version and clean up', () => {
  for (const reader of ['folder', 'file', 'export-trl'] as const) {
    const { parent, out } = cutByKill();
    let completions: string[];
    if (reader === 'export-trl') completions = readBuiltData(out).sft.map((r) => r.completion);
    else completions = readSftRows(trainingDataFile(reader === 'folder' ? out : join(out, 'sft.jsonl'), SFT)).map((r) => r.completion);
    assert.equal(versionOf(completions), 1, reader);
    assert.equal(completions.length, 4, `${reader}: all rows of version 1`);
    assert.deepEqual(readdirSync(parent), ['data'], `${reader}: no staging or old folder left`);
  }
});

test("writer killed between the renames: the pipeline's train stage trains on the old version and cleans up", async () => {
  const { parent, out } = cutByKill();
  const work = mkdtempSync(join(tmpdir(), 'treecot-readers-train-'));
  const folder = {
    dir: work,
    model: join(work, 'model.gguf'),
    log: join(work, 'train-log.jsonl'),
    checkpoint: join(work, 'ckpt'),
    refLogps: join(work, 'ref'),
  };
  const config = { seed: 1, train: { workers: 1, sft: { steps: 1, batch_size: 4, learning_rate: 1e-3 } } } as unknown as PipelineConfig;
  const entry = await trainModel({ stage: 'sft', kind: 'sft', initModel: BUILTIN_GGUF, dataDir: out, folder, config, log: () => {} });
  assert.equal(entry.steps, 1);
  assert.deepEqual(readdirSync(parent), ['data'], 'no staging or old folder left');
  assert.equal(versionOf(readSftRows(join(out, 'sft.jsonl')).map((r) => r.completion)), 1);
  // The step trained on all 4 rows of version 1 (version 2 has 5).
  const step = JSON.parse(readFileSync(folder.log, 'utf8').trim().split('\n')[0]!) as { num_tokens: number };
  const tokenizer = new CharTokenizer();
  const v1 = readSftRows(join(out, 'sft.jsonl'));
  assert.equal(
    step.num_tokens,
    v1.reduce((n, row) => n + encodeSftRow(tokenizer, row, 128, { file: 'rows' }).tokens.length, 0),
  );
  rmSync(work, { recursive: true, force: true });
  rmSync(parent, { recursive: true, force: true });
});

/** Make `dir` refuse new entries and renames even for root (chmod does not stop root; chattr +i does on ext4). */
function makeReadOnly(dir: string): (() => void) | null {
  const probe = join(dir, '.probe');
  chmodSync(dir, 0o555);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch {
    return () => chmodSync(dir, 0o755);
  }
  chmodSync(dir, 0o755);
  if (spawnSync('chattr', ['+i', dir]).status === 0) return () => void spawnSync('chattr', ['-i', dir]);
  return null;
}

test('writer killed and the parent read-only: one line naming the backup and the mv that restores it', async (t) => {
  const { parent, out } = cutByKill();
  const restore = makeReadOnly(parent);
  if (!restore) return t.skip('cannot make a folder read-only here (needs chmod as non-root, or chattr +i)');
  try {
    const before = readdirSync(parent).sort();
    const old = before.find((e) => e.startsWith('.data.old-'))!;
    for (const path of [out, join(out, 'sft.jsonl')]) {
      assert.throws(
        () => trainingDataFile(path, SFT),
        (e: unknown) =>
          e instanceof DataError &&
          e.message.includes(`killed while replacing it`) &&
          e.message.includes(`mv '${join(parent, old)}' '${out}'`) &&
          e.message.startsWith(`${path}: `),
      );
    }
    assert.throws(() => readBuiltData(out), /cannot be renamed back from here \((EACCES|EPERM)\)/);
    assert.deepEqual(readdirSync(parent).sort(), before, 'nothing moved or deleted');
    // The CLI prints it as one line (no stack) and exits 1.
    const cli = spawnSync(process.execPath, [BIN, 'train', out, '--init', 'L1-d8', '--out', join(tmpdir(), 'unused.gguf')], {
      encoding: 'utf8',
    });
    assert.equal(cli.status, 1, cli.stderr);
    assert.match(cli.stderr, /killed while replacing it.*Restore it with: mv '/);
    assert.doesNotMatch(cli.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    restore();
  }
  // Once the parent is writable, the next reader restores the old version.
  assert.equal(versionOf(readSftRows(trainingDataFile(out, SFT)).map((r) => r.completion)), 1);
});

/** A writer of version 2 that pauses `ms` right after moving version 1 away (alive between its renames). */
async function pausedWriter(ms: number): Promise<{ parent: string; out: string; child: ChildProcess; exited: Promise<number | null> }> {
  const parent = mkdtempSync(join(tmpdir(), 'treecot-readers-'));
  const out = join(parent, 'data');
  writeFilesStaged(out, versionFiles(1));
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, out, '2', 'old-moved-away', `pause:${ms}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line === 'paused' && resolve());
    child.on('exit', (code) => reject(new Error(`the writer exited (${code}) before pausing`)));
  });
  assert.equal(existsSync(out), false, 'the folder is absent while the writer is between its renames');
  return { parent, out, child, exited };
}

test('a live writer between the renames: the reader waits and reads the new version', { timeout: 60_000 }, async () => {
  const { out, exited } = await pausedWriter(400);
  const started = Date.now();
  const completions = readSftRows(trainingDataFile(out, SFT)).map((r) => r.completion);
  const waited = Date.now() - started;
  assert.equal(versionOf(completions), 2);
  assert.ok(waited < 5000, `waited ${waited} ms`);
  assert.equal(await exited, 0);
});

test(
  'a live writer that does not finish: the reader names the process and the backup, and touches nothing',
  { timeout: 60_000 },
  async () => {
    const { parent, out, child, exited } = await pausedWriter(4000);
    const before = readdirSync(parent).sort();
    assert.throws(
      () => recoverForReading(out, { waitMs: 200 }),
      (e: unknown) =>
        e instanceof DataError &&
        e.message.includes(`is being replaced by process ${child.pid}`) &&
        e.message.includes(`.data.old-${child.pid}`) &&
        /Wait for it to finish, then retry/.test(e.message),
    );
    assert.deepEqual(readdirSync(parent).sort(), before, "the live writer's folders are left alone");
    assert.equal(await exited, 0);
    assert.equal(versionOf(readSftRows(trainingDataFile(out, SFT)).map((r) => r.completion)), 2);
    assert.deepEqual(readdirSync(parent), ['data']);
  },
);

test('a leftover whose PID now names another process (reused after a crash) is restored at once', { timeout: 60_000 }, async (t) => {
  if (processStartTicks(process.pid) === null) return t.skip('no process start times in /proc here');
  // A live process that is not the writer: it started after the leftover's writer did.
  const stranger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => stranger.once('spawn', resolve));
    const pid = stranger.pid!;
    const ticks = processStartTicks(pid)!;
    for (const [recorded, stale] of [
      [String(Number(ticks) - 100), true],
      [ticks, false],
    ] as const) {
      const parent = mkdtempSync(join(tmpdir(), 'treecot-readers-'));
      const out = join(parent, 'data');
      writeFilesStaged(out, versionFiles(1));
      renameSync(out, join(parent, `.data.old-${pid}-${recorded}`));
      if (stale) {
        const started = Date.now();
        assert.equal(versionOf(readSftRows(trainingDataFile(out, SFT)).map((r) => r.completion)), 1);
        assert.ok(Date.now() - started < 1000, 'no wait for a stranger');
        assert.deepEqual(readdirSync(parent), ['data']);
      } else {
        // The same PID and start time: the writer itself, alive between its renames.
        assert.throws(() => recoverForReading(out, { waitMs: 100 }), new RegExp(`is being replaced by process ${pid}`));
        assert.deepEqual(readdirSync(parent), [`.data.old-${pid}-${ticks}`]);
      }
    }
  } finally {
    stranger.kill();
  }
});
