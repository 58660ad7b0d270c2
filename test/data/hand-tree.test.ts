/** Paths, length balance and DPO pairs on the hand-built tree of tree-fixtures.ts, checked by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/rng.ts';
import {
  buildDataset,
  buildQuestionPairs,
  commonPrefixLength,
  extractQuestionPaths,
  lengthBinOf,
  rankCorrectPaths,
  renderDatasetCard,
  selectSftPaths,
  trlDpoPrefixInPrompt,
} from '../../src/data/index.ts';
import { correct, handTree, node, PATH_A, PATH_B, PATH_C, PATH_D, PATH_E, PROMPT, question, run, wrong } from './tree-fixtures.ts';

const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;

test('paths: every scored root-to-answer path, linearised as the search wrote it', () => {
  const paths = extractQuestionPaths(handTree(), { separator: '\n' });
  assert.deepEqual(
    paths.map((p) => p.response),
    [PATH_A, PATH_B, PATH_C, PATH_D, PATH_E],
  );
  assert.ok(paths.every((p) => p.prompt === PROMPT));
  assert.deepEqual(
    paths.map((p) => p.correct),
    [true, true, false, true, false],
  );
  assert.deepEqual(paths[3]!.nodeIds, [1, 2, 7, 9, 10, 11]);
  assert.deepEqual(
    paths.map((p) => p.reflectionCount),
    [0, 0, 0, 1, 0],
  );
  // D's text: "<reflection>", "Wait", "something is wrong", "let's think again" (eval's markers).
  assert.deepEqual(
    paths.map((p) => p.reflectionMarkers),
    [0, 0, 0, 4, 0],
  );
  assert.deepEqual(
    paths.map((p) => p.length),
    [PATH_A.length, PATH_B.length, PATH_C.length, PATH_D.length, PATH_E.length],
  );
  assert.equal(paths[0]!.lengthUnit, 'chars');
  // Thought starts of A: 0, after "<sub-task>Break down.</sub-task>\n" (10 + 11 + 11 + 1 = 33), after "<thinking>2+2 is 4.</thinking>\n" (33 + 10 + 9 + 11 + 1 = 64).
  assert.deepEqual(paths[0]!.thoughtStarts, [0, 33, 64]);
  // Each non-root node has 10 prompt + 5 completion tokens: A has 3 such nodes.
  assert.equal(paths[0]!.promptTokens + paths[0]!.completionTokens, 45);
});

test('paths: tags stripped on request, token lengths with a tokenizer, hidden thoughts left out', () => {
  const stripped = extractQuestionPaths(handTree(), { separator: ' ', stripTags: true, countTokens: words });
  assert.equal(stripped[0]!.response, 'Break down. 2+2 is 4. 4');
  assert.equal(stripped[0]!.length, 6);
  assert.equal(stripped[0]!.lengthUnit, 'tokens');
  const hidden = handTree();
  hidden.nodes.find((n) => n.id === 3)!.showInHistory = false;
  assert.equal(extractQuestionPaths(hidden, { separator: '\n' })[0]!.response, '<sub-task>Break down.</sub-task>\n<answer>4</answer>');
});

test('paths: a node a person rejected drops every path through it; unscored answers are skipped', () => {
  const counts = { unscoredAnswers: 0, annotationRejected: 0 };
  const tree = handTree({ rejectHypothesis: true });
  tree.nodes.push(node(14, 3, 'answer', '4?', { reward: null, verdict: null }));
  const paths = extractQuestionPaths(tree, { separator: '\n' }, counts);
  assert.deepEqual(
    paths.map((p) => p.response),
    [PATH_A, PATH_B, PATH_C, PATH_D],
  );
  assert.deepEqual(counts, { unscoredAnswers: 1, annotationRejected: 1 });
});

test('length balance: relative thirds by rank within the question', () => {
  assert.deepEqual([lengthBinOf(0, 1)], ['medium']);
  assert.deepEqual(
    [0, 1].map((r) => lengthBinOf(r, 2)),
    ['short', 'long'],
  );
  assert.deepEqual(
    [0, 1, 2].map((r) => lengthBinOf(r, 3)),
    ['short', 'medium', 'long'],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((r) => lengthBinOf(r, 4)),
    ['short', 'medium', 'medium', 'long'],
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((r) => lengthBinOf(r, 6)),
    ['short', 'short', 'medium', 'medium', 'long', 'long'],
  );
  const ranked = rankCorrectPaths(extractQuestionPaths(handTree(), { separator: '\n' }).filter((p) => p.correct));
  assert.deepEqual(
    ranked.map((r) => [r.path.response, r.bin]),
    [
      [PATH_A, 'short'],
      [PATH_B, 'medium'],
      [PATH_D, 'long'],
    ],
  );
});

test('SFT selection: longest by default; shortest, medium, all, random and a cap', () => {
  const ranked = rankCorrectPaths(extractQuestionPaths(handTree(), { separator: '\n' }).filter((p) => p.correct));
  const pick = (strategy: Parameters<typeof selectSftPaths>[1], cap?: number) =>
    selectSftPaths(ranked, strategy, new Rng(1), cap).map((r) => r.path.response);
  assert.deepEqual(pick('longest'), [PATH_D]);
  assert.deepEqual(pick('shortest'), [PATH_A]);
  assert.deepEqual(pick('medium'), [PATH_B]);
  assert.deepEqual(pick('all'), [PATH_D, PATH_B, PATH_A]);
  assert.deepEqual(pick('longest', 2), [PATH_D, PATH_B]);
  const random = pick('random', 3);
  assert.deepEqual([...random].sort(), [PATH_A, PATH_B, PATH_D].sort());
  assert.deepEqual(pick('random', 3), random, 'same seed, same order');
});

test('SFT selection: exact duplicate responses count once', () => {
  const tree = handTree();
  // A second answer "4" under node 3 would be merged by the store; here it is a different node with the same text.
  tree.nodes.push(node(14, 3, 'answer', '4', correct));
  const ranked = rankCorrectPaths(extractQuestionPaths(tree, { separator: '\n' }).filter((p) => p.correct));
  assert.equal(ranked.length, 3);
  assert.deepEqual(ranked[0]!.path.nodeIds, [1, 2, 3, 4], 'the lowest answer id is kept');
});

test('DPO: chosen = shortest correct, rejected = incorrect path with the shortest common prefix', () => {
  const paths = extractQuestionPaths(handTree(), { separator: '\n' });
  const ranked = rankCorrectPaths(paths.filter((p) => p.correct));
  const [pair] = buildQuestionPairs(
    ranked,
    paths.filter((p) => !p.correct),
    { chosen: 'shortest', rng: new Rng(0) },
  );
  assert.ok(pair);
  assert.equal(pair.chosen, PATH_A);
  assert.equal(pair.rejected, PATH_E, 'E shares only "<" with A; C shares the sub-task and "<thinking>2+2 is "');
  assert.equal(pair.common_prefix_chars, 1);
  assert.equal(pair.shared_thoughts_chars, 0);
  assert.equal(pair.shared_nodes, 0);
  assert.equal(pair.prompt, PROMPT);
  // Path tokens: 3 nodes of A + 2 nodes of E, 15 tokens each (nothing shared below the root).
  assert.equal(pair.path_tokens, 75);
});

test('DPO: masking lengths by hand when the rejected path branches below the sub-task', () => {
  const paths = extractQuestionPaths(handTree({ rejectHypothesis: true }), { separator: '\n', countTokens: words });
  const ranked = rankCorrectPaths(paths.filter((p) => p.correct));
  const [pair] = buildQuestionPairs(
    ranked,
    paths.filter((p) => !p.correct),
    { chosen: 'shortest', rng: new Rng(0), countTokens: words },
  );
  assert.ok(pair);
  assert.equal(pair.rejected, PATH_C);
  // "<sub-task>Break down.</sub-task>\n" = 10 + 11 + 11 + 1 = 33 chars; "<thinking>2+2 is " = 10 + 7 = 17 chars.
  assert.equal(pair.common_prefix_chars, 50);
  assert.equal(pair.chosen.slice(0, 50), '<sub-task>Break down.</sub-task>\n<thinking>2+2 is ');
  assert.equal(pair.shared_thoughts_chars, 33);
  assert.equal(pair.shared_nodes, 1);
  // Words of the prefix: "<sub-task>Break", "down.</sub-task>", "<thinking>2+2", "is".
  assert.equal(pair.common_prefix_tokens, 4);
  assert.equal(pair.length_unit, 'tokens');
  // Shared node 2 counted once: A (3 nodes) + C's nodes 7 and 8.
  assert.equal(pair.path_tokens, 75);

  const moved = trlDpoPrefixInPrompt(pair);
  assert.equal(moved.prompt, PROMPT + '<sub-task>Break down.</sub-task>\n');
  assert.equal(moved.chosen, '<thinking>2+2 is 4.</thinking>\n<answer>4</answer>');
  assert.equal(moved.rejected, '<thinking>2+2 is 5.</thinking>\n<answer>5</answer>');
  assert.equal(moved.prefix_chars, 33);
  const exact = trlDpoPrefixInPrompt(pair, 'char');
  assert.equal(exact.chosen, '4.</thinking>\n<answer>4</answer>');
  assert.equal(exact.rejected, '5.</thinking>\n<answer>5</answer>');
  assert.equal(exact.prompt + exact.chosen, PROMPT + PATH_A, 'moving the prefix keeps prompt + response unchanged');
});

test('DPO: longest chosen, several pairs per question (round-robin over chosen paths)', () => {
  const paths = extractQuestionPaths(handTree(), { separator: '\n' });
  const ranked = rankCorrectPaths(paths.filter((p) => p.correct));
  const incorrect = paths.filter((p) => !p.correct);
  const [longest] = buildQuestionPairs(ranked, incorrect, { chosen: 'longest', rng: new Rng(0) });
  assert.equal(longest!.chosen, PATH_D);
  assert.equal(longest!.rejected, PATH_E);
  const three = buildQuestionPairs(ranked, incorrect, { chosen: 'shortest', pairsPerQuestion: 3, rng: new Rng(0) });
  assert.deepEqual(
    three.map((p) => [p.chosen, p.rejected]),
    [
      [PATH_A, PATH_E],
      [PATH_B, PATH_C],
      [PATH_D, PATH_E],
    ],
  );
  assert.equal(three[2]!.common_prefix_chars, commonPrefixLength(PATH_D, PATH_E));
  // 3 chosen x 2 rejected = 6 distinct pairs at most.
  assert.equal(buildQuestionPairs(ranked, incorrect, { chosen: 'shortest', pairsPerQuestion: 10, rng: new Rng(0) }).length, 6);
});

test('DPO: ties in prefix length are broken by the seed, reproducibly', () => {
  const tree = question('tie', [
    node(1, null, 'root', 'q'),
    node(2, 1, 'thinking', 'a'),
    node(3, 2, 'answer', 'right', correct),
    node(4, 1, 'hypothesis', 'b'),
    node(5, 4, 'answer', 'x', wrong),
    node(6, 1, 'hypothesis', 'c'),
    node(7, 6, 'answer', 'y', wrong),
  ]);
  const paths = extractQuestionPaths(tree, { separator: '' });
  const ranked = rankCorrectPaths(paths.filter((p) => p.correct));
  const rejectedFor = (seed: number) =>
    buildQuestionPairs(
      ranked,
      paths.filter((p) => !p.correct),
      { chosen: 'shortest', rng: new Rng(seed) },
    )[0]!.rejected;
  const seen = new Set<string>();
  for (let seed = 0; seed < 16; seed++) {
    assert.equal(rejectedFor(seed), rejectedFor(seed));
    seen.add(rejectedFor(seed));
  }
  assert.deepEqual([...seen].sort(), ['<hypothesis>b</hypothesis><answer>x</answer>', '<hypothesis>c</hypothesis><answer>y</answer>']);
});

test('DPO: never a pair with identical responses or an empty suffix', () => {
  // With stripped tags, an incorrect path can equal a correct one or extend it.
  const tree = question('dup', [
    node(1, null, 'root', 'q'),
    node(2, 1, 'thinking', 'same'),
    node(3, 1, 'answer', 'same', wrong),
    node(4, 2, 'answer', 'x', correct),
    node(5, 1, 'hypothesis', 'samex', wrong),
  ]);
  const paths = extractQuestionPaths(tree, { separator: '', stripTags: true });
  assert.deepEqual(
    paths.map((p) => p.response),
    ['same', 'samex', 'samex'],
  );
  const ranked = rankCorrectPaths(paths.filter((p) => p.correct));
  const pairs = buildQuestionPairs(
    ranked,
    paths.filter((p) => !p.correct),
    { chosen: 'shortest', pairsPerQuestion: 5, rng: new Rng(0) },
  );
  assert.deepEqual(pairs, [], '"same" is a prefix of "samex" and "samex" equals the chosen');
});

test('buildDataset: SFT rows and DPO pairs with provenance, stats per split', () => {
  const other = question('q2', [node(1, null, 'root', 'q'), node(2, 1, 'answer', 'no', wrong)], 'What is 3+3?');
  const built = buildDataset({ run: run(), questions: [handTree(), other] });
  assert.equal(built.sft.length, 1);
  assert.deepEqual(
    { ...built.sft[0]!, node_ids: undefined },
    {
      prompt: PROMPT,
      completion: PATH_D,
      question_id: 'q1',
      length_bin: 'long',
      length: PATH_D.length,
      length_unit: 'chars',
      length_rank: 2,
      correct_paths: 3,
      reflection_count: 1,
      reflection_markers: 4,
      node_ids: undefined,
      path_tokens: 75,
    },
  );
  assert.equal(built.dpo.length, 1);
  assert.equal(built.stats.splits.sft, 1);
  assert.equal(built.stats.splits.dpo, 1);
  assert.equal(built.stats.questions.total, 2);
  assert.equal(built.stats.questions.droppedNoCorrectPath, 1);
  assert.equal(built.stats.paths.total, 6);
  assert.equal(built.stats.sft.byLengthBin.long, 1);
  assert.equal(built.stats.lengthByBin.short.summary.max, PATH_A.length);
  assert.equal(built.stats.search.configHash, 'f'.repeat(64));
  assert.match(built.stats.build.configHash, /^[0-9a-f]{64}$/);
  // 13 nodes: 12 non-root x 15 tokens in q1, 1 x 15 in q2.
  assert.equal(built.stats.tokens.searchTotal, 195);
  assert.equal(built.stats.tokens.perKeptRow, 97.5);
});

test('buildDataset: maxLength filter and option validation', () => {
  const built = buildDataset({ run: run(), questions: [handTree()] }, { maxLength: PATH_B.length, sft: 'longest' });
  assert.equal(built.sft[0]!.completion, PATH_B);
  assert.equal(built.stats.paths.droppedOverMaxLength, 1);
  assert.throws(() => buildDataset({ run: run(), questions: [handTree()] }, { sft: 'longer' as never }), /field "sft"/);
  assert.throws(() => buildDataset({ run: run(), questions: [handTree()] }, { pairsPerQuestion: 0 }), /field "pairsPerQuestion"/);
});

test('buildDataset: a verifier timeout is never DPO rejected; the reflection type comes from the run config', () => {
  const tree = handTree();
  tree.nodes.find((n) => n.id === 13)!.verdict = 'timeout';
  const built = buildDataset({ run: run(), questions: [tree] });
  assert.equal(built.dpo[0]!.rejected, PATH_C, 'E timed out, so C (next shortest prefix) is rejected');
  assert.equal(built.stats.paths.timeoutsNotRejected, 1);

  const renamed = handTree();
  for (const n of renamed.nodes) if (n.type === 'reflection') n.type = 'rethink';
  const byDefault = buildDataset({ run: run(), questions: [renamed] });
  assert.equal(byDefault.sft[0]!.reflection_count, 0);
  const configured = buildDataset({ run: { ...run(), config: { search: { reflection_type: 'rethink' } } }, questions: [renamed] });
  assert.equal(configured.sft[0]!.reflection_count, 1);
  assert.equal(configured.sft[0]!.reflection_markers, 4, 'text markers do not depend on the node type');
});

test('questions whose search had not ended are counted as unfinished in the stats and flagged on the card', () => {
  const interrupted = { ...handTree(), questionId: 'q-running', status: 'running' as const };
  const built = buildDataset({ run: run(), questions: [handTree(), interrupted] });
  assert.equal(built.stats.questions.total, 2);
  assert.equal(built.stats.questions.unfinished, 1);
  assert.match(renderDatasetCard(built.stats), /1 of 2 questions had not finished their search/);
  const complete = buildDataset({ run: run(), questions: [handTree()] });
  assert.equal(complete.stats.questions.unfinished, 0);
  assert.doesNotMatch(renderDatasetCard(complete.stats), /had not finished/);
});

test('processCheck keeps failing correct paths out of SFT and DPO chosen and counts them apart from human annotations', () => {
  // Without the check the longest correct path (D, with the reflection) is the SFT row.
  assert.equal(buildDataset({ run: run(), questions: [handTree()] }).sft[0]!.completion, PATH_D);
  const seen: string[] = [];
  const built = buildDataset(
    { run: run(), questions: [handTree()] },
    {},
    {
      processCheck: (questionText, response) => {
        seen.push(questionText);
        return !response.includes('<reflection>');
      },
    },
  );
  assert.ok(seen.length === 3 && seen.every((t) => t === 'What is 2+2?'), 'called once per correct path with the question text');
  assert.equal(built.stats.paths.droppedProcessCheck, 1);
  assert.equal(built.stats.paths.droppedAnnotationRejected, 0);
  assert.equal(built.sft[0]!.completion, PATH_B, 'the longest correct path that passes the check');
  assert.ok(built.dpo.every((p) => p.chosen !== PATH_D));
  assert.equal(built.paths.filter((p) => p.correct).length, 3, 'the path stays in paths.jsonl');
});
