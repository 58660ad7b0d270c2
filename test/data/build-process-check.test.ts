/**
 * `treecot build --process-check` applies the pipeline's automatic process check: a letter-count
 * path that reaches the right answer through wrong count steps is kept out of SFT and DPO chosen and
 * counted in stats (paths.droppedProcessCheck); a task without a check is refused by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeStore } from './store-fixture.ts';
import { correct, node, question, run, wrong } from './tree-fixtures.ts';

const bin = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));
const text = 'How many g and n are there in total in navigant?';

/** Root -> sub-task -> spelled word -> (right counts | wrong counts that still sum to 3 | wrong answer). */
function letterCountTree() {
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

function build(db: string, out: string, extra: string[]): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [bin, 'build', db, '--out', out, '--sft', 'all', '--json', ...extra], {
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 60_000,
    });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
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
