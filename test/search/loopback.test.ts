/**
 * Integration: search over 20 letter-count questions from data/letter-count against
 * a real loopback OpenAI-wire server (test/helpers/openai-server.ts), through the real
 * OpenAI-compatible policy (retries, fan-out) and the real letter-count verifier.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashString } from '../../src/core/index.ts';
import { createOpenAICompatiblePolicy, type EndpointMode } from '../../src/policy/index.ts';
import { runSearch, type SearchConfig } from '../../src/search/index.ts';
import { readRun } from '../../src/store/index.ts';
import { parseLetterCountQuestion, letterCountAnswer, LETTER_COUNT_BASE_PROMPT } from '../../src/tasks/index.ts';
import {
  startOpenAITestServer,
  type GenerationRequest,
  type OpenAITestServer,
  type OpenAITestServerOptions,
} from '../helpers/openai-server.ts';
import { crashTestConfig } from './fixtures/crash-config.ts';
import { letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from './helpers.ts';

const problems = letterCountTask.load(LETTER_COUNT_DATA).slice(0, 20);
const servers: OpenAITestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** Letter-count answers from the prompt text: the thought type is the last open tag; answers right ~60% of the time. */
function letterCountResponder(request: GenerationRequest): string[] {
  const tags = [...request.prompt.matchAll(/<([a-z-]+)>/g)];
  const tag = tags.length > 0 ? tags[tags.length - 1]![1] : '';
  const question = /Now the question is: ([^\n<]*)/.exec(request.prompt)?.[1] ?? '';
  const parsed = parseLetterCountQuestion(question);
  const truth = parsed ? letterCountAnswer(parsed) : -1;
  return Array.from({ length: request.choices }, (_, i) => {
    const h = hashString(`${request.prompt}|${request.seed}|${request.repeat}|${i}`);
    if (tag === 'answer') return ` \\boxed{${h % 10 < 6 ? truth : truth + 1}}</answer>`;
    return ` thought ${h % 5}</${tag}> trailing text the stop string must cut`;
  });
}

interface Mode {
  name: string;
  endpoint: EndpointMode;
  server: OpenAITestServerOptions;
}

async function searchAgainst(mode: Mode) {
  const server = await startOpenAITestServer({ latencyMs: 5, responder: letterCountResponder, ...mode.server });
  servers.push(server);
  const policy = await createOpenAICompatiblePolicy({
    endpoints: [server.baseURL],
    model: 'test-model',
    mode: mode.endpoint,
    template: mode.endpoint === 'completions' ? 'chatml' : undefined,
    probe: false,
    supportsN: mode.server.supportsN ?? true,
    // Generous timeouts: a client-side timeout on a busy machine would make the server count a
    // sample the client never got. Stalls (30 s on the server) end at this timeout.
    timeoutMs: mode.server.failureRate ? 2000 : 5000,
    retry: { maxRetries: 8, initialDelayMs: 1, maxDelayMs: 10 },
  });
  const config: SearchConfig = crashTestConfig();
  const dbPath = join(mkdtempSync(join(tmpdir(), 'treecot-loopback-')), `${mode.name}.db`);
  const summary = await runSearch({
    config,
    task: 'letter-count',
    defaultInstruction: '',
    problems,
    dbPath,
    policy,
    verify: verifyLetterCount,
    concurrency: 16,
  });
  await policy.close?.();
  return { server, summary, dbPath };
}

/** Choices the server returned in successful generation requests (each became a sample of some node). */
function choicesServed(server: OpenAITestServer, supportsN: boolean): number {
  return server.requests
    .filter((r) => r.generationIndex !== undefined && r.failure === undefined)
    .reduce((sum, r) => sum + (supportsN ? Number(r.body?.n ?? 1) : 1), 0);
}

function checkRun(server: OpenAITestServer, summary: Awaited<ReturnType<typeof runSearch>>, dbPath: string, supportsN: boolean) {
  assert.equal(summary.questions, 20);
  assert.equal(summary.finished, 20, 'every question reaches its stop rule');
  const { questions } = readRun(dbPath);
  const nodes = questions.flatMap((q) => q.nodes);
  assert.equal(nodes.length, summary.nodes);
  assert.equal(nodes.length, summary.nodes_created);
  for (const q of questions) assert.ok(['solved', 'gave_up'].includes(q.status));
  // Every sample the server returned is in the database (merged duplicates count their copies).
  const generated = nodes.filter((n) => n.policy !== '');
  assert.equal(
    generated.reduce((sum, n) => sum + n.copies, 0),
    choicesServed(server, supportsN),
  );
  assert.ok(
    generated.every((n) => !n.content.includes('trailing text')),
    'text after the close tag is cut',
  );
  const answers = nodes.filter((n) => n.type === 'answer');
  assert.ok(answers.some((n) => n.verdict === 'correct') && answers.some((n) => n.verdict === 'wrong'));
  assert.equal(
    summary.rollouts,
    questions.reduce((s, q) => s + q.rollouts, 0),
  );
  assert.ok(summary.prompt_tokens > 0 && summary.completion_tokens > 0);
}

test('completions with server-side n: one request per policy call (n-batching)', { timeout: 120_000 }, async () => {
  const { server, summary, dbPath } = await searchAgainst({ name: 'completions-n', endpoint: 'completions', server: { supportsN: true } });
  checkRun(server, summary, dbPath, true);
  assert.equal(summary.requests, summary.policy_calls);
  assert.equal(server.requestCount('/v1/completions'), summary.policy_calls);
  assert.equal(summary.errors, 0);
  const prompt = String(server.requests.find((r) => r.path === '/v1/completions')!.body!.prompt);
  assert.ok(prompt.includes('<|im_start|>user\n'), 'client-side ChatML');
  assert.ok(prompt.includes(problems[0]!.question) || server.requests.some((r) => String(r.body?.prompt).includes(problems[0]!.question)));
});

test('chat without n: the policy fans out, one request per sample', { timeout: 120_000 }, async () => {
  const { server, summary, dbPath } = await searchAgainst({ name: 'chat-fanout', endpoint: 'chat', server: { supportsN: false } });
  checkRun(server, summary, dbPath, false);
  assert.equal(server.requestCount('/v1/chat/completions'), summary.requests);
  assert.ok(summary.requests > 1.5 * summary.policy_calls, `fan-out: ${summary.requests} requests for ${summary.policy_calls} calls`);
  const body = server.requests.find((r) => r.path === '/v1/chat/completions')!.body!;
  assert.equal(body.continue_final_message, true);
});

test(
  '20% faults (500, 429, stalls past the timeout, resets, invalid JSON): the run completes and reports the error counts',
  { timeout: 180_000 },
  async () => {
    const { server, summary, dbPath } = await searchAgainst({
      name: 'faults',
      endpoint: 'completions',
      server: { supportsN: true, failureRate: 0.2, seed: 3, stallMs: 30_000 },
    });
    checkRun(server, summary, dbPath, true);
    const faults = server.failureCounts();
    const total = Object.values(faults).reduce((a, b) => a + b, 0);
    for (const kind of ['500', '429', 'stall', 'reset', 'invalid-json'] as const)
      assert.ok(faults[kind] > 0, `some ${kind} faults happened`);
    assert.equal(summary.errors, total, 'every failed attempt is counted');
    assert.equal(summary.requests, server.requestCount('/v1/completions'));
  },
);

test(
  "a config without an instruction of its own asks for the tags its graph writes (the task's default, renamed)",
  { timeout: 120_000 },
  async () => {
    const server = await startOpenAITestServer({ latencyMs: 1, responder: letterCountResponder });
    servers.push(server);
    const policy = await createOpenAICompatiblePolicy({
      endpoints: [server.baseURL],
      model: 'test-model',
      mode: 'completions',
      template: 'chatml',
      probe: false,
    });
    const base = crashTestConfig();
    const { instruction: _own, ...withoutInstruction } = base;
    const graph = { ...base.graph, double_check: { ...base.graph.double_check!, tag: 'check' } };
    const dbPath = join(mkdtempSync(join(tmpdir(), 'treecot-loopback-')), 'renamed.db');
    await runSearch({
      config: { ...withoutInstruction, graph },
      task: 'letter-count',
      defaultInstruction: LETTER_COUNT_BASE_PROMPT,
      problems: problems.slice(0, 2),
      dbPath,
      policy,
      verify: verifyLetterCount,
    });
    await policy.close?.();
    const stored = readRun(dbPath).run.config as { instruction: string };
    assert.match(stored.instruction, /In <check>, ensure that the steps in <thinking> are correct/);
    assert.doesNotMatch(stored.instruction, /<double-check>/);
    const prompts = server.requests.map((r) => String(r.body?.prompt ?? ''));
    assert.ok(prompts.some((p) => p.includes('In <check>, ensure')) && !prompts.some((p) => p.includes('In <double-check>')));
  },
);
