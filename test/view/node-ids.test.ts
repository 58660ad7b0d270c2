/**
 * The node ids of `treecot build`'s rows (per question by default) name the same nodes in
 * `treecot view`'s API, in a database whose rowids do not tell them apart: two runs, each with
 * eight questions searched at concurrency 8 (so the rowids of a question interleave with the
 * others'). Each row's `node_ids` must be a path of /api/question with the row's text, end at
 * the /api/paths leaf with the same ids and response, and a mark sent with those ids must land
 * on that node (build then leaves the row out).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { treecotOk } from '../helpers/treecot-cli.ts';
import { runSearch } from '../../src/search/index.ts';
import { readRun } from '../../src/store/index.ts';
import { startViewServer, type ViewServer } from '../../src/view/index.ts';
import { crashTestConfig } from '../search/fixtures/crash-config.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from '../search/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-node-ids-'));
const db = join(dir, 'run.db');
const problems = letterCountTask.load(LETTER_COUNT_DATA).slice(0, 8);
const views: ViewServer[] = [];

before(async () => {
  const base = {
    task: 'letter-count',
    defaultInstruction: letterCountTask.defaultInstruction,
    problems,
    dbPath: db,
    policy: hashedLetterCountPolicy({ latencyMs: 1 }),
    verify: verifyLetterCount,
    concurrency: 8,
  };
  await runSearch({ ...base, config: crashTestConfig() });
  const second = crashTestConfig();
  await runSearch({ ...base, config: { ...second, search: { ...second.search, max_rollouts: 10 } }, newRun: true });
});
after(async () => {
  for (const view of views) await view.close();
});

/** /api/question's struct of arrays back to one object per node. */
function fromColumns(columns: Record<string, unknown[]>): any[] {
  const keys = Object.keys(columns);
  return (columns[keys[0]!] ?? []).map((_, i) => Object.fromEntries(keys.map((k) => [k, columns[k]![i]])));
}

async function build(out: string, run: number): Promise<Record<string, any[]>> {
  await treecotOk(['build', db, '--out', out, '--run', String(run), '--sft', 'all', '--pairs-per-question', '2']);
  const rows = (name: string) =>
    readFileSync(join(out, name), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  return { sft: rows('sft.jsonl'), dpo: rows('dpo.jsonl'), paths: rows('paths.jsonl') };
}

/** Check one run: every row's node ids resolve through the view's API. Returns the rows checked. */
async function checkRun(run: number): Promise<number> {
  const view = await startViewServer({ target: db, reviewer: 'alice', runId: run });
  views.push(view);
  const api = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${view.port}${path}`);
    assert.equal(response.status, 200, path);
    return (await response.json()) as any;
  };
  const data = await build(join(dir, `data-${run}`), run);
  const trees = new Map<string, any[]>();
  const nodesOf = async (questionId: string) => {
    if (!trees.has(questionId))
      trees.set(questionId, fromColumns((await api(`/api/question?id=${encodeURIComponent(questionId)}`)).columns));
    return trees.get(questionId)!;
  };
  /** The ids are a root-to-leaf chain of the view's tree whose thoughts appear in `text`, in order. */
  const checkChain = async (questionId: string, ids: number[], text: string) => {
    const nodes = await nodesOf(questionId);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    assert.equal(byId.get(ids[0]!)?.parentId, null, `${questionId}: node ${ids[0]} is the root`);
    let at = 0;
    for (let i = 1; i < ids.length; i++) {
      const node = byId.get(ids[i]!);
      assert.ok(node, `${questionId}: node ${ids[i]} exists in the view`);
      assert.equal(node.parentId, ids[i - 1], `${questionId}: node ${ids[i]} is a child of ${ids[i - 1]}`);
      if (!node.showInHistory) continue;
      const found = text.indexOf(node.content, at);
      assert.ok(found >= 0, `${questionId}: the text of node ${ids[i]} is in the row, after the previous thought`);
      at = found + node.content.length;
    }
  };
  const pathsOf = new Map<string, any[]>();
  const viewPath = async (questionId: string, leaf: number) => {
    if (!pathsOf.has(questionId)) pathsOf.set(questionId, (await api(`/api/paths?id=${encodeURIComponent(questionId)}`)).paths);
    return pathsOf.get(questionId)!.find((p) => p.leafId === leaf);
  };
  let checked = 0;
  for (const row of data.paths) {
    const path = await viewPath(row.question_id, row.node_ids.at(-1));
    assert.ok(path, `${row.question_id}: the view has a path ending at node ${row.node_ids.at(-1)}`);
    assert.deepEqual(path.nodeIds, row.node_ids);
    assert.equal(path.response, row.response);
    assert.equal(path.verdict, row.verdict);
    checked++;
  }
  for (const row of data.sft) {
    await checkChain(row.question_id, row.node_ids, row.completion);
    assert.equal((await viewPath(row.question_id, row.node_ids.at(-1))).response, row.completion);
    checked++;
  }
  for (const pair of data.dpo) {
    await checkChain(pair.question_id, pair.chosen_node_ids, pair.chosen);
    await checkChain(pair.question_id, pair.rejected_node_ids, pair.rejected);
    checked++;
  }
  // The pairs page makes the same pairs as build (its first two of up to eight).
  for (const questionId of new Set(data.dpo.map((p) => p.question_id))) {
    const shown = (await api(`/api/pairs?id=${encodeURIComponent(questionId)}`)).pairs;
    const built = data.dpo.filter((p) => p.question_id === questionId);
    assert.deepEqual(
      shown.slice(0, built.length).map((p: any) => [p.chosen_node_ids, p.rejected_node_ids]),
      built.map((p) => [p.chosen_node_ids, p.rejected_node_ids]),
    );
  }
  // The review queue names the same leaves.
  const queue = (await api('/api/review-queue?verdict=all')).items as { questionId: string; leafId: number }[];
  const leaves = new Set(queue.map((i) => `${i.questionId}#${i.leafId}`));
  for (const row of data.paths) assert.ok(leaves.has(`${row.question_id}#${row.node_ids.at(-1)}`));

  // A mark sent with a row's ids lands on that node, and the next build leaves the row out.
  const target = data.sft.at(-1)!;
  const mark = await fetch(`http://127.0.0.1:${view.port}/api/annotations?db=0`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Treecot': '1' },
    body: JSON.stringify({ questionId: target.question_id, nodeId: target.node_ids.at(-1), scope: 'path', mark: 'rejected' }),
  });
  assert.equal(mark.status, 200, await mark.clone().text());
  const stored = readRun(db, { runId: run, nodeIds: 'rowid' })
    .questions.flatMap((q) => q.nodes)
    .filter((n) => n.annotation !== null);
  const expected = readRun(db, { runId: run })
    .questions.find((q) => q.questionId === target.question_id)!
    .nodes.find((n) => n.id === target.node_ids.at(-1))!;
  assert.deepEqual(
    stored.map((n) => n.id),
    [expected.rowId],
    'exactly the row’s leaf is marked',
  );
  assert.equal(expected.content, stored[0]!.content);
  const again = await build(join(dir, `data-${run}-after`), run);
  assert.ok(!again.sft.some((r) => r.question_id === target.question_id && r.completion === target.completion));
  return checked;
}

test(
  'build node_ids resolve to the same nodes in the view API, in both runs of a database with interleaved rowids',
  { timeout: 120_000 },
  async () => {
    // The premise: rowids of a question are not contiguous, and run 2's do not start at 1.
    const byRowId = readRun(db, { nodeIds: 'rowid' }).questions;
    assert.ok(
      byRowId.some((q) => q.nodes.some((n, i) => i > 0 && n.id !== q.nodes[i - 1]!.id + 1)),
      'some question has interleaved rowids',
    );
    assert.ok(byRowId[0]!.nodes[0]!.id > 1, 'run 2 starts after run 1');
    for (const run of [1, 2]) assert.ok((await checkRun(run)) > 20, `run ${run} has rows to check`);
  },
);
