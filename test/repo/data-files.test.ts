/**
 * The benchmark data shipped in data/ is what data/SOURCES.md says it is: every file hashes to its
 * SHA256SUMS line, SHA256SUMS lists every file, the SHA-256 block of SOURCES.md agrees, and each
 * dataset folder carries a license. A bare clone's tests read this folder, so a truncated or
 * re-encoded copy (git autocrlf, an LFS pointer) must fail here first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_DATA_DIR } from '../helpers/data-paths.ts';

const NOT_DATA = new Set(['README.md', 'SOURCES.md', 'SHA256SUMS']);

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [relative(REPO_DATA_DIR, path)];
  });
}

function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(\S.*)$/.exec(line.trim());
    if (match) sums.set(match[2]!, match[1]!);
  }
  return sums;
}

const sums = parseSums(readFileSync(join(REPO_DATA_DIR, 'SHA256SUMS'), 'utf8'));

test('every file in data/ is listed in SHA256SUMS and hashes to it', () => {
  const files = listFiles(REPO_DATA_DIR)
    .filter((f) => !NOT_DATA.has(f))
    .sort();
  assert.ok(files.length >= 520, `expected the ~522 data files, found ${files.length}`);
  assert.deepEqual(files, [...sums.keys()].sort());
  for (const file of files) {
    const digest = createHash('sha256')
      .update(readFileSync(join(REPO_DATA_DIR, file)))
      .digest('hex');
    assert.equal(digest, sums.get(file), `${file}: content differs from data/SHA256SUMS`);
  }
});

test('the SHA-256 block of data/SOURCES.md agrees with SHA256SUMS', () => {
  const sources = readFileSync(join(REPO_DATA_DIR, 'SOURCES.md'), 'utf8');
  const listed = parseSums(sources.slice(sources.indexOf('## SHA-256')));
  assert.ok(listed.size >= 10, `SOURCES.md lists ${listed.size} hashes`);
  for (const [file, digest] of listed) assert.equal(sums.get(file), digest, file);
});

test('each dataset folder carries its license', () => {
  for (const folder of ['aime', 'gsm8k', 'ifeval', 'letter-count', 'math500', 'planbench']) {
    assert.ok(sums.has(`${folder}/LICENSE`), `data/${folder}/LICENSE missing`);
  }
  assert.ok(sums.has('letter-count/NOTICE'), 'data/letter-count/NOTICE (Apache-2.0 section 4d) missing');
});
