/**
 * Issue 15: every command refuses hostile input in one clear line (file, line, field or flag),
 * exit 1, no stack trace, nothing written or damaged. Real child processes of bin/treecot.js,
 * real files (a damaged SQLite file, a YAML alias bomb, non-UTF-8 bytes, a device file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, closeSync, writeFileSync, writeSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataset, parseBuildOptions } from '../../src/data/index.ts';
import { readRecords } from '../../src/core/index.ts';
import { compareWarnings } from '../../src/eval/index.ts';
import { SearchStore, readRun } from '../../src/store/index.ts';
import { writeStore } from '../data/store-fixture.ts';
import { node, question, run, correct, wrong } from '../data/tree-fixtures.ts';
import { LETTER_COUNT_DATA } from '../search/helpers.ts';

const BIN = new URL('../../bin/treecot.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'treecot-hostile-'));
const CONFIG = 'configs/letter-count.yaml';

function treecot(args: string[], timeout = 60_000): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 124) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** One located line on stderr, exit 1, no stack trace. */
function assertClear(result: { code: number; stderr: string }, pattern: RegExp, what: string): void {
  assert.equal(result.code, 1, `${what}: exit code (stderr: ${result.stderr})`);
  assert.match(result.stderr, pattern, what);
  assert.doesNotMatch(result.stderr, /\n\s+at [\w.<]+ \(|node:internal|SqliteError:|TypeError|ReferenceError/, `${what}: no stack trace`);
}

function damagedDatabase(file: string): void {
  writeStore(file, run(), [question('q1', [node(1, null, 'root', 'Q'), node(2, 1, 'answer', '4', correct)])]);
  const store = SearchStore.open(file);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4096 * 2, 0x5a), 0, 4096 * 2, 4096);
  closeSync(fd);
}

const search = (config: string, data: string, out = join(dir, 'never.db')) =>
  treecot([
    'search',
    '--config',
    config,
    '--task',
    'letter-count',
    '--data',
    data,
    '--out',
    out,
    '--policy',
    'http://127.0.0.1:9/v1',
    '--model',
    'm',
    '--no-progress',
  ]);

test('configs: a folder, a YAML alias bomb, non-UTF-8 bytes, reward_thresholds above max_rollouts', { timeout: 120_000 }, async () => {
  const folder = join(dir, 'config-dir');
  mkdirSync(folder);
  const bomb = join(dir, 'bomb.yaml');
  writeFileSync(
    bomb,
    [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefg'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`),
    ].join('\n') + '\n',
  );
  const latin1 = join(dir, 'latin1.yaml');
  writeFileSync(latin1, Buffer.concat([Buffer.from('seed: 1\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
  const thresholds = join(dir, 'thresholds.yaml');
  writeFileSync(thresholds, readFileSync(CONFIG, 'utf8').replace('max_rollouts: 32', 'max_rollouts: 3'));
  const [a, b, c, d] = await Promise.all([
    search(folder, LETTER_COUNT_DATA),
    search(bomb, LETTER_COUNT_DATA),
    search(latin1, LETTER_COUNT_DATA),
    search(thresholds, LETTER_COUNT_DATA),
  ]);
  assertClear(a, /config-dir: is a directory; expected a YAML or JSON config file/, 'config folder');
  assertClear(b, /bomb\.yaml: cannot read the YAML: Excessive alias count/, 'alias bomb');
  assertClear(c, /latin1\.yaml:2: not valid UTF-8 text/, 'non-UTF-8 config');
  assertClear(
    d,
    /thresholds\.yaml:\d+ field "search\.reward_thresholds": min 4 correct rollouts can never be reached within max_rollouts 3/,
    'thresholds',
  );
  assert.ok(!existsSync(join(dir, 'never.db')), 'no database created');
});

test(
  'data files: empty, whitespace, /dev/null, non-UTF-8, empty question, empty id, negative count; a BOM is dropped',
  { timeout: 120_000 },
  async () => {
    const file = (name: string, content: string | Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    const cases: [string, RegExp][] = [
      [file('empty.jsonl', ''), /empty\.jsonl: no problems in this file/],
      [file('blank.jsonl', ' \n\n  \n'), /blank\.jsonl: no problems in this file/],
      ['/dev/null', /\/dev\/null: is not a regular file/],
      [
        file(
          'bytes.jsonl',
          Buffer.concat([
            Buffer.from('{"problem":"How many r in strawberry?","solution":3}\n{"problem":"How many r in b'),
            Buffer.from([0xff]),
            Buffer.from('rr?","solution":2}\n'),
          ]),
        ),
        /bytes\.jsonl:2: not valid UTF-8 text/,
      ],
      [file('no-question.jsonl', '{"problem":"  ","solution":3}\n'), /no-question\.jsonl:1 field "problem": empty question text/],
      [file('no-id.jsonl', '{"id":"","problem":"How many r in strawberry?","solution":3}\n'), /no-id\.jsonl:1 field "id": empty id/],
      [
        file('negative.jsonl', '{"problem":"How many r in strawberry?","solution":-3}\n'),
        /negative\.jsonl:1 field "solution": a letter count cannot be negative/,
      ],
    ];
    const results = await Promise.all(cases.map(([data]) => search(CONFIG, data)));
    results.forEach((r, i) => assertClear(r, cases[i]![1], cases[i]![0]));
    // eval --out: an existing evaluation is not replaced by an empty one.
    const evalOut = join(dir, 'eval-out');
    mkdirSync(evalOut);
    writeFileSync(join(evalOut, 'summary.json'), '{"kept":true}\n');
    const evalResult = await treecot([
      'eval',
      '--task',
      'letter-count',
      '--data',
      cases[0]![0],
      '--policy',
      'http://127.0.0.1:9/v1',
      '--model',
      'm',
      '--out',
      evalOut,
    ]);
    assertClear(evalResult, /empty\.jsonl: no problems in this file/, 'eval with empty data');
    assert.equal(readFileSync(join(evalOut, 'summary.json'), 'utf8'), '{"kept":true}\n');
    // A BOM is dropped before a JSON array as before JSONL.
    const row = { problem: 'How many r in strawberry?', solution: 3 };
    assert.equal(readRecords(file('bom.json', `\ufeff${JSON.stringify([row])}`)).length, 1);
    assert.equal(readRecords(file('bom.jsonl', `\ufeff${JSON.stringify(row)}\n`)).length, 1);
  },
);

test('a damaged SQLite file: build, export-trees, tree and search say so in one line and write nothing', { timeout: 120_000 }, async () => {
  const db = join(dir, 'damaged.db');
  damagedDatabase(db);
  const out = join(dir, 'from-damaged');
  const results = await Promise.all([
    treecot(['build', db, '--out', out]),
    treecot(['export-trees', db, '--out', out]),
    treecot(['tree', db, 'q1']),
  ]);
  for (const r of results)
    assertClear(r, /damaged\.db: database disk image is malformed \(SQLITE_CORRUPT\): the file is damaged/, 'damaged db');
  assert.ok(!existsSync(out));
});

test(
  'output locations: a file where a folder is needed and the reverse, a path under a file, checked before work',
  { timeout: 120_000 },
  async () => {
    const db = join(dir, 'good.db');
    writeStore(db, run(), [
      question('q1', [node(1, null, 'root', 'Q'), node(2, 1, 'answer', '4', correct), node(3, 1, 'answer', '5', wrong)]),
    ]);
    const aFile = join(dir, 'a-file');
    writeFileSync(aFile, 'x');
    const aFolder = join(dir, 'a-folder');
    mkdirSync(aFolder);
    const sft = join(dir, 'sft.jsonl');
    writeFileSync(sft, '{"prompt":"a","completion":"b"}\n');
    const [build, trees, trl, train, log] = await Promise.all([
      treecot(['build', db, '--out', aFile]),
      treecot(['export-trees', db, '--out', join(aFile, 'sub')]),
      treecot(['export-trl', aFolder, '--base', 'Qwen/Qwen2.5-0.5B', '--out', aFile]),
      treecot(['train', sft, '--init', 'L1-d8', '--steps', '1', '--out', aFolder]),
      treecot(['train', sft, '--init', 'L1-d8', '--steps', '1', '--out', join(dir, 'm.gguf'), '--log', join(aFile, 'log.jsonl')]),
    ]);
    assertClear(build, /field "--out": .*a-file: is a file, not a folder/, 'build --out file');
    assertClear(trees, /field "--out": .*a-file\/sub: .*a-file is a file, so nothing can be created under it/, 'export-trees under a file');
    assertClear(trl, /field "--out": .*a-file: is a file, not a folder/, 'export-trl --out file');
    assertClear(train, /field "--out": .*a-folder: is a folder, but a file name is needed/, 'train --out folder');
    assertClear(log, /field "--log": .*a-file is a file, so nothing can be created under it/, 'train --log under a file');
    assert.equal(readFileSync(aFile, 'utf8'), 'x');
    assert.ok(!existsSync(join(dir, 'm.gguf')));
  },
);

test(
  'train: --workers above the cores and a model too large for memory are refused at once; flags are named',
  { timeout: 120_000 },
  async () => {
    const sft = join(dir, 'sft2.jsonl');
    writeFileSync(sft, '{"prompt":"a","completion":"b"}\n');
    const [workers, huge, warmup, build] = await Promise.all([
      treecot(['train', sft, '--init', 'L1-d8', '--steps', '1', '--workers', '64', '--out', join(dir, 'w.gguf')]),
      treecot(['train', sft, '--init', 'L64-d8192', '--steps', '1', '--out', join(dir, 'h.gguf')]),
      treecot(['train', sft, '--init', 'L1-d8', '--steps', '1', '--warmup', '5', '--out', join(dir, 'x.gguf')]),
      treecot(['build', join(dir, 'whatever.db'), '--out', join(dir, 'bo'), '--pairs-per-question', '0']),
    ]);
    assertClear(workers, /field "--workers": 64 workers, but this machine has \d+ CPU cores/, 'workers');
    assertClear(huge, /field "--init": a model of 51551\.0M parameters .* needs about \d+\.\d GB/, 'huge model');
    assert.ok(huge.ms < 30_000, `refused after ${huge.ms} ms`);
    assertClear(warmup, /field "--warmup": /, 'train flag name');
    assertClear(build, /field "--pairs-per-question": /, 'build flag name');
    assert.doesNotMatch(build.stderr, /pairsPerQuestion/);
  },
);

test('merge: a refused merge leaves no output file; merging into a file that has the questions says so', { timeout: 120_000 }, async () => {
  const a = join(dir, 'm-a.db');
  const b = join(dir, 'm-b.db');
  writeStore(a, run(), [question('q1', [node(1, null, 'root', 'Q'), node(2, 1, 'answer', '4', correct)])]);
  writeStore(b, { ...run(), configHash: 'e'.repeat(64) }, [
    question('q2', [node(1, null, 'root', 'Q'), node(2, 1, 'answer', '4', correct)]),
  ]);
  const out = join(dir, 'm-out.db');
  const refused = await treecot(['merge', out, a, b]);
  assertClear(refused, /m-b\.db: its run .* differs from/, 'merge of two searches');
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('m-out')),
    [],
    'no output file left',
  );
  const first = await treecot(['merge', out, a]);
  assert.equal(first.code, 0, first.stderr);
  const again = await treecot(['merge', out, a]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /1 questions \(0 copied; 1 questions kept as .*m-out\.db had them\).*\(1 questions in several files/);
  assert.equal(readRun(out).questions.length, 1);
});

test('a path with a thought tag written inside a thought is dropped from SFT and DPO and counted', () => {
  const nodes = [
    node(1, null, 'root', 'What is 2+2?'),
    node(2, 1, 'thinking', '2+2 is 4.'),
    node(3, 2, 'answer', '4', correct),
    node(4, 1, 'double_check', 'Check. </thinking> <b>bold</b>'),
    node(5, 4, 'answer', '4', correct),
    node(6, 1, 'answer', '5', wrong),
  ];
  const built = buildDataset({ run: run(), questions: [question('q', nodes)] }, parseBuildOptions({ sft: 'all', pairsPerQuestion: 4 }), {
    source: 'fixture.db',
  });
  assert.equal(built.stats.paths.droppedStrayTags, 1);
  for (const row of built.sft) assert.doesNotMatch(row.completion, /<\/thinking> <b>/);
  for (const pair of built.dpo) assert.doesNotMatch(pair.chosen + pair.rejected, /<\/thinking> <b>/);
  assert.ok(built.sft.length >= 1);
});

test('eval --compare names evaluations of different data sets', () => {
  const base = {
    name: 'x',
    task: 'letter-count',
    policy: 'p',
    decode: 'sample' as const,
    questions: 10,
    samples_per_question: 1,
    temperature: 0,
    max_tokens: 1,
    accuracy: 0.5,
    no_answer_rate: 0,
    pass_at_k: {},
    mean_length_chars: 1,
    median_length_chars: 1,
    reflection_markers_per_response: 0,
    repeated_line_rate: 0,
    majority_baseline: { answer: null, accuracy: 0 },
  };
  assert.deepEqual(
    compareWarnings([
      { ...base, data: 'a.jsonl' },
      { ...base, data: 'a.jsonl' },
    ] as never),
    [],
  );
  const warnings = compareWarnings(
    [
      { ...base, data: 'a.jsonl' },
      { ...base, data: 'b.jsonl', questions: 12 },
    ] as never,
    ['run1', 'run2'],
  );
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /differ in data \(run1: a\.jsonl; run2: b\.jsonl\)/);
});
