/**
 * The CLI end to end: `treecot search` against a loopback OpenAI-wire server (child process,
 * --json summary on the last stdout line), resume, `tree`, `export-trees`, `merge`, and
 * errors for bad data and config that name file, line and field and leave the database as it was.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashString } from '../../src/core/index.ts';
import { readRun } from '../../src/store/index.ts';
import { startOpenAITestServer, type GenerationRequest } from '../helpers/openai-server.ts';
import { LETTER_COUNT_DATA } from './helpers.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/treecot.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'treecot-cli-'));
const server = await startOpenAITestServer({
  responder: (r: GenerationRequest) =>
    Array.from({ length: r.choices }, (_, i) => {
      const h = hashString(`${r.prompt}|${r.seed}|${i}`);
      return r.prompt.trimEnd().endsWith('The answer is:') ? ` \\boxed{${2 + (h % 3)}}` : ` step ${h % 3}`;
    }),
});
after(() => server.close());

const config = join(dir, 'small.yaml');
writeFileSync(
  config,
  readFileSync('configs/letter-count.yaml', 'utf8')
    .replace('max_rollouts: 32', 'max_rollouts: 4')
    .replace('reward_thresholds: [4, 8]', 'reward_thresholds: [1, 2]'),
);

async function treecot(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 90_000 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const searchArgs = (out: string, extra: string[] = []) => [
  'search',
  '--config',
  config,
  '--task',
  'letter-count',
  '--data',
  LETTER_COUNT_DATA,
  '--out',
  out,
  '--policy',
  server.baseURL,
  '--template',
  'chatml',
  '--limit',
  '4',
  '--concurrency',
  '4',
  '--json',
  ...extra,
];

test('treecot search --json, resume, tree, export-trees, merge', { timeout: 180_000 }, async () => {
  const db = join(dir, 'run.db');
  const first = await treecot(searchArgs(db));
  assert.equal(first.code, 0, first.stderr);
  const summary = JSON.parse(first.stdout.trim().split('\n').pop()!);
  for (const key of [
    'questions',
    'finished',
    'solved',
    'rollouts',
    'nodes',
    'requests',
    'prompt_tokens',
    'completion_tokens',
    'errors',
    'wall_s',
  ])
    assert.ok(key in summary, key);
  assert.equal(summary.questions, 4);
  assert.equal(summary.finished, 4);
  assert.equal(
    summary.nodes,
    readRun(db).questions.reduce((s, q) => s + q.nodes.length, 0),
  );
  assert.equal(summary.resumed, false);
  assert.equal(summary.totals.rollouts, summary.rollouts, 'first run: stored totals = this session');
  const again = JSON.parse((await treecot(searchArgs(db))).stdout.trim().split('\n').pop()!);
  assert.equal(again.skipped, 4);
  assert.equal(again.requests, 0);
  assert.equal(again.resumed, true);
  assert.equal(again.rollouts, 0, 'rollouts: this session only');
  assert.deepEqual(again.totals, summary.totals, 'totals: everything stored');
  // The text summary of a resume shows both scopes.
  const text = await treecot(searchArgs(db).filter((a) => a !== '--json'));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /this session: 0 rollouts \(0 correct\), 0 nodes created/);
  assert.match(
    text.stdout,
    new RegExp(
      `stored in total: ${summary.totals.rollouts} rollouts \\(${summary.totals.correct_rollouts} correct\\), ${summary.nodes} nodes`,
    ),
  );

  const tree = await treecot(['tree', db, 'real_0']);
  assert.equal(tree.code, 0, tree.stderr);
  assert.match(tree.stdout, /^real_0 \[solved\]/);
  assert.match(tree.stdout, /\n {2}\[\d+\] sub_task N=\d+ W=/);
  assert.match((await treecot(['tree', db, 'nope'])).stderr, /no question "nope"/);

  const out = join(dir, 'trees');
  assert.equal((await treecot(['export-trees', db, '--out', out])).code, 0);
  assert.deepEqual(readdirSync(out).sort(), ['real_0.json', 'real_1.json', 'real_2.json', 'real_3.json']);
  const exported = JSON.parse(readFileSync(join(out, 'real_0.json'), 'utf8'));
  assert.equal(exported.question_id, 'real_0');
  assert.equal(exported.reference, 3);
  assert.ok(exported.correct_paths.length > 0);
  const ids = new Set(exported.nodes.map((n: { id: number }) => n.id));
  for (const path of [...exported.correct_paths, ...exported.wrong_paths]) for (const id of path) assert.ok(ids.has(id));
  for (const key of ['id', 'parent', 'type', 'text', 'visits', 'reward_sum']) assert.ok(key in exported.nodes[0]);

  const shards = [0, 1].map((i) => join(dir, `s${i}.db`));
  for (const [i, s] of shards.entries()) assert.equal((await treecot(searchArgs(s, ['--shard', `${i}/2`, '--limit', '2']))).code, 0);
  const merged = join(dir, 'merged.db');
  const m = await treecot(['merge', merged, ...shards, '--json']);
  assert.equal(m.code, 0, m.stderr);
  assert.equal(JSON.parse(m.stdout).questions, 4);
  assert.deepEqual(
    readRun(merged)
      .questions.map((q) => q.questionId)
      .sort(),
    ['real_0', 'real_1', 'real_2', 'real_3'],
  );
});

test('bad data and bad config: errors name file, line and field; the database is left as it was', { timeout: 120_000 }, async () => {
  const db = join(dir, 'keep.db');
  const seeded = await treecot(searchArgs(db, ['--limit', '2']));
  assert.equal(seeded.code, 0, seeded.stderr);
  const before = JSON.stringify(readRun(db));
  const badData = join(dir, 'bad.jsonl');
  writeFileSync(badData, '{"problem": "How many r in strawberry?", "solution": 3}\n{"problem": "How many a in banana?"}\n');
  const data = await treecot([
    'search',
    '--config',
    config,
    '--task',
    'letter-count',
    '--data',
    badData,
    '--out',
    db,
    '--policy',
    server.baseURL,
    '--template',
    'chatml',
  ]);
  assert.equal(data.code, 1);
  assert.match(data.stderr, /bad\.jsonl:2 field "(solution|answer)/);
  const badConfig = join(dir, 'bad.yaml');
  writeFileSync(badConfig, readFileSync(config, 'utf8').replace('top_p: 0.9', 'top_p: 1.5'));
  const cfg = await treecot([
    'search',
    '--config',
    badConfig,
    '--task',
    'letter-count',
    '--data',
    LETTER_COUNT_DATA,
    '--out',
    db,
    '--policy',
    server.baseURL,
    '--template',
    'chatml',
  ]);
  assert.equal(cfg.code, 1);
  assert.match(cfg.stderr, /bad\.yaml:\d+ field "sampling\.top_p"/);
  const changed = join(dir, 'changed.yaml');
  writeFileSync(changed, readFileSync(config, 'utf8').replace('temperature: 0.7', 'temperature: 0.5'));
  const refused = await treecot([
    'search',
    '--config',
    changed,
    '--task',
    'letter-count',
    '--data',
    LETTER_COUNT_DATA,
    '--out',
    db,
    '--policy',
    server.baseURL,
    '--template',
    'chatml',
    '--limit',
    '2',
  ]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--new-run/);
  assert.equal(JSON.stringify(readRun(db)), before);
});
