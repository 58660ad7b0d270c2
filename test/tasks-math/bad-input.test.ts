/**
 * Bad input files give DataErrors naming file, line and field (gsm8k, math, aime loaders and
 * the shared loadProblems helper).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../../src/core/index.ts';
import { gsm8kTask, mathTask, loadProblems } from '../../src/tasks/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-math-bad-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function assertDataError(fn: () => unknown, pattern: RegExp, location: { file: string; line?: number; field?: string }): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DataError, `expected DataError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.deepEqual({ ...error.location }, location);
    return true;
  });
}

test('missing file names the file', () => {
  const missing = join(dir, 'nope.jsonl');
  assertDataError(() => gsm8kTask.load(missing), /nope\.jsonl: file not found/, { file: missing });
  assertDataError(() => mathTask.load(missing), /file not found/, { file: missing });
});

test('malformed JSONL line names file and line', () => {
  const path = file('bad.jsonl', '{"question": "q", "answer": "#### 1"}\n{"question": "q2", "answer": \n');
  assertDataError(() => gsm8kTask.load(path), /bad\.jsonl:2: malformed JSON/, { file: path, line: 2 });
});

test('missing field names file, line and field', () => {
  const path = file('missing.jsonl', '{"problem": "p", "answer": "1"}\n\n{"problem": "p2"}\n');
  assertDataError(() => mathTask.load(path), /missing\.jsonl:3 field "answer": missing field/, { file: path, line: 3, field: 'answer' });
  const gsm = file('gsm-missing.jsonl', '{"answer": "#### 3"}\n');
  assertDataError(() => gsm8kTask.load(gsm), /gsm-missing\.jsonl:1 field "question": missing field/, {
    file: gsm,
    line: 1,
    field: 'question',
  });
  assertDataError(() => gsm8kTask.load(gsm, { questionField: 'text' }), /field "text": missing field/, {
    file: gsm,
    line: 1,
    field: 'text',
  });
});

test('wrong type names file, line and field', () => {
  const path = file('types.jsonl', '{"problem": "p", "answer": "1"}\n{"problem": 42, "answer": "1"}\n');
  assertDataError(() => mathTask.load(path), /types\.jsonl:2 field "problem": expected string, got number/, {
    file: path,
    line: 2,
    field: 'problem',
  });
  const answers = file('answer-type.jsonl', '{"problem": "p", "answer": ["1"]}\n');
  assertDataError(() => mathTask.load(answers), /field "answer": expected string\|number, got array/, {
    file: answers,
    line: 1,
    field: 'answer',
  });
  const ids = file('id-type.jsonl', '{"problem": "p", "answer": "1", "id": {"x": 1}}\n');
  assertDataError(() => mathTask.load(ids), /field "id": expected string\|number, got object/, { file: ids, line: 1, field: 'id' });
});

test('gsm8k answer without a number and duplicate ids are data errors', () => {
  const noNumber = file('no-number.jsonl', '{"question": "q", "answer": "it is #### many"}\n');
  assertDataError(() => gsm8kTask.load(noNumber), /no number after "####"/, { file: noNumber, line: 1, field: 'answer' });
  const dup = file(
    'dup.json',
    '[\n {"problem": "a", "answer": "1", "unique_id": "x"},\n {"problem": "b", "answer": "2", "unique_id": "x"}\n]\n',
  );
  assertDataError(() => mathTask.load(dup), /duplicate id "x" \(first seen on line 2\)/, { file: dup, line: 3, field: 'unique_id' });
});

test('loadProblems: ids from id / unique_id / instance_id / --id-field, else the row index; field overrides', () => {
  const path = file(
    'ids.jsonl',
    [
      '{"q": "a", "a": 1, "instance_id": 7}',
      '{"q": "b", "a": 2, "unique_id": "u", "instance_id": 8}',
      '{"q": "c", "a": 3, "id": 0, "unique_id": "v"}',
    ].join('\n'),
  );
  const problems = loadProblems(path, { questionField: 'q', answerField: 'a' }, { questionField: 'question', answerField: 'answer' });
  assert.deepEqual(
    problems.map((p) => p.id),
    ['7', 'u', '0'],
  );
  assert.deepEqual(
    problems.map((p) => p.reference),
    [1, 2, 3],
  );
  assert.deepEqual(problems[1]!.source, { file: path, line: 2 });
  const byIndex = loadProblems(
    file('plain.jsonl', '{"q": "a", "a": 1}\n{"q": "b", "a": 2}\n'),
    {},
    { questionField: 'q', answerField: 'a' },
  );
  assert.deepEqual(
    byIndex.map((p) => p.id),
    ['0', '1'],
  );
  const custom = loadProblems(path, { idField: 'a' }, { questionField: 'q', answerField: 'a' });
  assert.deepEqual(
    custom.map((p) => p.id),
    ['1', '2', '3'],
  );
});
