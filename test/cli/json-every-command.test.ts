/**
 * The --json convention (docs/cli.md) for every command, through the real CLI: with --json, stdout
 * is JSON Lines and nothing else (one summary object, or one row per item for `check`), lines for
 * people go to stderr, a user error exits 1 with an empty stdout. The inputs are the tiny pipeline of
 * test/pipeline/fixture.ts (built-in model, 6 searched questions, 3 + 3 training steps), run once by
 * `treecot run --json`; the other commands read its run folder.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonLines, treecot, TREECOT_BIN } from '../helpers/treecot-cli.ts';
import { BUILTIN, writePipelineFixture } from '../pipeline/fixture.ts';
import { CharTokenizer, exportGguf, LlamaModel, parseInitSpec } from '../../src/train/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-json-every-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const runDir = join(dir, 'run');
const db = join(runDir, 'round-1', 'search', 'run.db');
const data = join(runDir, 'round-1', 'data');

/** stdout holds exactly one JSON object, and nothing else. */
function oneObject(stdout: string): Record<string, unknown> {
  const lines = parseJsonLines(stdout);
  assert.equal(lines.length, 1, `stdout holds ${lines.length} JSON lines, expected one summary object`);
  assert.equal(typeof lines[0], 'object');
  return lines[0] as Record<string, unknown>;
}

test('run --json: stdout is summary.json as one object; the stage log and results table are on stderr', { timeout: 300_000 }, async () => {
  // The CLI opens real models: the fixture must use the built-in GGUF, not its scripted stand-in.
  assert.ok(existsSync(BUILTIN), `${BUILTIN} is needed (it is tracked in the repository)`);
  const config = writePipelineFixture(dir);
  const result = await treecot(['run', '--config', config, '--out', runDir, '--json'], { timeoutMs: 280_000 });
  assert.equal(result.code, 0, result.stderr);
  const summary = oneObject(result.stdout);
  assert.deepEqual(summary, JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')));
  assert.deepEqual(
    (summary.stages as { stage: string }[]).map((s) => s.stage),
    ['base', 'sft', 'final'],
  );
  assert.match(result.stderr, /Results \(/);
  assert.match(result.stderr, /\[eval final\/heldout\] finished/);
});

test('demo --json (the fixture config, resumed): the same summary object', async () => {
  const config = join(dir, 'pipeline.yaml');
  const result = await treecot(['demo', '--config', config, '--out', runDir, '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(oneObject(result.stdout), JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')));
});

test('train --json: one summary object with the last step record; progress and config on stderr', async () => {
  const out = join(dir, 'train.gguf');
  const args = ['train', data, '--init', 'L1-d16-h2-c256', '--steps', '2', '--batch', '2', '--out', out];
  const result = await treecot([...args, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const summary = oneObject(result.stdout);
  assert.equal(summary.out, out);
  assert.equal(summary.steps, 2);
  const final = summary.final as Record<string, number>;
  assert.equal(final.step, 2);
  assert.equal(final.learning_rate, final.lr);
  assert.ok(final.mean_token_accuracy! >= 0 && final.mean_token_accuracy! <= 1);
  assert.match(result.stderr, /effective config: /);
  assert.ok(existsSync(out));
  // Without --json the summary is for people, on stdout.
  const plain = await treecot(args);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^treecot train: 2 steps run \(2 planned\), \d+ tokens in [\d.]+ s/);
  assert.throws(() => parseJsonLines(plain.stdout));
});

test('train --json from a GGUF with a preference loss: one object whose last step has the TRL reward names', async () => {
  const gguf = join(dir, 'random-tiny.gguf');
  const tokenizer = new CharTokenizer();
  exportGguf(LlamaModel.init(parseInitSpec('L1-d16-h2-c256', tokenizer.vocabSize), 5), gguf, { tokenizer });
  const result = await treecot([
    'train',
    data,
    '--model',
    gguf,
    '--objective',
    'cdpo+sft',
    '--steps',
    '2',
    '--batch',
    '2',
    '--ref-cache',
    join(dir, 'ref-cache'),
    '--out',
    join(dir, 'joint.gguf'),
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const final = oneObject(result.stdout).final as Record<string, number>;
  for (const key of ['rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'mean_token_accuracy', 'num_tokens']) {
    assert.equal(typeof final[key], 'number', key);
  }
  assert.match(result.stderr, /treecot train: .*dpo\.jsonl/);
});

test('search database commands: tree, export-trees, build, merge --json', async () => {
  const tree = oneObject((await treecot(['tree', db, 'search-0', '--json'])).stdout);
  assert.equal(tree.question_id, 'search-0');
  assert.ok(Array.isArray(tree.nodes) && tree.nodes.length > 1);

  const exported = await treecot(['export-trees', db, '--out', join(dir, 'trees'), '--json']);
  assert.equal(exported.code, 0, exported.stderr);
  const trees = oneObject(exported.stdout);
  assert.equal(trees.trees, 6);
  assert.equal((trees.files as string[]).length, 6);

  const built = await treecot(['build', db, '--out', join(dir, 'data2'), '--json']);
  assert.equal(built.code, 0, built.stderr);
  assert.deepEqual(oneObject(built.stdout), JSON.parse(readFileSync(join(dir, 'data2', 'stats.json'), 'utf8')));

  const merged = await treecot(['merge', join(dir, 'merged.db'), db, '--json']);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal(oneObject(merged.stdout).questions, 6);
});

test('export-trl --json --report-to wandb, export-hf and import-hf --json', async () => {
  const bundle = join(dir, 'trl');
  const trl = await treecot([
    'export-trl',
    data,
    '--base',
    'Qwen/Qwen2.5-0.5B-Instruct',
    '--out',
    bundle,
    '--report-to',
    'wandb',
    '--json',
  ]);
  assert.equal(trl.code, 0, trl.stderr);
  const written = oneObject(trl.stdout);
  assert.ok((written.files as string[]).includes('dpo.yaml'));
  assert.equal((written.options as { reportTo: string }).reportTo, 'wandb');
  assert.match(readFileSync(join(bundle, 'dpo.yaml'), 'utf8'), /^report_to: wandb$/m);
  const bad = await treecot(['export-trl', data, '--base', 'm', '--out', join(dir, 'trl2'), '--report-to', 'mlflow', '--json']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /--report-to.*mlflow/);

  const hf = join(dir, 'hf');
  const exported = await treecot(['export-hf', join(runDir, 'round-1', 'sft', 'model.gguf'), '--out', hf, '--json']);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok((oneObject(exported.stdout).files as string[]).includes(join(hf, 'model.safetensors')));
  const imported = await treecot(['import-hf', hf, '--out', join(dir, 'back.gguf'), '--json']);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(oneObject(imported.stdout).out, join(dir, 'back.gguf'));
});

test('check --json streams JSON Lines, one per check; eval --compare --json is one object', async () => {
  const check = await treecot(['check', '--task', 'letter-count', '--data', join(dir, 'questions.jsonl'), '--json']);
  assert.equal(check.code, 0, check.stderr);
  const rows = parseJsonLines(check.stdout) as { id: string; verdict: string }[];
  assert.equal(rows.length, 8);
  assert.ok(rows.every((r) => r.verdict === 'correct'));
  assert.match(check.stderr, /correct +8/);

  const base = join(runDir, 'eval', 'base', 'heldout');
  const final = join(runDir, 'eval', 'final', 'heldout');
  const compared = await treecot(['eval', '--compare', base, final, '--json']);
  assert.equal(compared.code, 0, compared.stderr);
  const comparison = oneObject(compared.stdout) as { summaries: { accuracy: number }[]; paired: { vs_first: { accuracy: unknown } }[] };
  assert.equal(comparison.summaries.length, 2);
  assert.equal(comparison.summaries[1]!.accuracy, JSON.parse(readFileSync(join(final, 'summary.json'), 'utf8')).accuracy);
  assert.ok(comparison.paired[0]!.vs_first.accuracy, 'the paired change against the first folder');
  assert.match(compared.stderr, /Paired changes/);
});

test('view --json: one object {url, token, reviewer, target} once serving; Ctrl-C ends it with 0', async () => {
  const child = spawn(process.execPath, [TREECOT_BIN, 'view', runDir, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!stdout.includes('\n') && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
  const ready = oneObject(stdout) as { url: string; token: string | null };
  assert.equal(ready.token, null, 'loopback needs no token');
  assert.equal((await fetch(ready.url)).status, 200);
  assert.match(stderr, /treecot view: serving/);
  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.equal(parseJsonLines(stdout).length, 1, 'nothing else reached stdout');
});

test('a user error under --json: exit 1, one line on stderr, nothing on stdout', async () => {
  for (const args of [
    ['tree', db, 'no-such-question', '--json'],
    ['train', join(dir, 'missing.jsonl'), '--init', 'L1-d16', '--steps', '1', '--out', join(dir, 'x.gguf'), '--json'],
    ['run', '--config', join(dir, 'missing.yaml'), '--json'],
  ]) {
    const result = await treecot(args);
    assert.equal(result.code, 1, `${args[0]}: ${result.stderr}`);
    assert.equal(result.stdout, '', `${args[0]} wrote to stdout`);
    assert.match(result.stderr, /^treecot: /);
  }
});
