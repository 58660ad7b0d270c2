import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approximateTokens, ScriptedPolicy } from '../../src/policy/scripted-policy.ts';
import { loadSearchConfig, parseSearchConfig, runSearch, exportTree, pathText, type SearchConfig } from '../../src/search/index.ts';
import { readRun, SearchStore } from '../../src/store/index.ts';
import { StoreError } from '../../src/core/index.ts';
import type { Problem } from '../../src/tasks/index.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA, normaliseTree, openedTag } from './helpers.ts';

const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), 'treecot-search-')), name);
const problems = letterCountTask.load(LETTER_COUNT_DATA);

/** The authors' graph shape with one sample per type: every step can be worked out by hand. */
function chainConfig(overrides: Partial<SearchConfig['search']> = {}): SearchConfig {
  return parseSearchConfig({
    instruction: 'Count letters.\n',
    format: { separator: '\n' },
    search: { reward_thresholds: [1, 1], max_rollouts: 4, ...overrides },
    graph: {
      root: { next_step: { sub_task: 1 } },
      sub_task: { prefill: ['Firstly, I need to break down this task.'], next_step: { thinking: 1 } },
      thinking: { next_step: { double_check: 1 } },
      double_check: { special_model: true, prefill: ["Let's check the result"], next_step: { answer: 1 } },
      reflection: { prefill: ["Wait! something is wrong, let's think again.\n</reflection>"], next_step: { thinking_from_scratch: 1 } },
      thinking_from_scratch: {
        prefill: ['The previous is the wrong answer, I need to rethink this question.\n'],
        next_step: { thinking: 1 },
      },
      answer: { prefill: ['The answer is:'] },
    },
  });
}

test('reflection backtracking: wrong first, then right after the reflection; the correct path reads wrong thought -> Wait! -> re-think -> right answer', async () => {
  const problem: Problem = { id: 'p1', question: 'What is the sum of the counts of e and u in subsensual?', reference: 3 };
  const afterReflection = (prefix: string) => prefix.includes('<reflection>');
  const policy = new ScriptedPolicy({
    respond: (request) => {
      const fixed = afterReflection(request.prompt.assistantPrefix);
      switch (openedTag(request)) {
        case 'sub-task':
          return ' count e, then u.';
        case 'thinking':
          return fixed ? ' e:2 u:1 (recounted letter by letter)' : ' e:2 u:2';
        case 'thinking-from-scratch':
          return ' I recount subsensual: s-u-b-s-e-n-s-u-a-l.';
        case 'double-check':
          return ' the sum is right.';
        case 'answer':
          return fixed ? ' \\boxed{3}' : ' \\boxed{4}';
        default:
          throw new Error(`unexpected tag in ${request.prompt.assistantPrefix}`);
      }
    },
  });
  const special = new ScriptedPolicy({
    modelId: 'special',
    respond: (request, i) => (openedTag(request) === 'double-check' ? ' the sum is right.' : ` ${i}`),
  });
  const db = tmp('reflect.db');
  const summary = await runSearch({
    config: chainConfig(),
    task: 'letter-count',
    defaultInstruction: '',
    problems: [problem],
    dbPath: db,
    policy,
    specialPolicy: special,
    verify: verifyLetterCount,
  });
  assert.equal(summary.solved, 1);
  assert.equal(summary.rollouts, 2);
  const { run, questions } = readRun(db);
  const q = questions[0]!;
  assert.equal(q.status, 'solved');
  const tree = exportTree(q);
  assert.equal(tree.wrong_paths.length, 1);
  assert.equal(tree.correct_paths.length, 1);
  const text = pathText(q, tree.correct_paths[0]!, run.separator);
  const order = [
    '<thinking> e:2 u:2</thinking>',
    "<reflection>Wait! something is wrong, let's think again.\n</reflection>",
    '<thinking-from-scratch>The previous is the wrong answer',
    '<thinking> e:2 u:1',
    '<answer>The answer is: \\boxed{3}</answer>',
  ];
  const at = order.map((s) => text.indexOf(s));
  assert.ok(
    at.every((i) => i >= 0),
    `path text lacks a piece: ${JSON.stringify(text)}`,
  );
  assert.deepEqual(
    [...at].sort((a, b) => a - b),
    at,
    'pieces appear in order',
  );
  // Visit counts by hand: 2 rollouts through root..double_check#1, 1 through the wrong answer, 1 through the reflection branch.
  const byType = (type: string) => q.nodes.filter((n) => n.type === type).map((n) => [n.visits, n.rewardSum]);
  assert.deepEqual(byType('root'), [[2, 1]]);
  assert.deepEqual(byType('double_check'), [
    [2, 1],
    [1, 1],
  ]);
  assert.deepEqual(byType('answer'), [
    [1, 0],
    [1, 1],
  ]);
  assert.deepEqual(byType('reflection'), [[1, 1]]);
  // The reflection needs no model call; double_check went to the special policy.
  assert.ok(policy.calls.every((c) => openedTag(c) !== 'reflection' && openedTag(c) !== 'double-check'));
  assert.equal(special.calls.length, 2);
  assert.equal(q.nodes.find((n) => n.type === 'double_check')!.policy, 'special');
  assert.equal(q.nodes.find((n) => n.type === 'reflection')!.policy, '');
  // Prompt parts: instruction, question, and the path as assistant prefix.
  const answerCall = policy.calls.filter((c) => openedTag(c) === 'answer')[1]!;
  assert.equal(answerCall.prompt.instruction, 'Count letters.\n');
  assert.equal(answerCall.prompt.question, problem.question);
  assert.ok(answerCall.prompt.assistantPrefix.endsWith('</double-check>\n<answer>The answer is:'));
  assert.deepEqual(answerCall.stop, ['</answer>']);
});

test('repeated failures add more reflection siblings; a search that never succeeds gives up after factor x max rollouts', async () => {
  const policy = new ScriptedPolicy({ respond: (request) => (openedTag(request) === 'answer' ? ' \\boxed{99}' : ' x') });
  const db = tmp('giveup.db');
  const summary = await runSearch({
    config: chainConfig({ max_rollouts: 3, give_up_factor: 2, reward_thresholds: [1, 2] }),
    task: 'letter-count',
    defaultInstruction: '',
    problems: [problems[0]!],
    dbPath: db,
    policy,
    verify: verifyLetterCount,
  });
  assert.equal(summary.gave_up, 1);
  assert.equal(summary.rollouts, 6);
  const q = readRun(db).questions[0]!;
  assert.equal(q.status, 'gave_up');
  assert.equal(q.nodes.filter((n) => n.type === 'reflection').length, 6, 'one reflection per wrong rollout');
  const firstCheck = q.nodes.find((n) => n.type === 'double_check')!;
  assert.ok(
    q.nodes.filter((n) => n.type === 'reflection' && n.parentId === firstCheck.id).length >= 2,
    'several reflection siblings under one double_check',
  );
});

test('identical sibling samples are merged: one node with copies, expanded once', async () => {
  const config = parseSearchConfig({
    search: { reward_thresholds: [1, 2], max_rollouts: 2, reflection_ancestor: null },
    graph: { root: { next_step: { thinking: 4 } }, thinking: { next_step: { answer: 1 } }, answer: {} },
  });
  const policy = new ScriptedPolicy({ respond: (request, i) => (openedTag(request) === 'answer' ? ' 3' : i < 3 ? ' same' : ' other') });
  const db = tmp('merge.db');
  await runSearch({
    config,
    task: 'letter-count',
    defaultInstruction: '',
    problems: [problems[0]!],
    dbPath: db,
    policy,
    verify: verifyLetterCount,
  });
  const q = readRun(db).questions[0]!;
  const thinking = q.nodes.filter((n) => n.type === 'thinking');
  assert.deepEqual(
    thinking.map((n) => [n.content, n.copies]),
    [
      [' same', 3],
      [' other', 1],
    ],
  );
  assert.equal(policy.calls.filter((c) => openedTag(c) === 'thinking').length, 1, 'all 4 samples in one call');
  assert.equal(policy.calls.filter((c) => openedTag(c) === 'thinking')[0]!.n, 4);
  // Token usage of the call is split over the samples and sums to the call's usage.
  const total = thinking.reduce((s, n) => s + n.completionTokens, 0);
  assert.equal(total, 3 * approximateTokens(' same') + approximateTokens(' other'));
});

test('resume: a stopped run continues at node level, nothing duplicated, and equals an uninterrupted run', async () => {
  const { config } = loadSearchConfig('configs/letter-count.yaml');
  const small = { ...config, search: { ...config.search, max_rollouts: 6, reward_thresholds: [2, 4] as [number, number] } };
  const subset = problems.slice(0, 3);
  const run = (db: string, controller?: AbortController) =>
    runSearch({
      config: small,
      task: 'letter-count',
      defaultInstruction: letterCountTask.defaultInstruction,
      problems: subset,
      dbPath: db,
      policy: hashedLetterCountPolicy({ latencyMs: 1 }),
      verify: verifyLetterCount,
      concurrency: 2,
      signal: controller?.signal,
      // Stop after the 7th rollout, mid-run (the uninterrupted run makes many more).
      onProgress: (p) => {
        if (p.counters.rollouts >= 7) controller?.abort(new Error('stop'));
      },
    });
  const full = tmp('full.db');
  const uninterrupted = await run(full);
  assert.ok(uninterrupted.rollouts > 12);
  const partial = tmp('partial.db');
  await assert.rejects(run(partial, new AbortController()), /stop/);
  const stopped = readRun(partial).questions;
  assert.ok(stopped.reduce((s, q) => s + q.rollouts, 0) >= 7);
  assert.ok(
    stopped.some((q) => q.status === 'running'),
    'interrupted mid-run',
  );
  const second = await run(partial);
  assert.equal(second.finished, 3);
  const third = await run(partial);
  assert.equal(third.skipped, 3, 'finished questions are skipped');
  assert.equal(third.policy_calls, 0);
  const a = readRun(full).questions.map((q) => normaliseTree(exportTree(q)));
  const b = readRun(partial).questions.map((q) => normaliseTree(exportTree(q)));
  const strip = (trees: unknown[]) => JSON.parse(JSON.stringify(trees));
  assert.deepEqual(strip(b), strip(a));
});

test("a question's tree is the same alone or among others (any concurrency)", async () => {
  const { config } = loadSearchConfig('configs/letter-count.yaml');
  const small = { ...config, search: { ...config.search, max_rollouts: 5, reward_thresholds: [2, 3] as [number, number] } };
  const target = problems[4]!;
  const alone = tmp('alone.db');
  await runSearch({
    config: small,
    task: 'letter-count',
    defaultInstruction: '',
    problems: [target],
    dbPath: alone,
    policy: hashedLetterCountPolicy(),
    verify: verifyLetterCount,
    concurrency: 1,
  });
  const crowd = tmp('crowd.db');
  await runSearch({
    config: small,
    task: 'letter-count',
    defaultInstruction: '',
    problems: problems.slice(0, 12),
    dbPath: crowd,
    policy: hashedLetterCountPolicy({ latencyMs: 1 }),
    verify: verifyLetterCount,
    concurrency: 6,
  });
  const pick = (db: string) => normaliseTree(exportTree(readRun(db).questions.find((q) => q.questionId === target.id)!));
  assert.deepEqual(pick(crowd), pick(alone));
});

test('a changed config is refused unless --new-run; a changed question is refused; nothing stored is lost', async () => {
  const config = chainConfig();
  const db = tmp('changed.db');
  const policy = hashedLetterCountPolicy({ pCorrect: 1 });
  const base = {
    task: 'letter-count',
    defaultInstruction: '',
    problems: problems.slice(0, 2),
    dbPath: db,
    policy,
    verify: verifyLetterCount,
  };
  await runSearch({ ...base, config });
  const nodesBefore = readRun(db, { nodeIds: 'rowid' }).questions.flatMap((q) => q.nodes.map((n) => n.id));
  const changed = { ...config, sampling: { ...config.sampling, temperature: 0.2 } };
  await assert.rejects(
    runSearch({ ...base, config: changed }),
    (e: unknown) => e instanceof StoreError && /another config .*--new-run/.test(e.message),
  );
  const edited = [{ ...problems[0]!, question: problems[0]!.question + ' (edited)' }, problems[1]!];
  await assert.rejects(runSearch({ ...base, config, problems: edited }), /different text or reference/);
  assert.deepEqual(
    readRun(db, { nodeIds: 'rowid' }).questions.flatMap((q) => q.nodes.map((n) => n.id)),
    nodesBefore,
  );
  const fresh = await runSearch({ ...base, config: changed, newRun: true });
  assert.equal(fresh.finished, 2);
  const store = SearchStore.open(db, { readonly: true });
  assert.equal(store.runs().length, 2);
  store.close();
  assert.equal(readRun(db, { runId: 1 }).questions.flatMap((q) => q.nodes).length, nodesBefore.length);
});

test('shards: i/n slices are disjoint, cover the data, and merge into the unsharded result', async () => {
  const { config } = loadSearchConfig('configs/letter-count.yaml');
  const small = { ...config, search: { ...config.search, max_rollouts: 4, reward_thresholds: [1, 2] as [number, number] } };
  const subset = problems.slice(0, 7);
  const base = {
    config: small,
    task: 'letter-count',
    defaultInstruction: '',
    problems: subset,
    policy: hashedLetterCountPolicy(),
    verify: verifyLetterCount,
  };
  const whole = tmp('whole.db');
  await runSearch({ ...base, dbPath: whole });
  const parts = [0, 1, 2].map((i) => tmp(`shard${i}.db`));
  const sizes: number[] = [];
  for (const [i, db] of parts.entries()) sizes.push((await runSearch({ ...base, dbPath: db, shard: { index: i, count: 3 } })).questions);
  assert.deepEqual(sizes, [3, 2, 2]);
  const { mergeStores } = await import('../../src/store/index.ts');
  const merged = tmp('merged.db');
  mergeStores(merged, parts);
  const norm = (db: string) =>
    readRun(db)
      .questions.map((q) => normaliseTree(exportTree(q)))
      .sort((a, b) => String((a as { question_id: string }).question_id).localeCompare((b as { question_id: string }).question_id));
  assert.deepEqual(norm(merged), norm(whole));
});

test('virtual loss: several iterations per tree at once; counts stay consistent with the committed rollouts', async () => {
  const { config } = loadSearchConfig('configs/letter-count.yaml');
  const small = { ...config, search: { ...config.search, max_rollouts: 8, reward_thresholds: [2, 4] as [number, number] } };
  const db = tmp('virtual.db');
  const summary = await runSearch({
    config: small,
    task: 'letter-count',
    defaultInstruction: '',
    problems: problems.slice(0, 4),
    dbPath: db,
    policy: hashedLetterCountPolicy({ latencyMs: 2 }),
    verify: verifyLetterCount,
    virtualLoss: 4,
    concurrency: 8,
  });
  assert.equal(summary.finished, 4);
  const store = SearchStore.open(db);
  for (const q of readRun(db).questions) {
    assert.equal(store.rebuildCounts(1, q.questionId), 0, 'stored visit counts equal the rollouts');
    assert.deepEqual(
      store.rollouts(1, q.questionId).map((r) => r.idx),
      Array.from({ length: q.rollouts }, (_, i) => i),
    );
    // Each node was expanded once: per parent, the children of one type (reflections aside)
    // never exceed that type's sample count in the graph, whatever the concurrency.
    const rows = store.nodes(1, q.questionId);
    const typeOf = new Map(rows.map((n) => [n.id, n.type]));
    const perParentType = new Map<string, number>();
    for (const n of rows)
      if (n.parent_id !== null && n.type !== 'reflection')
        perParentType.set(`${n.parent_id}:${n.type}`, (perParentType.get(`${n.parent_id}:${n.type}`) ?? 0) + 1);
    for (const [key, count] of perParentType) {
      const [parent, type] = key.split(':') as [string, string];
      const parentType = typeOf.get(Number(parent))!;
      const graphCount = config.graph[parentType]!.next_step[type] ?? 0;
      assert.ok(count <= graphCount, `${count} ${type} children under one ${parentType} (graph: ${graphCount})`);
    }
  }
  store.close();
});

test('a policy that keeps failing marks the question "error" (counted), and a re-run with a working policy finishes it', async () => {
  const { PolicyCallError } = await import('../../src/core/index.ts');
  const broken = new ScriptedPolicy({
    respond: () => {
      throw new PolicyCallError('server down', { isRetryable: true, attempts: ['503', '503'] });
    },
  });
  const config = chainConfig();
  const db = tmp('errors.db');
  const first = await runSearch({
    config,
    task: 'letter-count',
    defaultInstruction: '',
    problems: problems.slice(0, 2),
    dbPath: db,
    policy: broken,
    verify: verifyLetterCount,
    maxConsecutiveErrors: 2,
  });
  assert.equal(first.errored, 2);
  assert.equal(first.finished, 0);
  assert.equal(first.failed_calls, 4);
  assert.equal(first.errors, 4);
  assert.ok(readRun(db).questions.every((q) => q.status === 'error'));
  const second = await runSearch({
    config,
    task: 'letter-count',
    defaultInstruction: '',
    problems: problems.slice(0, 2),
    dbPath: db,
    policy: hashedLetterCountPolicy({ pCorrect: 1 }),
    verify: verifyLetterCount,
  });
  assert.equal(second.finished, 2);
  assert.equal(second.errored, 0);
});

test('duplicate question ids in the data are refused before anything is stored', async () => {
  const db = tmp('dupes.db');
  const a: Problem = { id: 'x', question: 'How many a in banana?', reference: 3, source: { file: 'q.jsonl', line: 1 } };
  const b: Problem = { id: 'x', question: 'How many n in banana?', reference: 2, source: { file: 'q.jsonl', line: 4 } };
  await assert.rejects(
    runSearch({
      config: chainConfig(),
      task: 'letter-count',
      defaultInstruction: '',
      problems: [a, b],
      dbPath: db,
      policy: hashedLetterCountPolicy(),
      verify: verifyLetterCount,
    }),
    /q\.jsonl:4 field "id": question id "x" is used twice \(first at q\.jsonl:1\)/,
  );
  const { existsSync } = await import('node:fs');
  assert.equal(existsSync(db), false);
});

test('seeded: the same seed gives the same trees, another seed other tie-breaks and prefills', async () => {
  const { config } = loadSearchConfig('configs/letter-count.yaml');
  const withSeed = (seed: number) => ({
    ...config,
    seed,
    search: { ...config.search, max_rollouts: 5, reward_thresholds: [2, 3] as [number, number] },
  });
  const trees = async (seed: number) => {
    const db = tmp(`seed${seed}.db`);
    await runSearch({
      config: withSeed(seed),
      task: 'letter-count',
      defaultInstruction: '',
      problems: problems.slice(0, 2),
      dbPath: db,
      policy: hashedLetterCountPolicy(),
      verify: verifyLetterCount,
    });
    return JSON.parse(JSON.stringify(readRun(db).questions.map((q) => normaliseTree(exportTree(q)))));
  };
  const a = await trees(1);
  assert.deepEqual(await trees(1), a);
  assert.notDeepEqual(await trees(2), a);
});
