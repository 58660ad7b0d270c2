/**
 * `treecot build --process-check` applies the pipeline's automatic process check: a letter-count
 * path that reaches the right answer through wrong count steps is kept out of SFT and DPO chosen and
 * counted in stats (paths.droppedProcessCheck); a task without a check is refused by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeStore } from './store-fixture.ts';
import { correct, node, question, run, wrong } from './tree-fixtures.ts';
import { parseLetterCountQuestion } from '../../src/tasks/index.ts';

const bin = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));

/** Root -> sub-task -> spelled word -> (right counts | wrong counts that still sum to 3 | wrong answer). */
function letterCountTree(text = 'How many g and n are there in total in navigant?') {
  const nodes = [
    node(1, null, 'root', text),
    node(2, 1, 'sub_task', 'g+n'),
    node(3, 2, 'thinking', 'navigant'),
    node(4, 3, 'thinking', 'g:1'),
    node(5, 3, 'thinking', 'g:2'),
    node(6, 3, 'thinking', 'g:0'),
    node(7, 4, 'thinking', 'n:2'),
    node(8, 5, 'thinking', 'n:1'),
    node(9, 6, 'thinking', 'n:2'),
    node(10, 7, 'double_check', '1+2=3'),
    node(11, 8, 'double_check', '2+1=3'),
    node(12, 9, 'double_check', '0+2=2'),
    node(13, 10, 'answer', '3', correct),
    node(14, 11, 'answer', '3', correct),
    node(15, 12, 'answer', '2', wrong),
  ];
  return { ...question('q1', nodes, text), reference: 3 };
}

function build(db: string, out: string, extra: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'build', db, '--out', out, '--sft', 'all', '--json', ...extra], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('build --process-check drops the correct path with wrong count steps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-build-process-'));
  try {
    const db = join(dir, 'lc.db');
    writeStore(db, { ...run(''), task: 'letter-count' }, [letterCountTree()]);
    const plain = build(db, join(dir, 'plain'), []);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(JSON.parse(plain.stdout).splits.sft, 2);
    const checked = build(db, join(dir, 'checked'), ['--process-check']);
    assert.equal(checked.status, 0, checked.stderr);
    const stats = JSON.parse(checked.stdout);
    assert.equal(stats.paths.droppedProcessCheck, 1);
    assert.equal(stats.splits.sft, 1);
    const [row] = readFileSync(join(dir, 'checked', 'sft.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.match(JSON.stringify(row), /g:1/);
    assert.doesNotMatch(JSON.stringify(row), /g:2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('build --process-check on a task without a check is refused by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-build-process-'));
  try {
    const db = join(dir, 'a.db');
    writeStore(db, run(), [question('q1', [node(1, null, 'root', 'What is 2+2?'), node(2, 1, 'answer', '4', correct)])]);
    const result = build(db, join(dir, 'out'), ['--process-check']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--process-check/);
    assert.match(result.stderr, /task "arithmetic"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("build --process-check judges a phrasing the text parser does not know by the problems file: --questions, else the run's recorded data file", () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-build-process-'));
  try {
    // A phrasing of the policy's grammar that names the word in a way parseLetterCountQuestion does not read.
    const phrased = 'Look at navigant. How many g and n are there overall?';
    assert.equal(parseLetterCountQuestion(phrased), null);
    const problems = join(dir, 'problems.jsonl');
    writeFileSync(problems, JSON.stringify({ id: 'q1', question: phrased, answer: 3, word: 'navigant', letters: ['g', 'n'] }) + '\n');
    const unknown = join(dir, 'unknown.db');
    writeStore(unknown, { ...run(''), task: 'letter-count', dataFile: join(dir, 'moved-away.jsonl') }, [letterCountTree(phrased)]);
    // The recorded file is gone: the question is kept unjudged, and the warning says why and what to pass.
    const unjudged = build(unknown, join(dir, 'unjudged'), ['--process-check']);
    assert.equal(unjudged.status, 0, unjudged.stderr);
    assert.equal(JSON.parse(unjudged.stdout).paths.droppedProcessCheck, 0);
    assert.match(unjudged.stderr, /could not judge 1 questions/);
    assert.match(unjudged.stderr, /moved-away\.jsonl was not found from here; pass --questions FILE/);
    // --questions: judged by its word and letters, the wrong-steps path is dropped.
    const given = build(unknown, join(dir, 'given'), ['--process-check', '--questions', problems]);
    assert.equal(given.status, 0, given.stderr);
    assert.equal(JSON.parse(given.stdout).paths.droppedProcessCheck, 1);
    // The run's recorded data file is read by default.
    const recorded = join(dir, 'recorded.db');
    writeStore(recorded, { ...run(''), task: 'letter-count', dataFile: problems }, [letterCountTree(phrased)]);
    const byDefault = build(recorded, join(dir, 'default'), ['--process-check']);
    assert.equal(byDefault.status, 0, byDefault.stderr);
    assert.equal(JSON.parse(byDefault.stdout).paths.droppedProcessCheck, 1);
    // --questions alone is refused by name; a missing --questions file names the file.
    const alone = build(recorded, join(dir, 'alone'), ['--questions', problems]);
    assert.equal(alone.status, 1);
    assert.match(alone.stderr, /--questions is read only by --process-check/);
    const missing = build(recorded, join(dir, 'missing'), ['--process-check', '--questions', join(dir, 'nope.jsonl')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.jsonl/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
