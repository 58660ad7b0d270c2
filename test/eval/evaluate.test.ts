import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashString } from '../../src/core/index.ts';
import { evaluate, passAtK, reflectionTagsOfGraph, type EvalQuestionRecord } from '../../src/eval/index.ts';
import { parseSearchConfig } from '../../src/search/index.ts';
import { openPolicy, stepScorerFor } from '../../src/pipeline/index.ts';
import { generateLetterCountProblems, getTask, letterCountTrace, parseLetterCountQuestion } from '../../src/tasks/index.ts';
import type { Policy } from '../../src/policy/types.ts';
import { startOpenAITestServer, type GenerationRequest } from '../helpers/openai-server.ts';

const run = promisify(execFile);
const task = getTask('letter-count');
const words = ['navigant', 'subsensual', 'lipstick', 'brocaded', 'harttite', 'captivation', 'sphaerium', 'noncyclical'];
const problems = generateLetterCountProblems({ words, count: 12, seed: 3, idPrefix: 't' });
const N = 4;

/** Correct samples per question, a fixed function of its text (0..4). */
const correctCount = (question: string) => hashString(question) % (N + 1);

/** A server-side model: the first c choices are right (compact trace), the others wrong (even) or answerless (odd). */
function responder(request: GenerationRequest): string[] {
  const problem = problems.find((p) => request.prompt.includes(p.question));
  if (!problem) return Array.from({ length: request.choices }, () => 'ok'); // the capability probe
  const parsed = parseLetterCountQuestion(problem.question)!;
  const c = correctCount(problem.question);
  return Array.from({ length: request.choices }, (_, i) => {
    if (i < c) return letterCountTrace(parsed);
    return i % 2 === 0 ? `<sub-task>x</sub-task><answer>${problem.reference + 1}</answer>` : 'wait, wait, wait\nwait, wait, wait';
  });
}

test('evaluate over a real loopback OpenAI server: numbers match the hand-computed verdicts and pass@k', async () => {
  const server = await startOpenAITestServer({ responder, models: ['scripted-lc'] });
  try {
    const policy = await openPolicy({ kind: 'http', urls: [server.baseURL], chatTemplate: 'chatml' });
    const dir = mkdtempSync(join(tmpdir(), 'treecot-eval-'));
    const { records, summary } = await evaluate({
      name: 'http',
      task,
      problems,
      policy,
      instruction: '',
      n: N,
      temperature: 0.7,
      maxTokens: 64,
      k: [1, 2, 4],
      seed: 1,
      concurrency: 4,
      outDir: dir,
      stepScorer: stepScorerFor('letter-count'),
    });
    const cs = problems.map((p) => correctCount(p.question));
    assert.deepEqual(
      records.map((r) => r.correct),
      cs,
    );
    const total = cs.reduce((a, b) => a + b, 0);
    assert.equal(summary.accuracy, total / (N * problems.length));
    // wrong = even indices >= c, no answer = odd indices >= c
    const noAnswer = cs.reduce((s, c) => s + [0, 1, 2, 3].filter((i) => i >= c && i % 2 === 1).length, 0);
    assert.equal(summary.no_answer_rate, noAnswer / (N * problems.length));
    for (const k of [1, 2, 4]) {
      const expected = cs.reduce((s, c) => s + passAtK(N, c, k), 0) / cs.length;
      assert.ok(Math.abs(summary.pass_at_k[String(k)]! - expected) < 1e-12);
    }
    // The correct compact traces score perfect steps; the answerless ones repeat every line.
    const right = records.flatMap((r) => r.samples).filter((s) => s.verdict === 'correct');
    assert.ok(right.length > 0 && right.every((s) => s.steps!.spelling === 1 && s.steps!.count_step === 1));
    const looping = records.flatMap((r) => r.samples).filter((s) => s.verdict === 'no_answer');
    assert.ok(looping.length > 0 && looping.every((s) => s.repeated_line_rate === 0.5 && s.reflection_markers === 6));
    // Files on disk equal the returned values; one generation request per question (server-side n).
    const onDisk = readFileSync(join(dir, 'questions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EvalQuestionRecord);
    assert.deepEqual(onDisk, records);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), summary);
    assert.equal(server.requestCount('/v1/completions'), problems.length + 1 /* the probe */);
    assert.ok(!existsSync(join(dir, 'questions.partial.jsonl')));
  } finally {
    await server.close();
  }
});

test('an interrupted evaluation resumes: finished questions are not asked again and the result equals an uninterrupted run', async () => {
  const server = await startOpenAITestServer({ responder, models: ['scripted-lc'] });
  try {
    const inner = await openPolicy({ kind: 'http', urls: [server.baseURL], chatTemplate: 'chatml' });
    let calls = 0;
    const failing: Policy = {
      ...inner,
      doComplete: async (o) => (++calls > 5 ? Promise.reject(new Error('killed')) : inner.doComplete(o)),
    };
    const dir = mkdtempSync(join(tmpdir(), 'treecot-eval-resume-'));
    const common = { name: 'r', task, problems, instruction: '', n: N, temperature: 0.7, maxTokens: 64, k: [1], seed: 1, outDir: dir };
    await assert.rejects(evaluate({ ...common, policy: failing }), /killed/);
    assert.equal(readFileSync(join(dir, 'questions.partial.jsonl'), 'utf8').trim().split('\n').length, 5);
    server.reset();
    const resumed = await evaluate({ ...common, policy: inner });
    assert.equal(server.requestCount('/v1/completions'), problems.length - 5);
    const fresh = await evaluate({ ...common, policy: inner, outDir: mkdtempSync(join(tmpdir(), 'treecot-eval-fresh-')) });
    assert.deepEqual(resumed.records, fresh.records);
    assert.equal(resumed.summary.accuracy, fresh.summary.accuracy);
  } finally {
    await server.close();
  }
});

test('treecot eval CLI writes an evaluation and --compare joins two of them into one table', async () => {
  const server = await startOpenAITestServer({ responder, models: ['scripted-lc'] });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'treecot-eval-cli-'));
    const data = join(dir, 'problems.jsonl');
    writeFileSync(data, problems.map((p) => JSON.stringify({ id: p.id, problem: p.question, solution: p.reference })).join('\n') + '\n');
    const args = [
      'bin/treecot.js',
      'eval',
      '--task',
      'letter-count',
      '--data',
      data,
      '--policy',
      server.baseURL,
      '--template',
      'chatml',
      '--instruction',
      '',
    ];
    await run('node', [...args, '-n', '4', '--temperature', '0.7', '-k', '1', '4', '--out', join(dir, 'a')]);
    await run('node', [...args, '-n', '1', '--out', join(dir, 'b')]);
    const a = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
    assert.equal(a.questions, problems.length);
    assert.equal(a.samples_per_question, 4);
    const { stdout } = await run('node', ['bin/treecot.js', 'eval', '--compare', join(dir, 'a'), join(dir, 'b')]);
    const [table, paired] = stdout.trim().split('\nPaired changes (per question):\n\n');
    const lines = table!.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /pass@4/);
    assert.ok(lines[2]!.includes(`${(a.accuracy * 100).toFixed(1)}% ± ${(a.accuracy_se * 100).toFixed(1)}`));
    // b against a (the first and the previous run): a paired test over the same questions.
    const pairedLines = paired!.trim().split('\n');
    assert.equal(pairedLines.length, 3);
    assert.match(pairedLines[2]!, new RegExp(`^\\| ${join(dir, 'b')} \\| [+-]\\d+\\.\\d points \\(SE \\d+\\.\\d, paired-bootstrap p = `));
  } finally {
    await server.close();
  }
});

test('treecot eval warns on stderr when -n > 1 meets --temperature 0 (identical samples), not with --temperature 0.7', async () => {
  const server = await startOpenAITestServer({ responder, models: ['scripted-lc'] });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'treecot-eval-greedy-'));
    const data = join(dir, 'problems.jsonl');
    writeFileSync(data, problems.map((p) => JSON.stringify({ id: p.id, problem: p.question, solution: p.reference })).join('\n') + '\n');
    const args = [
      'bin/treecot.js',
      'eval',
      '--task',
      'letter-count',
      '--data',
      data,
      '--policy',
      server.baseURL,
      '--template',
      'chatml',
      '--instruction',
      '',
      '--limit',
      '2',
    ];
    const [greedy, sampled] = await Promise.all([
      run('node', [...args, '-n', '2', '--temperature', '0']),
      run('node', [...args, '-n', '2', '--temperature', '0.7']),
    ]);
    const warning =
      /^eval: warning: -n 2 with --temperature 0 \(greedy decoding\): the 2 samples of each question are identical, so pass@k for k > 1 and the spread over samples mean nothing/m;
    assert.match(greedy.stderr, warning);
    assert.equal(greedy.stderr.match(/warning/g)?.length, 1, greedy.stderr);
    assert.match(greedy.stdout, /pass@2/); // a warning, not a failure: the evaluation still runs
    assert.doesNotMatch(sampled.stderr, /warning/);
  } finally {
    await server.close();
  }
});

test("evaluate counts the graph's own reflection tag among a sample's reflection markers", async () => {
  // A model searched with a graph whose reflection type is written <rethink> reflects in that tag.
  const text = '<sub-task>a</sub-task><thinking>banana</thinking><rethink>Let me reconsider.</rethink><answer>3</answer>';
  const server = await startOpenAITestServer({ responder: (r) => Array.from({ length: r.choices }, () => text), models: ['m'] });
  try {
    const policy = await openPolicy({ kind: 'http', urls: [server.baseURL], chatTemplate: 'chatml' });
    const common = { task, problems: problems.slice(0, 2), policy, instruction: '', n: 1, temperature: 0, maxTokens: 64, k: [1], seed: 1 };
    const plain = await evaluate({ ...common, name: 'plain' });
    const renamed = await evaluate({ ...common, name: 'renamed', reflectionTag: 'rethink' });
    // "let me reconsider" is a marker phrase either way; the <rethink> tag counts only when it is the graph's reflection tag.
    assert.deepEqual(
      plain.records.map((r) => r.samples[0]!.reflection_markers),
      [1, 1],
    );
    assert.deepEqual(
      renamed.records.map((r) => r.samples[0]!.reflection_markers),
      [2, 2],
    );
    assert.equal(renamed.summary.reflection_markers_per_response, 2);
  } finally {
    await server.close();
  }
});

test('the letter-count step scorer reads the tags of a graph that renames its thoughts', () => {
  const config = parseSearchConfig({
    graph: {
      root: { next_step: { sub_task: 1 } },
      sub_task: { tag: 'plan', next_step: { thinking: 1 } },
      thinking: { tag: 'step', next_step: { double_check: 1 } },
      double_check: { tag: 'check', next_step: { answer: 1 } },
      answer: { tag: 'final' },
    },
  });
  const problem = problems.find((p) => parseLetterCountQuestion(p.question)!.letters.length === 2)!;
  const trace = letterCountTrace(parseLetterCountQuestion(problem.question)!);
  const renamed = trace
    .replace(/(<\/?)sub-task>/g, '$1plan>')
    .replace(/(<\/?)thinking>/g, '$1step>')
    .replace(/(<\/?)double-check>/g, '$1check>')
    .replace(/(<\/?)answer>/g, '$1final>');
  const perfect = { spelling: 1, count_step: 1, letter_binding: 1, addition: 1 };
  assert.deepEqual(stepScorerFor('letter-count')!(trace, problem), perfect);
  assert.deepEqual(stepScorerFor('letter-count', reflectionTagsOfGraph(config))!(renamed, problem), perfect);
  // Read with the authors' tags, the renamed trace has no steps at all.
  assert.deepEqual(stepScorerFor('letter-count')!(renamed, problem), {
    spelling: 0,
    count_step: null,
    letter_binding: null,
    addition: null,
  });
});
