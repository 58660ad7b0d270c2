/**
 * kill -9 at every step of a data folder's replacement (issue 15 items 2 and 3): the folder
 * is wholly the old version or wholly the new one (or, killed exactly between the two
 * renames, absent until the next start puts the old one back); the next start removes every
 * staging/old folder; foreign files in --out are refused, never deleted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { recoverFolder } from '../../src/core/index.ts';
import { writeFilesStaged } from '../../src/data/index.ts';
import { versionFiles } from './fixtures/replace-versions.ts';

const CHILD = new URL('./fixtures/replace-child.ts', import.meta.url).pathname;
const STEPS = ['staging-started', 'staged', 'old-moved-away', 'new-moved-in', 'old-removed', 'none'] as const;

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full), readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** Which version the folder holds as a whole: 1, 2, 'absent', or 'mixed'. */
function classify(dir: string): 1 | 2 | 'absent' | 'mixed' {
  if (!existsSync(dir)) return 'absent';
  const tree = readTree(dir);
  for (const v of [1, 2] as const) {
    const want = versionFiles(v);
    if (tree.size === want.size && [...want].every(([k, text]) => tree.get(k) === text)) return v;
  }
  return 'mixed';
}

test(
  'a build killed with SIGKILL at every step of the folder switch leaves the old or the new folder, and the next start cleans up',
  { timeout: 120_000 },
  () => {
    const seen: string[] = [];
    for (const step of STEPS) {
      const parent = mkdtempSync(join(tmpdir(), 'treecot-switch-'));
      const out = join(parent, 'data');
      writeFilesStaged(out, versionFiles(1));
      assert.equal(classify(out), 1);
      const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, out, '2', step], { encoding: 'utf8' });
      if (step === 'none') assert.equal(child.status, 0, child.stderr);
      else assert.equal(child.signal, 'SIGKILL', `killed at ${step}: ${child.stderr}`);
      const right = classify(out);
      const expected = step === 'staging-started' || step === 'staged' ? 1 : step === 'old-moved-away' ? 'absent' : 2;
      assert.equal(right, expected, `right after a kill at ${step}`);
      seen.push(`${step}:${right}`);
      // The next start (a reader such as train --data, or the next build) repairs it.
      recoverFolder(out);
      assert.equal(classify(out), expected === 'absent' ? 1 : expected, `after recovery (killed at ${step})`);
      assert.deepEqual(readdirSync(parent), ['data'], `no staging/old folder left (killed at ${step})`);
      // And the next build replaces it whole.
      writeFilesStaged(out, versionFiles(2));
      assert.equal(classify(out), 2);
      assert.deepEqual(readdirSync(parent), ['data']);
    }
    assert.equal(seen.length, STEPS.length);
  },
);

test('a build into a folder holding files no build wrote is refused naming them, and nothing is deleted', () => {
  const parent = mkdtempSync(join(tmpdir(), 'treecot-switch-'));
  const out = join(parent, 'data');
  writeFilesStaged(out, versionFiles(1));
  writeFileSync(join(out, 'my-notes.txt'), 'keep me');
  mkdirSync(join(out, 'checkpoints'));
  assert.throws(
    () => writeFilesStaged(out, versionFiles(2)),
    /data: the output folder holds entries this command did not write \((checkpoints, my-notes\.txt|my-notes\.txt, checkpoints)\)/,
  );
  assert.equal(readFileSync(join(out, 'my-notes.txt'), 'utf8'), 'keep me');
  assert.equal(readFileSync(join(out, 'sft.jsonl'), 'utf8'), versionFiles(1).get('sft.jsonl'));
  assert.deepEqual(readdirSync(parent), ['data']);
  // A file where a folder is needed.
  const file = join(parent, 'file');
  writeFileSync(file, 'x');
  assert.throws(() => writeFilesStaged(file, versionFiles(1)), /exists and is not a folder/);
});
