import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeVerifier, evaluateWithSearch, leadingAnswer, onPolicyChecker, splitPath } from '../../src/eval/index.ts';
import { ScriptedPolicy, type ScriptedRequest } from '../../src/policy/scripted-policy.ts';
import { readRun } from '../../src/store/index.ts';
import { getTask, type Problem } from '../../src/tasks/index.ts';
import { hashedLetterCountPolicy, LETTER_COUNT_DATA } from '../search/helpers.ts';

const task = getTask('letter-count');
const BUILTIN_CONFIG = 'configs/letter-count-builtin.yaml';
const TAGS = ['sub-task', 'thinking', 'double-check', 'answer', 'reflection'];

/** "r" and "a" in "star": 1 + 1 = 2. */
const STAR: Problem = { id: 'star', question: 'What is the sum of the counts of r and a in star?', reference: 2 };

/** MCTS decode of STAR with the built-in graph: greedy answers capped at 64 tokens, seed 0. */
function decodeStar(policy: ScriptedPolicy, options: { outDir: string; maxRollouts: number; searchTemperature?: number }) {
  return evaluateWithSearch({
    name: 'mcts',
    task,
    problems: [STAR],
    policy,
    instruction: '',
    n: 1,
    temperature: 0,
    maxTokens: 64,
    k: [1],
    seed: 0,
    searchConfigPath: BUILTIN_CONFIG,
    ...options,
  });
}

/**
 * A scripted letter counter in the built-in model's compact format. Left to itself it writes
 * `<sub-task>r+a</sub-task><thinking>star</thinking><thinking>r:1</thinking><thinking>a:1</thinking>
 * <double-check>1+1=2</double-check><answer>2</answer>` (right). Forced to open `<double-check>`
 * before any count (the action graph allows it), it guesses `0+3=3` and answers 3 (wrong), the
 * same every time, so that short path always agrees with itself. With `secondCount`, the second
 * of the two samples of the first count step writes `r:<secondCount>` instead of `r:1`.
 */
function letterCounter(options: { secondCount?: number } = {}): ScriptedPolicy {
  const nextTag = (done: [string, string][]): string => {
    const counts = done.filter(([t, c]) => t === 'thinking' && /^[a-z]:\d+$/.test(c)).length;
    const last = done[done.length - 1]?.[0];
    if (last === undefined) return 'sub-task';
    if (last === 'sub-task') return 'thinking';
    if (last === 'double-check') return 'answer';
    return counts < 2 ? 'thinking' : 'double-check';
  };
  const content = (tag: string, done: [string, string][], sample: number): string => {
    const counts = done.filter(([t, c]) => t === 'thinking' && /^[a-z]:\d+$/.test(c)).map(([, c]) => Number(c.split(':')[1]));
    if (tag === 'sub-task') return 'r+a';
    if (tag === 'thinking') {
      if (!done.some(([t]) => t === 'thinking')) return 'star';
      if (counts.length === 0) return `r:${sample === 1 && options.secondCount !== undefined ? options.secondCount : 1}`;
      return counts.length === 1 ? 'a:1' : 's:1';
    }
    if (tag === 'double-check') return counts.length === 0 ? '0+3=3' : `${counts.join('+')}=${counts.reduce((a, b) => a + b, 0)}`;
    const check = [...done].reverse().find(([t]) => t === 'double-check')?.[1] ?? '=3';
    return check.split('=').pop()!;
  };
  return new ScriptedPolicy({
    modelId: 'scripted-letter-counter',
    respond: (request: ScriptedRequest, sample: number) => {
      const prefix = request.prompt.assistantPrefix;
      const done = [...prefix.matchAll(/<([a-z-]+)>([^<]*)<\/\1>/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
      const forced = /<([a-z-]+)>([^<]*)$/.exec(prefix);
      if (forced) return content(forced[1]!, done, sample);
      // Free continuation (the greedy response, a tag probe): the model's own trace to its answer.
      let text = '';
      for (let tag = nextTag(done); ; tag = nextTag(done)) {
        const thought = content(tag, done, 0);
        text += `<${tag}>${thought}</${tag}>`;
        done.push([tag, thought]);
        if (tag === 'answer') return text;
      }
    },
  });
}

test('MCTS decode: a short wrong path that agrees with itself does not beat the complete path (scripted letter counter)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-mcts-decode-'));
  const { records } = await decodeStar(letterCounter(), { outDir: dir, maxRollouts: 8 });
  const record = records[0]!;
  assert.equal(record.samples[0]!.extracted, '2');
  assert.equal(record.correct, 1);
  assert.equal(
    record.samples[0]!.text,
    '<sub-task>r+a</sub-task><thinking>star</thinking><thinking>r:1</thinking><thinking>a:1</thinking><double-check>1+1=2</double-check><answer>2</answer>',
  );
  // Every sample agrees with the greedy response: estimated P(2) = 1.
  assert.deepEqual(record.search!.answers, { '2': 1 });
  assert.equal(record.search!.rollouts, 8, 'no early stop: exactly max_rollouts rollouts');
  // Expansion followed the policy's own tags: no double-check before the counts, so the guess "3" was never written.
  const { questions } = readRun(join(dir, 'search.db'));
  const nodes = questions[0]!.nodes;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  assert.deepEqual(
    nodes.filter((n) => n.type === 'double_check').map((n) => n.content),
    ['1+1=2'],
  );
  assert.ok(nodes.every((n) => n.type !== 'double_check' || byId.get(n.parentId!)!.content === 'a:1'));
});

test("MCTS decode: the search samples at searchTemperature when given, else at the config's; the summary records it", async () => {
  for (const [searchTemperature, expected] of [
    [0.25, 0.25],
    [undefined, 0.7], // configs/letter-count-builtin.yaml
  ] as const) {
    const policy = letterCounter({ secondCount: 2 });
    const { summary } = await decodeStar(policy, {
      outDir: mkdtempSync(join(tmpdir(), 'treecot-mcts-decode-t-')),
      maxRollouts: 4,
      searchTemperature,
    });
    // The greedy response and the tag probes are at 0; every search expansion at the decode temperature.
    const sampled = policy.calls.filter((c) => c.temperature !== 0);
    assert.ok(sampled.length > 0, 'the search made sampled calls');
    assert.ok(
      sampled.every((c) => c.temperature === expected),
      String(sampled.map((c) => c.temperature)),
    );
    assert.equal(summary.temperature, expected);
  }
});

test('MCTS decode: the estimate mixes sampled branches by their copies, with the greedy response as one root sample', async () => {
  // The two samples of the first count step differ: r:1 (-> answer 2) and r:2 (-> 2+1=3, answer 3).
  // Root: sub-task x2 (merged) -> spelling x2 -> {r:1, r:2}: P_tree = {2: 1/2, 3: 1/2};
  // with the greedy response (2) as a third root sample: {2: (2 * 1/2 + 1) / 3, 3: (2 * 1/2) / 3} = {2: 2/3, 3: 1/3}.
  const dir = mkdtempSync(join(tmpdir(), 'treecot-mcts-decode-'));
  const { records } = await decodeStar(letterCounter({ secondCount: 2 }), { outDir: dir, maxRollouts: 16 });
  const record = records[0]!;
  assert.deepEqual(record.search!.answers, { '2': 0.6667, '3': 0.3333 });
  assert.equal(record.samples[0]!.extracted, '2');
  assert.equal(record.search!.on_policy_paths, record.search!.answer_paths);
});

test('tag probe: a path is on-policy only where every tag is the one the policy opens itself', async () => {
  const policy = letterCounter();
  const { check } = onPolicyChecker({ policy, instruction: '', separator: '', tags: TAGS, searchWritten: new Set() });
  const complete =
    '<sub-task>r+a</sub-task><thinking>star</thinking><thinking>r:1</thinking><thinking>a:1</thinking><double-check>1+1=2</double-check><answer>2</answer>';
  const short = '<sub-task>r+a</sub-task><thinking>star</thinking><double-check>0+3=3</double-check><answer>3</answer>';
  assert.deepEqual(await check(STAR, complete), { onPolicy: true, offAt: null, policyTag: null });
  assert.deepEqual(await check(STAR, short), { onPolicy: false, offAt: 2, policyTag: 'thinking' });
  assert.equal((await check(STAR, 'no tags at all')).onPolicy, false);
  const calls = policy.calls.length;
  await check(STAR, complete);
  assert.equal(policy.calls.length, calls, 'probes are cached per prefix');
  assert.deepEqual(splitPath('<a>x</a>\n<b>y</b>', '\n', ['a', 'b']), [
    { tag: 'a', content: 'x' },
    { tag: 'b', content: 'y' },
  ]);
  assert.equal(splitPath('<a>x</a><b>y</b>', '\n', ['a', 'b']), null, 'separator missing');
});

test('decode reward: an off-policy path gets no vote even when its answer agrees; ties go to the greedy answer', async () => {
  const policy = letterCounter();
  const { check } = onPolicyChecker({ policy, instruction: '', separator: '', tags: TAGS, searchWritten: new Set() });
  const verify = decodeVerifier({ extract: (o) => task.extractAnswer(o), check, greedyAnswers: new Map([['star', '3']]) });
  const short = '<sub-task>r+a</sub-task><thinking>star</thinking><double-check>0+3=3</double-check><answer>3</answer>';
  const complete =
    '<sub-task>r+a</sub-task><thinking>star</thinking><thinking>r:1</thinking><thinking>a:1</thinking><double-check>1+1=2</double-check><answer>2</answer>';
  assert.equal((await verify(short, STAR)).verdict, 'wrong'); // agrees with greedy's 3, but off-policy
  assert.equal((await verify(complete, STAR)).verdict, 'correct'); // {3: 1, 2: 1}: a tie agrees
  assert.equal((await verify(complete, STAR)).verdict, 'correct'); // {3: 1, 2: 2}
  assert.equal((await verify('<answer>x</answer>', STAR)).verdict, 'no_answer');
  assert.equal(
    leadingAnswer(
      new Map([
        ['3', 0.5],
        ['2', 0.5],
      ]),
      '2',
    ),
    '2',
  );
  assert.equal(
    leadingAnswer(
      new Map([
        ['3', 0.5],
        ['2', 0.5],
      ]),
      null,
    ),
    '3',
  );
  assert.equal(
    leadingAnswer(
      new Map([
        ['3', 0.4],
        ['2', 0.6],
      ]),
      '3',
    ),
    '2',
  );
  assert.equal(leadingAnswer(new Map(), '3'), null);
});

test('MCTS decode on many questions: the decoded answer leads the recorded estimate and is judged against the reference', async () => {
  const problems = task.load(LETTER_COUNT_DATA).slice(0, 6);
  const dir = mkdtempSync(join(tmpdir(), 'treecot-mcts-decode-'));
  const { records, summary } = await evaluateWithSearch({
    name: 'mcts',
    task,
    problems,
    policy: hashedLetterCountPolicy({ pCorrect: 0.7 }),
    n: 1,
    temperature: 0.7,
    maxTokens: 64,
    k: [1],
    seed: 1,
    outDir: dir,
    searchConfigPath: 'configs/letter-count.yaml',
    maxRollouts: 8,
  });
  assert.ok(
    existsSync(join(dir, 'search.db')) && existsSync(join(dir, 'questions.jsonl')) && existsSync(join(dir, 'greedy', 'questions.jsonl')),
  );
  assert.equal(summary.decode, 'mcts');
  for (const [i, record] of records.entries()) {
    const tally = record.search!.answers;
    const sample = record.samples[0]!;
    assert.equal(record.search!.rollouts, 8);
    if (Object.keys(tally).length > 0) {
      assert.equal(
        tally[sample.extracted!],
        Math.max(...Object.values(tally)),
        `question ${i}: decoded ${sample.extracted} does not lead ${JSON.stringify(tally)}`,
      );
    }
    assert.equal(sample.verdict, task.verify(sample.text, problems[i]!).verdict);
  }
  assert.equal(summary.accuracy, records.filter((r) => r.correct === 1).length / records.length);
});
