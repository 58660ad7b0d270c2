import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { SearchTree, NO_PARENT, backup, uct, uctScore, decideStop } from '../../src/search/index.ts';

function star(childStats: [number, number][]): SearchTree {
  const tree = new SearchTree();
  const base = {
    tag: 't',
    prefill: '',
    content: '',
    showInHistory: true,
    storeId: 0,
    reward: null,
    verdict: null,
    copies: 1,
    expanded: false,
  };
  tree.add({ ...base, parent: NO_PARENT, type: 'root' });
  for (const [n, w] of childStats) {
    const c = tree.add({ ...base, parent: 0, type: 'thinking' });
    tree.visits[c] = n;
    tree.rewardSum[c] = w;
    tree.visits[0] += n;
    tree.rewardSum[0] += w;
  }
  return tree;
}

test('UCT score: W/N + c*sqrt(2 ln N_parent / N), by hand', () => {
  // W=1, N=2, N_parent=10, c=1.414: 0.5 + 1.414*sqrt(2*ln(10)/2) = 0.5 + 1.414*1.517427...
  assert.ok(Math.abs(uctScore(1, 2, 10, 1.414) - (0.5 + 1.414 * Math.sqrt(Math.log(10)))) < 1e-12);
  assert.equal(uctScore(3, 4, 1, 2), 0.75); // ln 1 = 0: pure Q-value
  assert.equal(uctScore(0, 5, 20, 0), 0);
});

test('uct: takes the best UCT child; exploration wins over a slightly better Q with many visits', () => {
  // child0: N=10 W=6 (Q .6); child1: N=2 W=1 (Q .5); parent N=12; c=1.414
  const tree = star([
    [10, 6],
    [2, 1],
  ]);
  const s0 = uctScore(6, 10, 12, 1.414);
  const s1 = uctScore(1, 2, 12, 1.414);
  assert.ok(s1 > s0);
  assert.equal(uct(1.414)(tree, 0, new Rng(1)), 2);
  assert.equal(uct(0)(tree, 0, new Rng(1)), 1); // greedy on Q
});

test('uct: unvisited children first, seeded random tie-break (same seed, same pick; picks spread)', () => {
  const tree = star([
    [3, 1],
    [0, 0],
    [0, 0],
    [0, 0],
  ]);
  const picks = (seed: number) => Array.from({ length: 20 }, (_, i) => uct(1.414)(tree, 0, new Rng(seed).split(i)));
  const a = picks(7);
  assert.deepEqual(a, picks(7));
  assert.ok(
    a.every((p) => p >= 2 && p <= 4),
    'never the visited child while unvisited ones remain',
  );
  assert.equal(new Set(a).size, 3, 'all three unvisited children get picked under some stream');
  assert.notDeepEqual(a, picks(8));
  // Exact ties among visited children are also broken at random.
  const tied = star([
    [2, 1],
    [2, 1],
    [5, 0],
  ]);
  const tiePicks = new Set(Array.from({ length: 20 }, (_, i) => uct(1)(tied, 0, new Rng(3).split(i))));
  assert.deepEqual([...tiePicks].sort(), [1, 2]);
});

test('backup: +1 visit and +reward on every node of the path', () => {
  const tree = star([
    [0, 0],
    [0, 0],
  ]);
  backup(tree, [0, 2], 1);
  backup(tree, [0, 1], 0);
  assert.deepEqual([...tree.visits.slice(0, 3)], [2, 1, 1]);
  assert.deepEqual([...tree.rewardSum.slice(0, 3)], [1, 0, 1]);
});

test('virtual loss: pending visits count as visits with reward 0', () => {
  const tree = star([
    [0, 0],
    [0, 0],
  ]);
  tree.virtualVisits[1] = 1;
  tree.virtualVisits[0] = 1;
  assert.equal(uct(1.414)(tree, 0, new Rng(1)), 2);
});

test('stop rule [4, 8] of 32, give up after 4 x 32', () => {
  const rule = { maxRollouts: 32, thresholds: [4, 8] as const, giveUpFactor: 4 };
  const table: [number, number, string | null][] = [
    [8, 8, 'solved'], // 8 correct: stop at once
    [20, 7, null], // 7 correct before 32 rollouts: go on
    [31, 5, null],
    [32, 4, 'solved'], // 32 rollouts with >= 4 correct
    [32, 3, null], // fewer than 4: keep searching
    [100, 3, null],
    [127, 3, null],
    [128, 3, 'gave_up'],
    [128, 0, 'gave_up'],
    [50, 4, 'solved'],
  ];
  for (const [rollouts, correct, expected] of table) assert.equal(decideStop(rollouts, correct, rule), expected, `${rollouts}/${correct}`);
});
