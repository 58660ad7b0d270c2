/** scripts/train-builtin.ts refuses options that do not fit before it writes anything (issue 10, second training stage). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from '../helpers/treecot-cli.ts';

const SCRIPT = new URL('../../scripts/train-builtin.ts', import.meta.url).pathname;
const MODELS = new URL('../../models/', import.meta.url).pathname;

/** The script in a child process, as `npm run train:builtin -- ARGS` runs it. */
const trainBuiltin = (args: string[], timeoutMs = 60_000) => runNode(['--import', 'tsx', SCRIPT, ...args], { timeoutMs });

test('train:builtin: --init-from must hold the role architecture, --lr, --context-share and --student-phrasings are checked; nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-train-script-'));
  const out = join(dir, 'out');
  const work = join(dir, 'work');
  const common = ['--out-dir', out, '--work-dir', work];
  // The built-in model (L2 d64) is not the policy's architecture (L2 d128).
  const wrongArch = await trainBuiltin(['--role', 'policy', '--init-from', join(MODELS, 'builtin.gguf'), ...common]);
  assert.notEqual(wrongArch.code, 0);
  assert.match(
    wrongArch.stderr,
    /builtin\.gguf field "architecture": --init-from: .*"dim":64.* not the policy architecture L2-d128-h4-f344-c384/,
  );
  const missing = await trainBuiltin(['--role', 'policy', '--init-from', join(dir, 'none.gguf'), ...common]);
  assert.match(missing.stderr, /field "init-from": --init-from: .*none\.gguf does not exist/);
  const notPolicy = await trainBuiltin(['--role', 'builtin', '--context-share', '0.5', ...common]);
  assert.match(notPolicy.stderr, /field "context-share": --context-share applies to --role policy and --role student/);
  const builtinStudent = await trainBuiltin(['--role', 'student', '--student-phrasings', 'builtin', '--context-share', '0.5', ...common]);
  assert.match(builtinStudent.stderr, /field "context-share": .*not with --student-phrasings builtin/);
  const notStudent = await trainBuiltin(['--role', 'policy', '--student-phrasings', 'grammar', ...common]);
  assert.match(notStudent.stderr, /field "student-phrasings": --student-phrasings applies to --role student only/);
  const unknown = await trainBuiltin(['--role', 'student', '--student-phrasings', 'poetry', ...common]);
  assert.match(
    unknown.stderr,
    /field "student-phrasings": --student-phrasings must be policy-training, grammar or builtin \(got "poetry"\)/,
  );
  for (const [flag, value, message] of [
    ['--lr', '-1', /field "lr": --lr must be a positive number \(got -1\)/],
    ['--lr', 'abc', /field "lr": --lr must be a positive number \(got NaN\)/],
    ['--context-share', '1.5', /field "context-share": --context-share must be in \[0, 1\] \(got 1\.5\)/],
  ] as const) {
    const refused = await trainBuiltin(['--role', 'policy', flag, value, ...common]);
    assert.match(refused.stderr, message);
  }
  assert.ok(!existsSync(out) && !existsSync(work), 'no folder was made');
});

test('train:builtin --role policy, a tiny run end to end: checkpoint evaluations score spelling and count steps, the log and the GGUF are written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-train-script-'));
  const out = join(dir, 'out');
  const args = [
    '--role',
    'policy',
    '--tokens',
    '12000',
    '--eval-every',
    '6000',
    '--quick-eval',
    '10',
    '--final-eval',
    '10',
    '--workers',
    '1',
  ];
  // About 30 s on one core: 4 steps, two checkpoint evaluations and the final one (10 questions per set).
  const run = await trainBuiltin([...args, '--out-dir', out, '--work-dir', join(dir, 'work')], 240_000);
  assert.equal(run.code, 0, run.stderr);
  const log = readFileSync(join(out, 'policy.train-log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; spelling?: unknown; countStep?: unknown; noAnswer?: unknown });
  const evals = log.filter((entry) => entry.type === 'eval');
  assert.equal(evals.length, 2);
  // The policy's checkpoint evaluation scores its first spelling like the student's (it was NaN, logged as null).
  for (const entry of evals) {
    assert.equal(typeof entry.spelling, 'number');
    assert.equal(typeof entry.noAnswer, 'number');
  }
  assert.doesNotMatch(run.stdout + run.stderr, /NaN/);
  assert.ok(existsSync(join(out, 'policy.gguf')) && existsSync(join(out, 'policy.eval.json')));
});
