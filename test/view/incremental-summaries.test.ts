/**
 * The questions page's summaries are brought up to date by recomputing only the questions that
 * changed (view-source.ts): after every kind of write a search or a reviewer makes (an expansion,
 * which does not touch the question row; a rollout; a new root; a status change; a mark and its
 * undo; another run in the file), they must equal a full recompute, and the partial path must be
 * the one taken (only the changed questions recomputed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchStore, ViewQueries } from '../../src/store/index.ts';
import { ViewSource } from '../../src/view/view-source.ts';

function node(runId: number, questionId: string, parentId: number | null, type: string, content: string, depth: number, extra = {}) {
  return { runId, questionId, parentId, type, tag: type, prefill: '', content, showInHistory: type !== 'root', depth, ...extra };
}

test('partial summary updates equal a full recompute after each kind of write', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'treecot-summaries-')), 'run.db');
  const store = SearchStore.open(file);
  const run = store.createRun({ config: { c: 1 }, configHash: 'h', task: 'letter-count', separator: '\n', dataFile: 'x.json' });
  const ids = ['q0', 'q1', 'q2', 'q3'];
  store.addQuestions(
    run.run_id,
    ids.map((id, idx) => ({ questionId: id, idx, question: `question ${id}`, reference: 3, instruction: 'I: ' })),
  );
  const roots = new Map<string, number>();
  for (const id of ids.slice(0, 3)) roots.set(id, store.insertRoot(node(run.run_id, id, null, 'root', `question ${id}`, 0)));
  const source = new ViewSource(file, run.run_id);
  const full = () => {
    const fresh = ViewQueries.open(file, run.run_id);
    try {
      return fresh.questionSummaries();
    } finally {
      fresh.close();
    }
  };
  const check = (what: string, recomputed: number | null) => {
    const before = { ...source.summaryStats };
    assert.deepEqual(source.summaries(), full(), what);
    if (recomputed !== null) {
      assert.equal(source.summaryStats.full, before.full, `${what}: no full recompute`);
      assert.equal(source.summaryStats.partial, before.partial + 1, `${what}: a partial update`);
      assert.equal(source.summaryStats.recomputedQuestions - before.recomputedQuestions, recomputed, `${what}: questions recomputed`);
    }
  };
  check('first read', null);
  assert.equal(source.summaryStats.full, 1);

  // An expansion adds nodes without touching the question row.
  const q0 = roots.get('q0')!;
  const [a, b] = store.commitExpansion(q0, [
    node(run.run_id, 'q0', q0, 'answer', 'a', 1, { reward: 1, verdict: 'correct', promptTokens: 5, completionTokens: 3 }),
    node(run.run_id, 'q0', q0, 'answer', 'b', 1, { reward: 0, verdict: 'wrong', promptTokens: 5, completionTokens: 4 }),
  ]);
  check('expansion of q0', 1);
  // A rollout updates the question row (rollouts, status, time) and may add a node.
  store.commitRollout({
    runId: run.run_id,
    questionId: 'q1',
    idx: 0,
    path: [roots.get('q1')!],
    reward: 0,
    verdict: 'no_answer',
    newNodes: [node(run.run_id, 'q1', roots.get('q1')!, 'reflection', 'r', 1)],
    status: 'running',
  });
  check('rollout of q1', 1);
  // A question starts (its root) and another finishes.
  roots.set('q3', store.insertRoot(node(run.run_id, 'q3', null, 'root', 'question q3', 0)));
  store.setQuestionStatus(run.run_id, 'q2', 'gave_up');
  check('q3 starts, q2 gives up', 2);
  // Nothing changed: the cache answers.
  const stats = { ...source.summaryStats };
  source.summaries();
  assert.deepEqual(source.summaryStats, stats);
  // A mark and its undo through the view's writer: full recomputes (the annotated counts).
  source.annotations().mark({ questionId: 'q0', nodeId: 1, scope: 'path', mark: 'rejected', reviewer: 'alice' });
  check('mark', null);
  assert.equal(source.summaries().find((s) => s.questionId === 'q0')!.annotated, 1);
  source.annotations().undo('alice');
  check('undo', null);
  assert.equal(source.summaries().find((s) => s.questionId === 'q0')!.annotated, 0);
  // Another run in the file: its nodes are not this run's.
  const other = store.createRun({ config: { c: 2 }, configHash: 'h2', task: 'letter-count', separator: '\n', dataFile: 'x.json' });
  store.addQuestions(other.run_id, [{ questionId: 'q0', idx: 0, question: 'question q0', reference: 3, instruction: 'I: ' }]);
  store.insertRoot(node(other.run_id, 'q0', null, 'root', 'question q0', 0));
  check('a node of another run', 0);
  void a;
  void b;
  store.close();
  source.close();
});
