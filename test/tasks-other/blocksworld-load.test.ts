/**
 * The Blocksworld loader: a repeated instance id is a DataError naming file, line and field (as in
 * every other task's loader), and the data file is read once whatever its format.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../../src/core/index.ts';
import { blocksworldTask, loadBlocksworld } from '../../src/tasks/blocksworld/index.ts';
import { dataFile } from '../helpers/data-paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-bw-load-'));
const TASK_FILE = dataFile('planbench/blocksworld/task_1_plan_generation.json');
const query = blocksworldTask.load(TASK_FILE)[0]!.question;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function assertDuplicate(file: string, line: number, field: string, id: string, firstLine: number): void {
  assert.throws(
    () => loadBlocksworld(file),
    (error: unknown) => {
      assert.ok(error instanceof DataError, `expected DataError, got ${String(error)}`);
      assert.deepEqual({ ...error.location }, { file, line, field });
      assert.ok(error.message.startsWith(`${file}:${line} field "${field}"`), error.message);
      assert.match(error.message, new RegExp(`duplicate id "${id}" \\(first seen on line ${firstLine}\\)`));
      return true;
    },
  );
}

test('blocksworld load: a duplicate instance_id in JSONL names file, line and field', () => {
  const rows = [
    { instance_id: 2, query },
    { instance_id: 3, query },
    { instance_id: 2, query },
  ];
  const file = write('dup.jsonl', rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  assertDuplicate(file, 3, 'instance_id', '2', 1);
});

test('blocksworld load: a duplicate id in a JSON array and with --id-field', () => {
  const array = write(
    'dup-array.json',
    JSON.stringify(
      [
        { id: 'a', query },
        { id: 'a', query },
      ],
      null,
      2,
    ),
  );
  assertDuplicate(array, 6, 'id', 'a', 2);
  const rows = write('dup-key.jsonl', `${JSON.stringify({ key: 'k', query })}\n${JSON.stringify({ key: 'k', query })}\n`);
  assert.throws(() => loadBlocksworld(rows, { idField: 'key' }), /dup-key\.jsonl:2 field "key": duplicate id "k" \(first seen on line 1\)/);
});

test("blocksworld load: a duplicate instance_id in PlanBench's task file names file, line and field", () => {
  const text = JSON.stringify(
    {
      task: 't',
      instances: [
        { instance_id: 5, query },
        { instance_id: 6, query },
        { instance_id: 5, query },
      ],
    },
    null,
    2,
  );
  const file = write('dup-task.json', text);
  // Each instance object spans 4 lines after the 3 header lines: they open on lines 4, 8 and 12.
  assertDuplicate(file, 12, 'instance_id', '5', 4);
});

test('blocksworld load: an id equal to another row index is a duplicate of the row index', () => {
  const file = write('dup-index.jsonl', `${JSON.stringify({ query })}\n${JSON.stringify({ id: '0', query })}\n`);
  assertDuplicate(file, 2, 'id', '0', 1);
  const reversed = write('dup-index-2.jsonl', `${JSON.stringify({ id: '1', query })}\n${JSON.stringify({ query })}\n`);
  assertDuplicate(reversed, 2, '(row index)', '1', 1);
});

test('blocksworld load: the data file is read once, in both formats', (t) => {
  const jsonl = write('once.jsonl', `${JSON.stringify({ instance_id: 2, query })}\n`);
  const reads = new Map<string, number>();
  const original = fs.readFileSync;
  t.after(() => {
    mock.restoreAll();
    syncBuiltinESMExports();
  });
  mock.method(fs, 'readFileSync', (...args: Parameters<typeof original>) => {
    reads.set(String(args[0]), (reads.get(String(args[0])) ?? 0) + 1);
    return original(...args);
  });
  syncBuiltinESMExports();
  assert.equal(loadBlocksworld(TASK_FILE).length, 500);
  assert.equal(loadBlocksworld(jsonl).length, 1);
  assert.deepEqual(Object.fromEntries(reads), { [TASK_FILE]: 1, [jsonl]: 1 });
});
