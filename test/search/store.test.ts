import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SearchStore, readRun, mergeStores, SCHEMA_VERSION } from '../../src/store/index.ts';
import { StoreError } from '../../src/core/index.ts';

function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'treecot-store-')), name);
}

function node(runId: number, questionId: string, parentId: number | null, type: string, content: string, depth: number) {
  return { runId, questionId, parentId, type, tag: type, prefill: '', content, showInHistory: type !== 'root', depth };
}

/** Build a small run: q1 root -> 2 children, one rollout via child a (reward 1). */
function buildRun(file: string, questionIds: string[], configHash = 'h1') {
  const store = SearchStore.open(file);
  const run = store.createRun({ config: { c: 1 }, configHash, task: 'letter-count', separator: '\n', dataFile: 'x.json' });
  store.addQuestions(
    run.run_id,
    questionIds.map((id, idx) => ({ questionId: id, idx, question: `question ${id}`, reference: 3, instruction: 'I: ' })),
  );
  for (const qid of questionIds) {
    const root = store.insertRoot(node(run.run_id, qid, null, 'root', `question ${qid}`, 0));
    const [a, b] = store.commitExpansion(root, [
      node(run.run_id, qid, root, 'answer', 'a', 1),
      node(run.run_id, qid, root, 'answer', 'b', 1),
    ]);
    const added = store.commitRollout({
      runId: run.run_id,
      questionId: qid,
      idx: 0,
      path: [root, a!],
      reward: 1,
      verdict: 'correct',
      newNodes: [],
      status: 'running',
    });
    assert.deepEqual(added, []);
    void b;
  }
  store.close();
  return run.run_id;
}

test('store: write, readRun round trip, visit counts from rollouts, annotation column', () => {
  const file = tmp('run.db');
  buildRun(file, ['q1', 'q2']);
  const { run, questions } = readRun(file);
  assert.equal(run.task, 'letter-count');
  assert.equal(run.separator, '\n');
  assert.deepEqual(run.config, { c: 1 });
  assert.equal(questions.length, 2);
  const q1 = questions[0]!;
  assert.equal(q1.questionId, 'q1');
  assert.equal(q1.reference, 3);
  assert.equal(q1.rollouts, 1);
  assert.equal(q1.correctRollouts, 1);
  assert.equal(q1.status, 'running');
  assert.deepEqual(
    q1.nodes.map((n) => [n.type, n.visits, n.rewardSum, n.annotation]),
    [
      ['root', 1, 1, null],
      ['answer', 1, 1, null],
      ['answer', 0, 0, null],
    ],
  );
  assert.equal(q1.nodes[1]!.parentId, q1.nodes[0]!.id);
  // Corrupt the stored counts; rebuildCounts restores them from the rollouts table.
  const store = SearchStore.open(file);
  store.db.prepare('UPDATE nodes SET visits = 7').run();
  assert.equal(store.rebuildCounts(run.runId, 'q1'), 3);
  store.setAnnotation(q1.nodes[1]!.rowId!, 'rejected');
  store.close();
  const again = readRun(file).questions[0]!;
  assert.deepEqual(
    again.nodes.map((n) => n.visits),
    [1, 1, 0],
  );
  assert.equal(again.nodes[1]!.annotation, 'rejected');
});

test('store: a second expansion of one node and a duplicate rollout index are refused, nothing half-written', () => {
  const file = tmp('run.db');
  const runId = buildRun(file, ['q1']);
  const store = SearchStore.open(file);
  const [root] = store.nodes(runId, 'q1');
  assert.throws(() => store.commitExpansion(root!.id, [node(runId, 'q1', root!.id, 'answer', 'c', 1)]), StoreError);
  assert.throws(() =>
    store.commitRollout({
      runId,
      questionId: 'q1',
      idx: 0,
      path: [root!.id],
      reward: 1,
      verdict: 'correct',
      newNodes: [node(runId, 'q1', root!.id, 'reflection', 'r', 1)],
      status: 'running',
    }),
  );
  assert.equal(store.nodes(runId, 'q1').length, 3);
  assert.equal(store.nodes(runId, 'q1')[0]!.visits, 1);
  store.close();
});

test('store: other schema versions, foreign SQLite files and missing files give a clear StoreError', () => {
  const file = tmp('old.db');
  buildRun(file, ['q1']);
  const raw = new Database(file);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  assert.throws(
    () => readRun(file),
    (e: unknown) => e instanceof StoreError && /schema version 2, but this treecot reads version 1/.test(e.message),
  );
  const foreign = tmp('foreign.db');
  const other = new Database(foreign);
  other.exec('CREATE TABLE t (x)');
  other.close();
  assert.throws(() => readRun(foreign), /not a treecot search database/);
  const text = tmp('text.db');
  writeFileSync(text, 'hello, not sqlite at all, just some words to fill a page of bytes'.repeat(20));
  assert.throws(() => readRun(text), StoreError);
  assert.throws(() => readRun(tmp('missing.db')), /no such search database/);
});

test('merge: shards join with remapped ids; another config is refused', () => {
  const a = tmp('a.db');
  const b = tmp('b.db');
  buildRun(a, ['q1', 'q3']);
  buildRun(b, ['q2']);
  const out = tmp('out.db');
  const result = mergeStores(out, [a, b]);
  assert.deepEqual(result, { questions: 3, nodes: 9, rollouts: 3, duplicates: 0, keptFromOutput: 0 });
  const merged = readRun(out);
  assert.deepEqual(merged.questions.map((q) => q.questionId).sort(), ['q1', 'q2', 'q3']);
  for (const q of merged.questions) {
    const ids = new Set(q.nodes.map((n) => n.id));
    for (const n of q.nodes) if (n.parentId !== null) assert.ok(ids.has(n.parentId));
    assert.equal(q.nodes[0]!.visits, 1);
  }
  // Rowids are remapped, but per-question ids (the data files' and the view's) name the same nodes.
  const shape = (file: string) =>
    readRun(file).questions.map((q) => [q.questionId, q.nodes.map((n) => [n.id, n.parentId, n.type, n.content])] as const);
  const inShards = new Map([...shape(a), ...shape(b)]);
  for (const [questionId, nodes] of shape(out)) assert.deepEqual(nodes, inShards.get(questionId), questionId);
  assert.notDeepEqual(
    readRun(out, { nodeIds: 'rowid' })
      .questions.find((q) => q.questionId === 'q2')!
      .nodes.map((n) => n.id),
    readRun(b, { nodeIds: 'rowid' }).questions[0]!.nodes.map((n) => n.id),
    'the rowids of q2 changed in the merge',
  );
  const c = tmp('c.db');
  buildRun(c, ['q9'], 'other-hash');
  assert.throws(() => mergeStores(tmp('out2.db'), [a, c]), /only shards of one search can be merged/);
});
