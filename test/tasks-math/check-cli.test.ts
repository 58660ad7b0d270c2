/**
 * `treecot check` end to end: spawns `node bin/treecot.js check ...` on small files and on the
 * real GSM8K test set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataFile } from '../helpers/data-paths.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'treecot-check-cli-'));

function treecot(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/treecot.js'), ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function write(name: string, rows: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

const problems = write('problems.jsonl', [
  { problem: 'Half of one?', answer: '\\frac{1}{2}', unique_id: 'half', solution: 'It is $\\boxed{\\frac12}$.' },
  { problem: 'Roots of x^2=4?', answer: '\\pm 2', unique_id: 'roots', solution: 'So $x = \\boxed{2, -2}$.' },
  { problem: 'Interval?', answer: '[1, 2)', unique_id: 'interval', solution: 'The set is $\\boxed{[1,2)}$.' },
  { problem: 'Hard?', answer: '7', unique_id: 'hard', solution: 'We get $\\boxed{7}$.' },
]);

test('check --pred --json: one line per prediction with id, verdict, extracted, reference; summary on stderr', async () => {
  const preds = write('preds.jsonl', [
    { id: 'half', output: 'The answer is $\\boxed{0.5}$.' },
    { id: 'roots', output: 'x = \\boxed{-2, 2}' },
    { id: 'interval', output: '\\boxed{(1,2)}' },
    { id: 'hard', output: 'I give up.' },
    { id: 'half', output: '\\boxed{\\frac{1}{3}}' },
  ]);
  const { code, stdout, stderr } = await treecot(['check', '--task', 'math', '--data', problems, '--pred', preds, '--json']);
  assert.equal(code, 0, stderr);
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => [l.id, l.verdict, l.extracted, l.reference]),
    [
      ['half', 'correct', '0.5', '\\frac{1}{2}'],
      ['roots', 'correct', '-2, 2', '\\pm 2'],
      ['interval', 'wrong', '(1,2)', '[1, 2)'],
      ['hard', 'no_answer', null, '7'],
      ['half', 'wrong', '\\frac{1}{3}', '\\frac{1}{2}'],
    ],
  );
  for (const line of lines) assert.equal(typeof line.reason, 'string');
  assert.match(stderr, /5 checks \(predictions from/);
  assert.match(stderr, /correct\s+2 \(40\.0%\)/);
  assert.match(stderr, /wrong\s+2 \(40\.0%\)/);
  assert.match(stderr, /no-answer\s+1 \(20\.0%\)/);
  assert.match(stderr, /timeouts\s+0/);
});

test('check without --pred verifies the gold solutions; field options are honoured', async () => {
  const custom = write('custom.jsonl', [
    { q: 'one', a: '#### 1,000', key: 'k1' },
    { q: 'two', a: 'so #### 2', key: 'k2' },
  ]);
  const gold = await treecot([
    'check',
    '--task',
    'gsm8k',
    '--data',
    custom,
    '--question-field',
    'q',
    '--answer-field',
    'a',
    '--id-field',
    'key',
    '--json',
  ]);
  assert.equal(gold.code, 0, gold.stderr);
  assert.deepEqual(
    gold.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id),
    ['k1', 'k2'],
  );
  assert.match(gold.stderr, /2 checks \(gold solutions\)/);
  const summary = await treecot(['check', '--task', 'math', '--data', problems]);
  assert.equal(summary.code, 0, summary.stderr);
  assert.match(summary.stdout, /4 checks \(gold solutions\)/);
  assert.match(summary.stdout, /correct\s+4 \(100\.0%\)/);
});

test('check on the real GSM8K test set: 1319/1319 gold solutions correct', async () => {
  const { code, stdout, stderr } = await treecot(['check', '--task', 'gsm8k', '--data', dataFile('gsm8k/test.jsonl')]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /1319 checks/);
  assert.match(stdout, /correct\s+1319 \(100\.0%\)/);
});

test('check errors name file, line and field, and exit 1', async () => {
  const badPred = join(dir, 'bad-pred.jsonl');
  writeFileSync(badPred, '{"id": "half", "output": "x"}\n{"id": "half"}\n');
  const missingField = await treecot(['check', '--task', 'math', '--data', problems, '--pred', badPred]);
  assert.equal(missingField.code, 1);
  assert.match(missingField.stderr, /bad-pred\.jsonl:2 field "output": missing field/);
  const unknownId = write('unknown-id.jsonl', [{ id: 'nope', output: 'x' }]);
  const unknown = await treecot(['check', '--task', 'math', '--data', problems, '--pred', unknownId]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown-id\.jsonl:1 field "id": no problem with id "nope"/);
  const badData = join(dir, 'bad-data.jsonl');
  writeFileSync(badData, '{"question": "q", "answer": "#### 1"}\n{not json}\n');
  const malformed = await treecot(['check', '--task', 'gsm8k', '--data', badData]);
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /bad-data\.jsonl:2: malformed JSON/);
  const task = await treecot(['check', '--task', 'nope', '--data', badData]);
  assert.equal(task.code, 1);
  assert.match(task.stderr, /unknown task "nope"; known tasks: .*gsm8k.*math/);
});

test('check --json carries the verdict details (Blocksworld: the first failing step)', async () => {
  const preds = write('bw-preds.jsonl', [{ id: '2', output: '(pick-up red)' }]);
  const { code, stdout } = await treecot([
    'check',
    '--task',
    'blocksworld',
    '--data',
    dataFile('planbench/blocksworld/task_1_plan_generation.json'),
    '--pred',
    preds,
    '--json',
  ]);
  assert.equal(code, 0);
  const row = JSON.parse(stdout.trim().split('\n')[0]!) as {
    verdict: string;
    details: { firstFailingStep: { step: number; unmet: string[] } };
  };
  assert.equal(row.verdict, 'wrong');
  assert.equal(row.details.firstFailingStep.step, 1);
  assert.ok(row.details.firstFailingStep.unmet.length > 0);
});

test('check refuses an empty predictions file and an empty data set (no NaN summary)', async () => {
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '');
  const noPreds = await treecot(['check', '--task', 'gsm8k', '--data', dataFile('gsm8k/test.jsonl'), '--pred', empty]);
  assert.equal(noPreds.code, 1);
  assert.match(noPreds.stderr, /empty\.jsonl: no predictions in this file/);
  const noProblems = await treecot(['check', '--task', 'gsm8k', '--data', write('none.json', [])]);
  assert.equal(noProblems.code, 1);
  assert.match(noProblems.stderr, /none\.json: no problems in this file/);
});

test('check --audit: sampled verdicts shown whole with the deciding rule and normalised forms; summary counts by rule; --from-eval reads an eval folder', async () => {
  const preds = write('audit-preds.jsonl', [
    { id: 'half', output: 'so \\boxed{\\dfrac{1}{2}}' },
    { id: 'roots', output: 'x = \\boxed{2}' },
    { id: 'interval', output: 'nothing boxed' },
    { id: 'hard', output: '\\boxed{4.123105625617661}' },
  ]);
  const { code, stdout } = await treecot([
    'check',
    '--task',
    'math',
    '--data',
    problems,
    '--pred',
    preds,
    '--audit',
    '3',
    '--workers',
    '1',
  ]);
  assert.equal(code, 0);
  assert.match(stdout, /by deciding rule:\n\s+\d+\s+(correct|wrong|no_answer): /);
  assert.match(stdout, /audit: 3 of 4 verdicts/);
  // round-robin over kinds: one correct, one wrong, one no-answer
  assert.match(
    stdout,
    /half {2}CORRECT {2}rule: text\n {2}extracted {3}"\\\\dfrac\{1\}\{2\}"\n {2}reference {3}"\\\\frac\{1\}\{2\}"\n {2}normalised {2}"\\\\frac\{1\}\{2\}" vs "\\\\frac\{1\}\{2\}"/,
  );
  assert.match(stdout, /interval {2}NO_ANSWER {2}rule: no-answer/);
  assert.match(stdout, / {2}WRONG {2}rule: /);

  const evalDir = mkdtempSync(join(tmpdir(), 'treecot-audit-eval-'));
  writeFileSync(
    join(evalDir, 'questions.jsonl'),
    `${JSON.stringify({ question_id: 'hard', samples: [{ text: '\\boxed{7}' }, { text: '\\boxed{8}' }] })}\n`,
  );
  const fromEval = await treecot(['check', '--task', 'math', '--data', problems, '--from-eval', evalDir, '--audit', '5', '--workers', '1']);
  assert.equal(fromEval.code, 0, fromEval.stderr);
  assert.match(fromEval.stdout, /2 checks/);
  assert.match(fromEval.stdout, /audit: 2 of 2 verdicts/);
});
