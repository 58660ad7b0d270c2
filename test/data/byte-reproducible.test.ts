/**
 * Byte-reproducible exports (issue 15 item 5): one seeded search with a deterministic policy
 * (ScriptedPolicy keyed by the prompt) at concurrency 1 and at concurrency 8 gives
 * byte-identical export-trees files, sft.jsonl, dpo.jsonl, every other data file and the
 * Parquet files, although the SQLite rowids interleave differently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
