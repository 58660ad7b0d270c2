/**
 * `treecot build` end to end on a real SQLite search database holding hand-built trees:
 * every exported file read back (JSONL parsed, Parquet read with hyparquet) with the expected
 * columns and counts; bad input gives a clear error and writes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parquetReadObjects } from 'hyparquet';
import { CliFailure, treecotOk } from '../helpers/treecot-cli.ts';
import { correct, handTree, node, PATH_A, PATH_D, PATH_E, PROMPT, question, run, wrong } from './tree-fixtures.ts';
import { writeStore } from './store-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-data-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function secondQuestion() {
  return question(
    'q2',
    [
      node(1, null, 'root', 'What is 3+3?'),
      node(2, 1, 'thinking', '3+3 is 6.'),
      node(3, 2, 'answer', '6', correct),
      node(4, 2, 'double_check', 'Yes, 6.'),
      node(5, 4, 'answer', '6', correct),
      node(6, 1, 'hypothesis', 'Maybe 7.'),
      node(7, 6, 'answer', '7', wrong),
    ],
    'What is 3+3?',
  );
}

/** The real CLI in a child process: its stdout, or a CliFailure. */
const cli = (...args: string[]): Promise<string> => treecotOk(args);

/** A user error as the CLI reports it: exit code 1 and a message (an internal error exits 70). */
const userError =
  (message: RegExp) =>
  (e: unknown): boolean =>
    e instanceof CliFailure && e.code === 1 && message.test(e.message);

function jsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function parquet(file: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file);
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
}

const db = join(dir, 'run.db');
writeStore(db, run(), [handTree(), secondQuestion()]);

test('build: every export read back with the expected columns and counts (JSONL and Parquet)', async () => {
  const out = join(dir, 'data');
  const printed = await cli('build', db, '--out', out, '--parquet', '--pairs-per-question', '2');
  assert.match(printed, /2 SFT rows and 4 DPO pairs from 2 questions/);

  const sft = jsonl(join(out, 'sft.jsonl'));
  const dpo = jsonl(join(out, 'dpo.jsonl'));
  assert.equal(sft.length, 2);
  assert.equal(dpo.length, 4);
  assert.equal(sft[0]!.prompt, PROMPT);
  assert.equal(sft[0]!.completion, PATH_D, 'longest correct path of q1');
  for (const key of [
    'prompt',
    'completion',
    'question_id',
    'length_bin',
    'length',
    'length_unit',
    'reflection_count',
    'node_ids',
    'path_tokens',
  ]) {
    assert.ok(key in sft[0]!, `sft.jsonl has ${key}`);
  }
  assert.equal(dpo[0]!.chosen, PATH_A);
  assert.equal(dpo[0]!.rejected, PATH_E);
  for (const key of ['prompt', 'chosen', 'rejected', 'common_prefix_chars', 'shared_thoughts_chars', 'shared_nodes', 'chosen_length_bin']) {
    assert.ok(key in dpo[0]!, `dpo.jsonl has ${key}`);
  }

  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: Record<string, number | null> };
  const expectedColumns: Record<string, string[]> = {
    'trl/sft.jsonl': ['prompt', 'completion'],
    'trl/sft_conversational.jsonl': ['prompt', 'completion'],
    'trl/dpo.jsonl': ['prompt', 'chosen', 'rejected'],
    'trl/dpo_conversational.jsonl': ['prompt', 'chosen', 'rejected'],
    'trl/dpo_prefix_in_prompt.jsonl': ['prompt', 'chosen', 'rejected', 'prefix_chars'],
    'openrlhf/sft.jsonl': ['input', 'output'],
    'openrlhf/dpo.jsonl': ['prompt', 'chosen', 'rejected'],
  };
  for (const [file, columns] of Object.entries(expectedColumns)) {
    const rows = jsonl(join(out, file));
    assert.equal(rows.length, file.includes('sft') ? 2 : 4, file);
    assert.equal(manifest.files[file], rows.length, `manifest count of ${file}`);
    for (const row of rows) assert.deepEqual(Object.keys(row), columns, file);
    const fromParquet = await parquet(join(out, file.replace('.jsonl', '.parquet')));
    assert.deepEqual(fromParquet, rows, `${file}: parquet rows equal the jsonl rows`);
  }
  assert.deepEqual(await parquet(join(out, 'sft.parquet')), sft);
  assert.deepEqual(await parquet(join(out, 'dpo.parquet')), dpo);

  const conversational = jsonl(join(out, 'trl/dpo_conversational.jsonl'))[0]!;
  assert.deepEqual(conversational.prompt, [{ role: 'user', content: PROMPT }]);
  assert.deepEqual(conversational.chosen, [{ role: 'assistant', content: PATH_A }]);
  for (const row of jsonl(join(out, 'trl/dpo_prefix_in_prompt.jsonl'))) {
    const original = dpo.find((p) => String(p.prompt) + String(p.chosen) === String(row.prompt) + String(row.chosen))!;
    assert.ok(original, 'prompt + chosen is unchanged by moving the prefix');
    assert.equal(row.prefix_chars, original.shared_thoughts_chars);
  }

  const info = JSON.parse(readFileSync(join(out, 'llama-factory/dataset_info.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  assert.deepEqual(info.treecot_dpo, {
    file_name: 'dpo.json',
    formatting: 'sharegpt',
    ranking: true,
    columns: { messages: 'conversations', chosen: 'chosen', rejected: 'rejected' },
  });
  const lfDpo = JSON.parse(readFileSync(join(out, 'llama-factory/dpo.json'), 'utf8')) as Record<string, unknown>[];
  assert.equal(lfDpo.length, 4);
  assert.deepEqual(lfDpo[0], {
    conversations: [{ from: 'human', value: PROMPT }],
    chosen: { from: 'gpt', value: PATH_A },
    rejected: { from: 'gpt', value: PATH_E },
  });
  assert.equal((JSON.parse(readFileSync(join(out, 'llama-factory/sft.json'), 'utf8')) as unknown[]).length, 2);

  const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8'));
  assert.deepEqual(stats.splits, { sft: 2, dpo: 4 });
  assert.equal(stats.search.configHash, 'f'.repeat(64));
  const card = readFileSync(join(out, 'card.md'), 'utf8');
  assert.match(card, /\| sft \| 2 \|/);
  assert.match(card, /\| dpo \| 4 \|/);
  assert.match(card, /lengths are in \*\*chars\*\*/);
  assert.equal(readdirSync(dir).filter((f) => f.includes('staging')).length, 0, 'no staging folder left');

  // A rebuild without --parquet removes the stale parquet files listed in the old manifest.
  await cli('build', db, '--out', out);
  assert.ok(!existsSync(join(out, 'trl/dpo.parquet')));
  assert.ok(existsSync(join(out, 'trl/dpo.jsonl')));
});

test('build --json prints stats.json; options are validated with the flag named', async () => {
  const out = join(dir, 'data-json');
  const stats = JSON.parse(await cli('build', db, '--out', out, '--json', '--sft', 'all'));
  assert.equal(stats.splits.sft, 5);
  assert.equal(stats.build.options.sft, 'all');
  await assert.rejects(
    cli('build', db, '--out', join(dir, 'x'), '--sft', 'longer'),
    userError(/--sft <strategy>' argument 'longer' is invalid\. Allowed choices are longest, shortest/),
  );
  await assert.rejects(cli('build', db, '--out', join(dir, 'x'), '--pairs-per-question', 'two'), userError(/--pairs-per-question/));
  assert.ok(!existsSync(join(dir, 'x')));
});

test('bad input: another schema version, an empty run, a run without answers -> clear error, nothing written', async () => {
  const other = join(dir, 'other-version.db');
  writeStore(other, run(), [handTree()]);
  const raw = new Database(other);
  raw.pragma('user_version = 99'); // a real store written by a future treecot
  raw.close();
  const out = join(dir, 'never');
  await assert.rejects(cli('build', other, '--out', out), userError(/schema version 99/));

  const empty = join(dir, 'empty.db');
  writeStore(empty, run(), []);
  await assert.rejects(cli('build', empty, '--out', out), userError(/no questions/));

  const noAnswers = join(dir, 'no-answers.db');
  writeStore(noAnswers, run(), [question('q', [node(1, null, 'root', 'q'), node(2, 1, 'thinking', 'hmm')])]);
  await assert.rejects(cli('build', noAnswers, '--out', out), userError(/no scored answer paths/));

  const allWrong = join(dir, 'all-wrong.db');
  writeStore(allWrong, run(), [question('q', [node(1, null, 'root', 'q'), node(2, 1, 'answer', '5', wrong)])]);
  await assert.rejects(cli('build', allWrong, '--out', out), userError(/no SFT row and no DPO pair/));

  await assert.rejects(cli('build', join(dir, 'missing.db'), '--out', out), userError(/missing\.db/));
  assert.ok(!existsSync(out), 'nothing was written');
  assert.equal(readdirSync(dir).filter((f) => f.includes('staging')).length, 0);

  // An existing data folder survives a failed build untouched.
  const kept = join(dir, 'kept');
  await cli('build', db, '--out', kept);
  const before = readFileSync(join(kept, 'sft.jsonl'), 'utf8');
  await assert.rejects(cli('build', empty, '--out', kept), userError(/no questions/));
  assert.equal(readFileSync(join(kept, 'sft.jsonl'), 'utf8'), before);

  // An output path that is a file.
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  await assert.rejects(cli('build', db, '--out', file), userError(/not a folder/));
  assert.equal(readFileSync(file, 'utf8'), 'x');
});

test('build --tokenizer builtin: lengths and prefixes in tokens of the built-in model (tags are one token)', async () => {
  const out = join(dir, 'data-tokens');
  const stats = JSON.parse(await cli('build', db, '--out', out, '--json', '--tokenizer', 'builtin'));
  assert.equal(stats.build.lengthUnit, 'tokens');
  const sft = jsonl(join(out, 'sft.jsonl'));
  // PATH_D: 218 characters, of which 10 tags (132 characters) are one token each: 218 - 132 + 10 = 97 tokens.
  assert.equal(sft[0]!.completion, PATH_D);
  assert.equal(sft[0]!.length, 97);
  assert.equal(sft[0]!.length_unit, 'tokens');
  const dpo = jsonl(join(out, 'dpo.jsonl'));
  assert.equal(dpo[0]!.common_prefix_chars, 1);
  assert.equal(dpo[0]!.common_prefix_tokens, 1, '"<" is one character token');
  await assert.rejects(cli('build', db, '--out', join(dir, 'y'), '--tokenizer', 'gpt2'), userError(/--tokenizer/));
});

test('parquet: a .parquet for every non-empty .jsonl; an empty split has its .jsonl only', async () => {
  const { buildDataset, renderDatasetFiles } = await import('../../src/data/index.ts');
  const onlyCorrect = question('c', [node(1, null, 'root', 'q'), node(2, 1, 'answer', '4', correct)]);
  const files = renderDatasetFiles(buildDataset({ run: run(), questions: [onlyCorrect] }), { parquet: true });
  assert.equal(files.get('dpo.jsonl'), '');
  assert.ok(!files.has('dpo.parquet') && !files.has('trl/dpo.parquet'));
  assert.ok(files.has('sft.parquet') && files.has('trl/sft.parquet'));
  const manifest = JSON.parse(files.get('manifest.json') as string) as { files: Record<string, number | null> };
  assert.equal(manifest.files['dpo.jsonl'], 0);
  assert.equal(manifest.files['sft.parquet'], 1);
});
