import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, readRecords, requireField, DataError, linearizePath } from '../src/core/index.ts';

test('Rng: same seed same stream, split streams differ and do not advance the parent', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  assert.deepEqual([a.int(0, 100), a.int(0, 100), a.float()], [b.int(0, 100), b.int(0, 100), b.float()]);
  const parent = new Rng(1);
  const x = parent.split('q1').int(0, 1e9);
  const y = parent.split('q2').int(0, 1e9);
  assert.notEqual(x, y);
  assert.equal(new Rng(1).split('q1').int(0, 1e9), x);
});

test('readRecords: JSONL and JSON array with line numbers; errors name file, line and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-core-'));
  const jsonl = join(dir, 'a.jsonl');
  writeFileSync(jsonl, '{"q":"a"}\n\n{"q":"b"}\n{bad\n');
  assert.throws(
    () => readRecords(jsonl),
    (e: unknown) => e instanceof DataError && /a\.jsonl:4: malformed JSON/.test(e.message),
  );
  const arr = join(dir, 'b.json');
  writeFileSync(arr, '[\n  {"q": "a"},\n  {"q": 3}\n]\n');
  const rows = readRecords(arr);
  assert.deepEqual(
    rows.map((r) => r.line),
    [2, 3],
  );
  assert.throws(() => requireField(rows[1]!, arr, 'q', 'string'), /b\.json:3 field "q": expected string, got number/);
  assert.throws(() => requireField(rows[0]!, arr, 'answer', 'any'), /b\.json:2 field "answer": missing field/);
  assert.throws(() => readRecords(join(dir, 'missing.jsonl')), /missing\.jsonl: file not found/);
  assert.throws(() => readRecords(dir), /is a directory/);
  const object = join(dir, 'object.json');
  writeFileSync(object, '{\n  "question": "q",\n  "answer": "#### 5"\n}\n');
  assert.throws(() => readRecords(object), /object\.json: the file holds one JSON object; expected JSONL/);
});

test('linearizePath: hidden thoughts are left out, tags wrap content', () => {
  const text = linearizePath(
    [
      { tag: 'sub-task', content: 'g+n', showInHistory: true },
      { tag: 'hypothesis', content: 'x', showInHistory: false },
      { tag: 'answer', content: '3', showInHistory: true },
    ],
    '\n',
  );
  assert.equal(text, '<sub-task>g+n</sub-task>\n<answer>3</answer>');
});
