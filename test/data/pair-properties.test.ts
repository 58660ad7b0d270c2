/** Property tests over random trees (fast-check): DPO pair and SFT selection invariants. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.ts';
import {
  buildDataset,
  buildQuestionPairs,
  commonPrefixLength,
  extractQuestionPaths,
  isValidPair,
  rankCorrectPaths,
} from '../../src/data/index.ts';
import type { StoredNode } from '../../src/store/types.ts';
import { node, question, run } from './tree-fixtures.ts';

const THOUGHT_TYPES = ['sub_task', 'thinking', 'double_check', 'reflection', 'hypothesis'];
// Few, overlapping contents so that texts share prefixes often; one pair differs only in a low surrogate.
const CONTENTS = ['a', 'ab', 'abc', 'b', '2+2', '2+3', 'Wait!', '\u{1F600}', '\u{1F603}', ''];

interface NodeSpec {
  parentPick: number;
  answer: boolean;
  type: number;
  content: number;
  correct: boolean;
}

const nodeSpec = fc.record({
  parentPick: fc.nat(),
  answer: fc.boolean(),
  type: fc.nat({ max: THOUGHT_TYPES.length - 1 }),
  content: fc.nat({ max: CONTENTS.length - 1 }),
  correct: fc.boolean(),
});

function randomTree(specs: NodeSpec[]): StoredNode[] {
  const nodes: StoredNode[] = [node(1, null, 'root', 'q')];
  const open = [1];
  for (const spec of specs) {
    const id = nodes.length + 1;
    const parentId = open[spec.parentPick % open.length]!;
    if (spec.answer) {
      nodes.push(
        node(id, parentId, 'answer', CONTENTS[spec.content]!, {
          reward: spec.correct ? 1 : 0,
          verdict: spec.correct ? 'correct' : 'wrong',
        }),
      );
    } else {
      nodes.push(node(id, parentId, THOUGHT_TYPES[spec.type]!, CONTENTS[spec.content]!));
      open.push(id);
    }
  }
  return nodes;
}

const treeCase = fc.record({
  specs: fc.array(nodeSpec, { minLength: 1, maxLength: 16 }),
  separator: fc.constantFrom('\n', '', ' '),
  stripTags: fc.boolean(),
  chosen: fc.constantFrom('shortest' as const, 'longest' as const, 'random' as const),
  pairsPerQuestion: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer(),
});

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

test('property: chosen correct, rejected incorrect, recorded prefix common to both, suffixes non-empty', () => {
  fc.assert(
    fc.property(treeCase, (c) => {
      const paths = extractQuestionPaths(question('p', randomTree(c.specs)), { separator: c.separator, stripTags: c.stripTags });
      const correct = paths.filter((p) => p.correct);
      const incorrect = paths.filter((p) => !p.correct);
      const ranked = rankCorrectPaths(correct);
      const pairs = buildQuestionPairs(ranked, incorrect, { chosen: c.chosen, pairsPerQuestion: c.pairsPerQuestion, rng: new Rng(c.seed) });
      const correctTexts = new Set(correct.map((p) => p.response));
      const incorrectTexts = new Set(incorrect.map((p) => p.response));
      const keys = new Set<string>();
      for (const pair of pairs) {
        assert.ok(correctTexts.has(pair.chosen), 'chosen is a correct path');
        assert.ok(incorrectTexts.has(pair.rejected), 'rejected is an incorrect path');
        assert.notEqual(pair.chosen, pair.rejected);
        const k = pair.common_prefix_chars;
        assert.ok(k < pair.chosen.length && k < pair.rejected.length, 'both suffixes non-empty');
        assert.equal(pair.chosen.slice(0, k), pair.rejected.slice(0, k), 'prefix common to both');
        const cc = pair.chosen.charCodeAt(k);
        const rc = pair.rejected.charCodeAt(k);
        assert.ok(cc !== rc || isHighSurrogate(cc), 'prefix is the longest common one (up to a whole code point)');
        assert.ok(pair.shared_thoughts_chars <= k);
        assert.equal(pair.chosen.slice(0, pair.shared_thoughts_chars), pair.rejected.slice(0, pair.shared_thoughts_chars));
        const key = `${pair.chosen}\u0000${pair.rejected}`;
        assert.ok(!keys.has(key), 'no pair twice');
        keys.add(key);
      }
      assert.ok(pairs.length <= c.pairsPerQuestion);
      const anyValid = ranked.some((r) => incorrect.some((i) => isValidPair(r.path.response, i.response)));
      assert.equal(pairs.length > 0, anyValid, 'a pair exists exactly when some valid pair exists');
    }),
    { numRuns: 400, seed: 4242 },
  );
});

test('property: the first pair of a chosen path uses the incorrect path with the shortest common prefix', () => {
  fc.assert(
    fc.property(treeCase, (c) => {
      const paths = extractQuestionPaths(question('p', randomTree(c.specs)), { separator: c.separator, stripTags: c.stripTags });
      const incorrect = paths.filter((p) => !p.correct);
      const ranked = rankCorrectPaths(paths.filter((p) => p.correct));
      const [pair] = buildQuestionPairs(ranked, incorrect, { chosen: 'shortest', rng: new Rng(c.seed) });
      if (!pair) return;
      const valid = incorrect.filter((i) => isValidPair(pair.chosen, i.response));
      const best = Math.min(...valid.map((i) => commonPrefixLength(pair.chosen, i.response)));
      assert.equal(pair.common_prefix_chars, best);
      const firstWithPair = ranked.find((r) => incorrect.some((i) => isValidPair(r.path.response, i.response)))!;
      assert.equal(pair.chosen, firstWithPair.path.response, 'the shortest correct path that has any valid partner');
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('property: default SFT rows are the longest correct path of their question', () => {
  fc.assert(
    fc.property(treeCase, (c) => {
      const q = question('p', randomTree(c.specs));
      const paths = extractQuestionPaths(q, { separator: c.separator, stripTags: c.stripTags });
      const correct = paths.filter((p) => p.correct);
      let built;
      try {
        built = buildDataset({ run: run(c.separator), questions: [q] }, { stripTags: c.stripTags, seed: c.seed });
      } catch (error) {
        assert.match((error as Error).message, /nothing to build|no SFT row and no DPO pair/);
        assert.equal(correct.length, 0);
        return;
      }
      if (correct.length === 0) return assert.equal(built.sft.length, 0);
      assert.equal(built.sft.length, 1);
      assert.equal(built.sft[0]!.length, Math.max(...correct.map((p) => p.length)));
      assert.equal(built.sft[0]!.length_rank, built.sft[0]!.correct_paths - 1);
    }),
    { numRuns: 200, seed: 99 },
  );
});
