/**
 * `simulate` (selection) on hand-built trees: where it stops, which path it returns, and the
 * pending visits it leaves with virtual loss. Worked out by hand from the UCT rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { SearchTree, NO_PARENT, backup, simulate, uct, type SelectChild } from '../../src/search/index.ts';

const base = { tag: 't', prefill: '', content: '', showInHistory: true, storeId: 0, reward: null, verdict: null, copies: 1 };

/**
 * root(expanded) -> a(expanded) -> a1 (answer, correct), a2 (thinking, unexpanded)
 *                -> b(expanded, no children: a dead end)
 */
function handTree(): SearchTree {
  const tree = new SearchTree();
  tree.add({ ...base, parent: NO_PARENT, type: 'root', expanded: true }); // 0
  tree.add({ ...base, parent: 0, type: 'thinking', expanded: true }); // 1 = a
  tree.add({ ...base, parent: 0, type: 'thinking', expanded: true }); // 2 = b
  tree.add({ ...base, parent: 1, type: 'answer', expanded: false, reward: 1, verdict: 'correct' }); // 3 = a1
  tree.add({ ...base, parent: 1, type: 'thinking', expanded: false }); // 4 = a2
  return tree;
}

test('simulate stops at an unexpanded root without selecting anything', () => {
  const tree = new SearchTree();
  tree.add({ ...base, parent: NO_PARENT, type: 'root', expanded: false });
  const path = [0];
  assert.equal(simulate(tree, path, uct(1.414), new Rng(0)), 'unexpanded');
  assert.deepEqual(path, [0]);
});

test('simulate follows UCT to an answer, an unexpanded node or a dead end, extending the path', () => {
  const tree = handTree();
  // Visited: a twice (reward 2, via a1), b once (reward 0); a1 twice; a2 never.
  backup(tree, [0, 1, 3], 1);
  backup(tree, [0, 1, 3], 1);
  backup(tree, [0, 2], 0);
  // At the root: UCT(a) = 1 + c*sqrt(2 ln 3 / 2) beats UCT(b) = 0 + c*sqrt(2 ln 3); at a, a2 is unvisited and goes first.
  const path = [0];
  assert.equal(simulate(tree, path, uct(1.414), new Rng(0)), 'unexpanded');
  assert.deepEqual(path, [0, 1, 4]);
  // With a huge c, b's single visit wins at the root: b is expanded but childless.
  const wide = [0];
  assert.equal(simulate(tree, wide, uct(100), new Rng(0)), 'dead_end');
  assert.deepEqual(wide, [0, 2]);
  // From a, once a2 has a visit with reward 0, c = 0 picks the correct answer leaf.
  backup(tree, [0, 1, 4], 0);
  const greedy = [0, 1];
  assert.equal(simulate(tree, greedy, uct(0), new Rng(0)), 'answer');
  assert.deepEqual(greedy, [0, 1, 3]);
});

test('simulate with virtual loss adds one pending visit per selected node (not the start node)', () => {
  const tree = handTree();
  const path = [0];
  const first: SelectChild = (t, node) => t.children[node]![0]!;
  assert.equal(simulate(tree, path, first, new Rng(0), true), 'answer');
  assert.deepEqual(path, [0, 1, 3]);
  assert.deepEqual(Array.from(tree.virtualVisits.subarray(0, tree.size)), [0, 1, 0, 1, 0]);
});
