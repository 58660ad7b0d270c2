import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, encodeGguf, parseTrainConfig, readPreferenceRows } from '../../src/train/index.ts';
import { ConfigError, DataError } from '../../src/core/errors.ts';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'treecot-bad-'));

test('empty data set: a DataError that names the source and the expected rows', async () => {
  await assert.rejects(
    train({ sftRows: [], init: 'L1-d16-h2', steps: 1, dataSource: 'rows.jsonl' }),
    (e: unknown) => e instanceof DataError && /rows\.jsonl: empty data set.*\{prompt, completion\}/.test(e.message),
  );
  await assert.rejects(
    train({ preferenceRows: [], init: 'L1-d16-h2', objective: 'cdpo', steps: 1, dataSource: 'dpo.jsonl' }),
    (e: unknown) => e instanceof DataError && /dpo\.jsonl: empty data set.*chosen, rejected/.test(e.message),
  );
});

test('a sequence longer than the context: a DataError naming the row and field', async () => {
  const rows = [
    { prompt: 'short', completion: 'ok' },
    { prompt: 'x'.repeat(40), completion: 'y'.repeat(40) },
  ];
  await assert.rejects(
    train({ sftRows: rows, init: 'L1-d16-h2-c64', steps: 1, dataSource: 'rows.jsonl' }),
    (e: unknown) => e instanceof DataError && /rows\.jsonl:2 field "completion": sequence is 82 tokens .* context of 64/.test(e.message),
  );
  const pairs = [{ prompt: 'p', chosen: 'a', rejected: 'b'.repeat(70), common_prefix_chars: 0 }];
  await assert.rejects(
    train({ preferenceRows: pairs, init: 'L1-d16-h2-c64', objective: 'dpo', steps: 1, dataSource: 'dpo.jsonl' }),
    /dpo\.jsonl:1 field "rejected": sequence is 73 tokens/,
  );
});

test('a GGUF of an unknown architecture: a DataError naming the file and general.architecture', async () => {
  const dir = scratch();
  const file = join(dir, 'gpt2.gguf');
  writeFileSync(file, encodeGguf(new Map([['general.architecture', { type: 'string', value: 'gpt2' }]]), []));
  await assert.rejects(
    train({ sftRows: [{ prompt: 'a', completion: 'b' }], modelPath: file, steps: 1 }),
    (e: unknown) => e instanceof DataError && e.message.includes(`${file} field "general.architecture": unknown architecture "gpt2"`),
  );
  writeFileSync(join(dir, 'junk.gguf'), 'not a model');
  await assert.rejects(
    train({ sftRows: [{ prompt: 'a', completion: 'b' }], modelPath: join(dir, 'junk.gguf'), steps: 1 }),
    /junk\.gguf: not a GGUF file/,
  );
});

test('invalid options: ConfigErrors that name the field', async () => {
  assert.throws(
    () => parseTrainConfig({ eps: 0.7 }),
    (e: unknown) => e instanceof ConfigError && /field "eps".*0\.7/.test(e.message),
  );
  assert.throws(() => parseTrainConfig({ objective: 'ppo' }), /field "objective"/);
  assert.throws(() => parseTrainConfig({ steps: 3, epochs: 1 }), /field "epochs".*only one of steps, epochs, tokens/);
  assert.throws(() => parseTrainConfig({ batchSize: 3 }), /batchSize/);
  await assert.rejects(train({ sftRows: [{ prompt: 'a', completion: 'b' }], steps: 1 }), /field "model".*exactly one of model, modelPath/);
  await assert.rejects(train({ sftRows: [{ prompt: 'a', completion: 'b' }], init: 'L2-d65', steps: 1 }), /field "heads"/);
  await assert.rejects(
    train({ sftRows: [{ prompt: 'a', completion: 'b' }], init: 'big', steps: 1 }),
    /field "init".*"big" is not a model spec/,
  );
});

test('DPO rows: a bad common_prefix_chars is a DataError naming line and field', () => {
  const dir = scratch();
  const file = join(dir, 'dpo.jsonl');
  writeFileSync(
    file,
    `${JSON.stringify({ prompt: 'p', chosen: 'abc', rejected: 'abd', common_prefix_chars: 2 })}\n${JSON.stringify({ prompt: 'p', chosen: 'abc', rejected: 'abd', common_prefix_chars: 9 })}\n`,
  );
  assert.throws(
    () => readPreferenceRows(file),
    (e: unknown) =>
      e instanceof DataError && e.message.includes(`${file}:2 field "common_prefix_chars": expected an integer in [0, 3], got 9`),
  );
});

test('CLI: bad input prints one clean error line and exits 1', () => {
  const dir = scratch();
  writeFileSync(join(dir, 'empty.jsonl'), '');
  const run = (...args: string[]): { status: number; stderr: string } => {
    try {
      execFileSync(process.execPath, ['bin/treecot.js', 'train', ...args], { encoding: 'utf8', stdio: 'pipe' });
      return { status: 0, stderr: '' };
    } catch (error) {
      const e = error as { status: number; stderr: string };
      return { status: e.status, stderr: e.stderr };
    }
  };
  const empty = run(join(dir, 'empty.jsonl'), '--init', 'L1-d16-h2', '--steps', '1', '--out', join(dir, 'm.gguf'));
  assert.equal(empty.status, 1);
  assert.match(empty.stderr, /^treecot: .*empty\.jsonl: empty data set/m);
  const bad = run(join(dir, 'empty.jsonl'), '--init', 'L1-d16-h2', '--batch', 'x', '--out', join(dir, 'm.gguf'));
  assert.match(bad.stderr, /treecot: \(command line\) field "--batch": expected a number, got "x"/);
  const both = run(join(dir, 'empty.jsonl'), '--steps', '1', '--out', join(dir, 'm.gguf'));
  assert.match(both.stderr, /give exactly one of --model <gguf> or --init <spec>/);
  const noOut = run(join(dir, 'empty.jsonl'), '--init', 'L1-d16-h2', '--steps', '1');
  assert.equal(noOut.status, 1);
  assert.match(noOut.stderr, /required option '--out <gguf>' not specified/);
});
