/**
 * Standing fuzz test (issue 15): random and mutated data files, configs, prediction and
 * training files, eval summaries and search databases through every loader. Each input must
 * be accepted or refused with a TreecotError (a located, one-line message): never another
 * exception (a stack trace in the CLI), never a hang (each call is timed), never damage to
 * an existing output folder (a build from a damaged database keeps the old data set whole).
 *
 * Bounded for `npm test` (TREECOT_FUZZ_RUNS, default 40 per property, fixed seed, a few
 * seconds); `npm run fuzz` runs 1500 per property with a fresh seed (printed on failure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { TreecotError, readRecords } from '../../src/core/index.ts';
import { buildDataset, parseBuildOptions, readBuiltData, writeDataset } from '../../src/data/index.ts';
import { loadEvalSummary } from '../../src/eval/index.ts';
import { loadPipelineConfig } from '../../src/pipeline/index.ts';
import { loadSearchConfig } from '../../src/search/index.ts';
import { readRun, SearchStore } from '../../src/store/index.ts';
import { TASKS } from '../../src/tasks/index.ts';
import { readPreferenceRows, readSftRows } from '../../src/train/index.ts';
import { writeStore } from '../data/store-fixture.ts';
import { node, question, run, correct, wrong } from '../data/tree-fixtures.ts';

const RUNS = Number(process.env.TREECOT_FUZZ_RUNS ?? 40);
const SEED =
  process.env.TREECOT_FUZZ_SEED !== undefined
    ? Number(process.env.TREECOT_FUZZ_SEED)
    : process.env.TREECOT_FUZZ_RUNS
      ? Date.now() % 2 ** 31
      : 15;
const PARAMS = { numRuns: RUNS, seed: SEED, endOnFailure: true, includeErrorInReport: true };
/** Per call: a loader that takes longer on a few KB of input is treated as a hang. */
const MAX_MS = 2000;
const dir = mkdtempSync(join(tmpdir(), 'treecot-fuzz-'));
let counter = 0;

/** Byte-level mutations of a seed file: flips, inserts, deletes, truncation, duplication. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({
    kind: fc.constant('insert-text' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      '"',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '\n',
      '\ufeff',
      '&a',
      '*a',
      '- ',
      'null',
      '-1',
      '1e999',
      '""',
      '\\',
      '\u0000',
      '<<: *a',
    ),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(seed: Buffer, mutations: readonly unknown[]): Buffer {
  let bytes = Buffer.from(seed);
  for (const m of mutations as { kind: string; at: number; byte?: number; bytes?: Uint8Array; text?: string; length?: number }[]) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    if (m.kind === 'set' && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = m.byte!;
    if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes!), bytes.subarray(at)]);
    if (m.kind === 'insert-text') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text!), bytes.subarray(at)]);
    if (m.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length!)]);
    if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
  }
  return bytes;
}

/** Accepted, or refused with a TreecotError; anything else (or a slow call) fails the property. */
function acceptedOrRefused(what: string, call: () => unknown): void {
  const started = performance.now();
  try {
    call();
  } catch (error) {
    if (!TreecotError.isInstance(error)) {
      throw new Error(`${what}: not a TreecotError: ${(error as Error)?.stack ?? String(error)}`);
    }
    assert.ok(error.message.length > 0 && error.message.length < 2000, `${what}: a short message`);
    assert.doesNotMatch(error.message, /\n\s+at /, `${what}: no stack in the message`);
  }
  const ms = performance.now() - started;
  assert.ok(ms < MAX_MS, `${what}: took ${ms.toFixed(0)} ms`);
}

function fileWith(name: string, bytes: Buffer | string): string {
  const file = join(dir, `${counter++}-${name}`);
  writeFileSync(file, bytes);
  return file;
}

const PROBLEM_SEEDS: Record<string, string> = {
  'letter-count':
    '{"id":"a","problem":"How many r in strawberry?","solution":3}\n{"id":"b","problem":"How many e and u in subsensual?","solution":3}\n',
  gsm8k: '{"question":"Tom has 3 apples and buys 2. How many?","answer":"3+2=5\\n#### 5"}\n',
  math: '{"problem":"What is $1+1$?","answer":"2","unique_id":"m1"}\n',
  arithmetic: '[{"id":"x","question":"2+2","answer":4}]\n',
};

test('fuzz: problem files through every task loader', () => {
  const tasks = Object.keys(TASKS);
  fc.assert(
    fc.property(
      fc.constantFrom(...tasks),
      fc.constantFrom(...Object.values(PROBLEM_SEEDS)),
      fc.array(mutation, { maxLength: 6 }),
      (task, seed, mutations) => {
        const file = fileWith('problems.jsonl', mutate(Buffer.from(seed), mutations));
        acceptedOrRefused(`${task} loader`, () => TASKS[task]!.load(file));
      },
    ),
    PARAMS,
  );
});

test('fuzz: random JSON rows through the record, training and prediction readers', () => {
  fc.assert(
    fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }), fc.boolean(), (values, asArray) => {
      const text = asArray ? JSON.stringify(values) : values.map((v) => JSON.stringify(v)).join('\n');
      const file = fileWith('rows.jsonl', text);
      acceptedOrRefused('readRecords', () => readRecords(file));
      acceptedOrRefused('readSftRows', () => readSftRows(file));
      acceptedOrRefused('readPreferenceRows', () => readPreferenceRows(file));
      for (const task of Object.keys(TASKS)) acceptedOrRefused(`${task} loader`, () => TASKS[task]!.load(file));
    }),
    PARAMS,
  );
});

test('fuzz: mutated search configs, pipeline configs and eval summaries', () => {
  const seeds = {
    search: [readFileSync('configs/letter-count.yaml'), readFileSync('configs/math.yaml')],
    pipeline: [readFileSync('configs/pipeline-demo.yaml')],
    summary: [
      Buffer.from(
        JSON.stringify({
          name: 'x',
          task: 'letter-count',
          data: 'a.jsonl',
          questions: 3,
          accuracy: 0.5,
          no_answer_rate: 0,
          pass_at_k: { 1: 0.5 },
        }),
      ),
    ],
  };
  fc.assert(
    fc.property(
      fc.constantFrom('search', 'pipeline', 'summary'),
      fc.nat(),
      fc.array(mutation, { maxLength: 8 }),
      (kind, pick, mutations) => {
        const list = seeds[kind as keyof typeof seeds];
        const bytes = mutate(list[pick % list.length]!, mutations);
        if (kind === 'search') acceptedOrRefused('loadSearchConfig', () => loadSearchConfig(fileWith('search.yaml', bytes)));
        if (kind === 'pipeline') acceptedOrRefused('loadPipelineConfig', () => loadPipelineConfig(fileWith('pipeline.yaml', bytes)));
        if (kind === 'summary') acceptedOrRefused('loadEvalSummary', () => loadEvalSummary(fileWith('summary.json', bytes)));
      },
    ),
    PARAMS,
  );
});

test('fuzz: damaged search databases through readRun and build; the existing data folder stays whole', () => {
  const good = join(dir, 'good.db');
  writeStore(good, run(), [
    question('q1', [
      node(1, null, 'root', 'What is 2+2?'),
      node(2, 1, 'thinking', '2+2 is 4.'),
      node(3, 2, 'answer', '4', correct),
      node(4, 1, 'answer', '5', wrong),
    ]),
    question('q2', [node(1, null, 'root', 'What is 3+3?'), node(2, 1, 'answer', '6', correct), node(3, 1, 'answer', '7', wrong)]),
  ]);
  const store = SearchStore.open(good);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  const seed = readFileSync(good);
  const out = join(dir, 'data');
  writeDataset(buildDataset(readRun(good), parseBuildOptions({}), { source: good }), out);
  let before = readFileSync(join(out, 'sft.jsonl'), 'utf8');
  fc.assert(
    fc.property(
      fc.array(fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 12,
      }),
      (mutations) => {
        const db = join(dir, `${counter++}-damaged.db`);
        copyFileSync(good, db);
        writeFileSync(db, mutate(seed, mutations));
        let built = false;
        acceptedOrRefused('readRun + build', () => {
          const data = readRun(db);
          const dataset = buildDataset(data, parseBuildOptions({}), { source: db });
          writeDataset(dataset, out);
          built = true;
        });
        // Either the old data set, untouched, or a whole new one that reads back.
        const now = readBuiltData(out);
        const sft = readFileSync(join(out, 'sft.jsonl'), 'utf8');
        if (!built) assert.equal(sft, before, 'a refused build leaves the old data set');
        assert.equal(now.sft.length, sft.split('\n').filter((l) => l !== '').length);
        before = sft;
      },
    ),
    { ...PARAMS, numRuns: Math.max(5, Math.round(RUNS / 2)) },
  );
});
