/**
 * `treecot train` outside a terminal: stderr is a pipe, so progress comes as `train step N | loss ...`
 * lines (no bar escape codes); SIGINT after a checkpoint exits 130 with a hint that names the kept
 * checkpoint and `--resume`, and the checkpoint file is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));

test('train: progress lines when stderr is not a terminal; SIGINT prints the resume hint and exits 130', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-train-interrupt-'));
  try {
    const rows = Array.from({ length: 16 }, (_, i) => JSON.stringify({ prompt: `q${i}:`, completion: `answer ${i % 5}` }));
    writeFileSync(join(dir, 'rows.jsonl'), rows.join('\n') + '\n');
    const checkpoints = join(dir, 'ckpt');
    const child = spawn(
      process.execPath,
      [
        bin,
        'train',
        join(dir, 'rows.jsonl'),
        '--init',
        'L1-d16-h2-c64',
        '--objective',
        'sft',
        '--steps',
        '100000',
        '--batch',
        '4',
        '--out',
        join(dir, 'm.gguf'),
        '--checkpoint-dir',
        checkpoints,
        '--checkpoint-every',
        '1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress line within 90 s:\n${stderr}`)), 90_000);
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        // The first line comes after step 1; wait for a checkpoint to exist too.
        if (/train step \d+ \| loss [\d.]+ \| lr /.test(stderr) && existsSync(checkpoints) && readdirSync(checkpoints).length > 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, stderr);
    assert.doesNotMatch(stderr, /\u001b\[/, 'terminal escape codes in a non-terminal stderr');
    assert.match(
      stderr,
      /treecot train: interrupted after step (\d+); the checkpoint of step \1 in .*ckpt is kept; re-run the same command with --resume/,
    );
    assert.equal(existsSync(join(dir, 'm.gguf')), false, 'an interrupted run must not leave an output model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
