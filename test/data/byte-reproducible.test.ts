/**
 * Byte-reproducible exports (issue 15 item 5): one seeded search with a deterministic policy
 * (ScriptedPolicy keyed by the prompt) at concurrency 1 and at concurrency 8 gives
 * byte-identical export-trees files, sft.jsonl, dpo.jsonl, every other data file and the
 * Parquet files, although the SQLite rowids interleave differently. And the same trees written
 * into two different databases (one holding an earlier run and other questions too) give
 * byte-identical `treecot export-trees` files and build rows with the commands' default ids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { treecotOk } from '../helpers/treecot-cli.ts';
import { buildDataset, parseBuildOptions, renderDatasetFiles } from '../../src/data/index.ts';
import { exportTree, runSearch } from '../../src/search/index.ts';
import { readRun, SearchStore } from '../../src/store/index.ts';
import { crashTestConfig } from '../search/fixtures/crash-config.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from '../search/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-bytes-'));
const problems = letterCountTask.load(LETTER_COUNT_DATA).slice(0, 8);

async function searchAndExport(concurrency: number): Promise<{ files: Map<string, string | Uint8Array>; rowIds: number[][] }> {
  const db = join(dir, `c${concurrency}.db`);
  await runSearch({
    config: crashTestConfig(),
    task: 'letter-count',
    defaultInstruction: letterCountTask.defaultInstruction,
    problems,
    dbPath: db,
    policy: hashedLetterCountPolicy({ latencyMs: 1 }),
    verify: verifyLetterCount,
    concurrency,
  });
  const data = readRun(db, { nodeIds: 'per-question' });
  const files = new Map<string, string | Uint8Array>();
  for (const q of data.questions) files.set(`trees/${q.questionId}.json`, `${JSON.stringify(exportTree(q), null, 2)}\n`);
  const built = buildDataset(data, parseBuildOptions({ sft: 'all', pairsPerQuestion: 2 }, 'test'), { source: 'run.db' });
  for (const [name, bytes] of renderDatasetFiles(built, { parquet: true })) files.set(`data/${name}`, bytes);
  const store = SearchStore.open(db, { readonly: true });
  const rowIds = data.questions.map((q) => store.nodes(store.latestRun()!.run_id, q.questionId).map((n) => n.id));
  store.close();
  return { files, rowIds };
}

test('concurrency 1 and 8 give byte-identical trees, JSONL and Parquet files', { timeout: 120_000 }, async () => {
  const one = await searchAndExport(1);
  const eight = await searchAndExport(8);
  assert.notDeepEqual(one.rowIds, eight.rowIds, 'the rowids interleave differently (else this test proves nothing)');
  assert.deepEqual([...one.files.keys()].sort(), [...eight.files.keys()].sort());
  assert.ok(one.files.has('data/sft.parquet') && one.files.has('data/dpo.parquet'));
  let differing = 0;
  for (const [name, bytes] of one.files) {
    const other = eight.files.get(name)!;
    if (Buffer.compare(Buffer.from(bytes), Buffer.from(other)) !== 0) differing++;
  }
  assert.equal(differing, 0, `${differing} of ${one.files.size} files differ`);
  // Ids are per question: every tree's root is 0 and ids count up from it.
  const tree = JSON.parse(one.files.get(`trees/${problems[0]!.id}.json`) as string) as { nodes: { id: number; parent: number | null }[] };
  assert.deepEqual(
    tree.nodes.map((n) => n.id),
    tree.nodes.map((_, i) => i),
  );
  assert.equal(tree.nodes[0]!.parent, null);
});

async function cli(...args: string[]): Promise<void> {
  await treecotOk(args);
}

test(
  'the same trees in two different databases give byte-identical export-trees files and rows (default ids)',
  { timeout: 120_000 },
  async () => {
    const search = (dbPath: string, subset: typeof problems, concurrency: number, config = crashTestConfig(), newRun = false) =>
      runSearch({
        config,
        task: 'letter-count',
        defaultInstruction: letterCountTask.defaultInstruction,
        problems: subset,
        dbPath,
        policy: hashedLetterCountPolicy({ latencyMs: 1 }),
        verify: verifyLetterCount,
        concurrency,
        newRun,
      });
    const shared = problems.slice(0, 4);
    const alone = join(dir, 'alone.db');
    await search(alone, shared, 1);
    // The other database: an earlier run of another config, then the shared questions among four more, interleaved.
    const crowded = join(dir, 'crowded.db');
    const other = crashTestConfig();
    await search(crowded, problems.slice(4), 4, { ...other, search: { ...other.search, max_rollouts: 6 } });
    await search(crowded, [...problems.slice(4), ...shared], 8, crashTestConfig(), true);
    const rowIds = (db: string) => readRun(db, { nodeIds: 'rowid' }).questions.filter((q) => shared.some((p) => p.id === q.questionId));
    assert.notDeepEqual(
      rowIds(alone).map((q) => q.nodes.map((n) => n.id)),
      rowIds(crowded).map((q) => q.nodes.map((n) => n.id)),
      'the rowids differ (else this test proves nothing)',
    );

    const exported = async (db: string, name: string) => {
      await cli('export-trees', db, '--out', join(dir, `${name}-trees`));
      await cli('build', db, '--out', join(dir, `${name}-data`), '--sft', 'all', '--pairs-per-question', '2');
      const files = new Map<string, string>();
      for (const file of readdirSync(join(dir, `${name}-trees`)))
        files.set(`trees/${file}`, readFileSync(join(dir, `${name}-trees`, file), 'utf8'));
      // Rows of the shared questions, in file order.
      for (const file of ['sft.jsonl', 'dpo.jsonl', 'paths.jsonl'])
        files.set(
          `data/${file}`,
          readFileSync(join(dir, `${name}-data`, file), 'utf8')
            .split('\n')
            .filter((line) => line && shared.some((p) => (JSON.parse(line) as { question_id: string }).question_id === p.id))
            .join('\n'),
        );
      return files;
    };
    const a = await exported(alone, 'alone');
    const b = await exported(crowded, 'crowded');
    let compared = 0;
    for (const [name, text] of a) {
      if (name.startsWith('trees/') && !shared.some((p) => name === `trees/${p.id}.json`)) continue;
      assert.ok(text.length > 0, `${name} has rows of the shared questions`);
      assert.equal(b.get(name), text, `${name} is byte-identical`);
      compared++;
    }
    assert.equal(compared, shared.length + 3);
  },
);
