/**
 * Wire tests of the OpenAI-compatible policy against the real loopback server.
 */
import { test as nodeTest, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenAITestServer, type OpenAITestServer, type OpenAITestServerOptions } from '../helpers/openai-server.ts';
import { createOpenAICompatiblePolicy, type OpenAICompatiblePolicyOptions, type Transport } from '../../src/policy/index.ts';
import type { CompleteOptions } from '../../src/policy/types.ts';
import { PolicyCallError } from '../../src/core/index.ts';

const servers: OpenAITestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(options: OpenAITestServerOptions = {}): Promise<OpenAITestServer> {
  const s = await startOpenAITestServer(options);
  servers.push(s);
  return s;
}

const fastRetry = { initialDelayMs: 1, maxDelayMs: 5 };

function call(overrides: Partial<CompleteOptions> = {}): CompleteOptions {
  return {
    prompt: { instruction: 'Count the letters. ', question: 'How many r in "strawberry"?', assistantPrefix: '<thinking>Let me' },
    n: 2,
    stop: ['</thinking>'],
    maxTokens: 32,
    temperature: 0.7,
    topP: 0.9,
    seed: 7,
    ...overrides,
  };
}

let transport: Transport = 'node-http';

function policyFor(s: OpenAITestServer | OpenAITestServer[], options: Partial<OpenAICompatiblePolicyOptions> = {}) {
  const list = Array.isArray(s) ? s : [s];
  const model = options.probe === false ? 'test-model' : undefined;
  return createOpenAICompatiblePolicy({
    endpoints: list.map((x) => x.baseURL),
    model,
    template: 'chatml',
    retry: fastRetry,
    transport,
    ...options,
  });
}

// Every test runs with both transports: the lean node:http one (default) and the openai SDK.
const transports: Transport[] = ['node-http', 'sdk'];
const tests: [string, () => Promise<void>][] = [];
const test = (name: string, fn: () => Promise<void>) => tests.push([name, fn]);

test('completions request body: client-side ChatML, sampling fields, n and seed', async () => {
  const s = await server();
  const policy = await policyFor(s, { probe: false, model: 'm1' });
  const result = await policy.doComplete(call());
  assert.equal(s.requestCount(), 1);
  assert.deepEqual(s.requests[0]!.body, {
    model: 'm1',
    max_tokens: 32,
    temperature: 0.7,
    top_p: 0.9,
    n: 2,
    stop: ['</thinking>'],
    seed: 7,
    prompt: '<|im_start|>user\nCount the letters. How many r in "strawberry"?<|im_end|>\n<|im_start|>assistant\n<thinking>Let me',
  });
  assert.equal(result.completions.length, 2);
  assert.equal(result.requests, 1);
  assert.ok(result.usage.promptTokens > 0 && result.usage.completionTokens > 0);
  assert.deepEqual(policy.stats()[0], {
    endpoint: s.baseURL,
    requests: 1,
    errors: 0,
    outstanding: 0,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
  });
});

test('chat request body: final assistant turn continued (vLLM continue_final_message)', async () => {
  const s = await server({ responder: (r) => [r.prompt.endsWith('<thinking>Let me') ? ' count.</thinking>tail' : 'wrong'] });
  const policy = await policyFor(s, { mode: 'chat' });
  const probeRequests = s.requestCount();
  const result = await policy.doComplete(call({ n: 1, seed: undefined }));
  const body = s.requests[probeRequests]!.body;
  assert.deepEqual(body, {
    model: 'test-model',
    max_tokens: 32,
    temperature: 0.7,
    top_p: 0.9,
    stop: ['</thinking>'],
    messages: [
      { role: 'user', content: 'Count the letters. How many r in "strawberry"?' },
      { role: 'assistant', content: '<thinking>Let me' },
    ],
    continue_final_message: true,
    add_generation_prompt: false,
  });
  assert.deepEqual(result.completions, [{ text: ' count.', finishReason: 'stop' }]);
});

test('chat mode is refused with a clear error when the server rejects continue_final_message', async () => {
  const s = await server({ supportsContinueFinalMessage: false });
  await assert.rejects(policyFor(s, { mode: 'chat' }), /rejects continue_final_message.*--mode completions/);
  // the 400 was not retried
  assert.equal(s.requests.filter((r) => r.body?.continue_final_message === true).length, 1);
});

test('n honoured: one request per call; n ignored: probe detects it and calls fan out', async () => {
  const withN = await server({ supportsN: true });
  const p1 = await policyFor(withN);
  assert.equal(p1.probes[0]!.supportsN, true);
  withN.reset();
  const r1 = await p1.doComplete(call({ n: 4 }));
  assert.equal(withN.requestCount('/v1/completions'), 1);
  assert.equal(r1.requests, 1);
  assert.equal(r1.completions.length, 4);

  const withoutN = await server({ supportsN: false });
  const p2 = await policyFor(withoutN);
  assert.equal(p2.probes[0]!.supportsN, false);
  withoutN.reset();
  const r2 = await p2.doComplete(call({ n: 4 }));
  assert.equal(withoutN.requestCount('/v1/completions'), 4);
  assert.equal(r2.requests, 4);
  assert.equal(r2.completions.length, 4);
  // every fanned-out request asks for one choice, with its own seed
  assert.deepEqual(
    withoutN.requests.map((r) => r.body?.n ?? 1),
    [1, 1, 1, 1],
  );
  assert.deepEqual(
    withoutN.requests.map((r) => Number(r.body?.seed)).sort((a, b) => a - b),
    [7, 8, 9, 10],
  );
  // seeded sub-requests give different texts (the server's generator is keyed on the seed)
  assert.ok(new Set(r2.completions.map((c) => c.text)).size > 1);
});

test('probe reports logprobs support when asked', async () => {
  const withLogprobs = await server({ supportsLogprobs: true });
  assert.equal((await policyFor(withLogprobs, { probeLogprobs: true })).probes[0]!.supportsLogprobs, true);
  const without = await server({ supportsLogprobs: false });
  const probed = await policyFor(without, { probeLogprobs: true });
  assert.equal(probed.probes[0]!.supportsLogprobs, false);
  assert.equal((await policyFor(without)).probes[0]!.supportsLogprobs, undefined);
});

test('without a probe, a short answer is topped up with n = 1 requests', async () => {
  const s = await server({ supportsN: false });
  const policy = await policyFor(s, { probe: false });
  const result = await policy.doComplete(call({ n: 3 }));
  assert.equal(result.completions.length, 3);
  assert.equal(s.requestCount('/v1/completions'), 3);
  assert.equal(policy.describe().endpoints && (policy.describe().endpoints as { supportsN: boolean }[])[0]!.supportsN, false);
});

test('retries 500, 429, reset, invalid JSON and a stall past the timeout, then succeeds', async () => {
  const s = await server({ failureSchedule: ['500', '429', 'reset', 'invalid-json', 'stall'] });
  const policy = await policyFor(s, { probe: false, timeoutMs: 1000, retry: { ...fastRetry, maxRetries: 5 } });
  const result = await policy.doComplete(call({ n: 2 }));
  assert.equal(result.completions.length, 2);
  assert.equal(s.requestCount('/v1/completions'), 6);
  assert.equal(result.requests, 6);
  assert.deepEqual(s.failureCounts(), { '500': 1, '429': 1, reset: 1, 'invalid-json': 1, stall: 1 });
  const stats = policy.stats()[0]!;
  assert.equal(stats.requests, 6);
  assert.equal(stats.errors, 5);
});

test('an HTTP 200 with empty choices is a counted, retried failure, not zero samples (n = 1 and n = 2)', async () => {
  for (const n of [1, 2]) {
    const s = await server({ failureSchedule: ['empty-choices', 'empty-choices'] });
    const policy = await policyFor(s, { probe: false, retry: { ...fastRetry, maxRetries: 3 } });
    const result = await policy.doComplete(call({ n }));
    assert.equal(result.completions.length, n);
    assert.equal(s.requestCount('/v1/completions'), 3, `n = ${n}`);
    assert.deepEqual(s.failureCounts()['empty-choices'], 2);
    const stats = policy.stats()[0]!;
    assert.equal(stats.errors, 2, 'each empty answer is counted as a failed request');
    await s.close();
  }
  // Retries run out: one error naming the cause on every attempt.
  const s = await server({ failureRate: 1, failureKinds: ['empty-choices'] });
  const policy = await policyFor(s, { probe: false, retry: { ...fastRetry, maxRetries: 1 } });
  const error = await policy.doComplete(call()).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(PolicyCallError.isInstance(error));
  for (const a of (error as PolicyCallError).attempts) assert.match(a, /HTTP 200 with an empty choices array/);
});

test('retries run out: one PolicyCallError listing every attempt', async () => {
  const s = await server({ failureRate: 1, failureKinds: ['500'] });
  const policy = await policyFor(s, { probe: false, retry: { ...fastRetry, maxRetries: 2 } });
  const error = await policy.doComplete(call()).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(PolicyCallError.isInstance(error));
  const attempts = (error as PolicyCallError).attempts;
  assert.equal(attempts.length, 3);
  for (const a of attempts) assert.match(a, /HTTP 500: injected internal error/);
  assert.equal(s.requestCount(), 3);
});

test('retry-after is honoured on 429', async () => {
  const s = await server({ failureSchedule: ['429'], retryAfterMs: 400 });
  const policy = await policyFor(s, { probe: false });
  await policy.doComplete(call());
  assert.equal(s.requestCount(), 2);
  const gap = s.requests[1]!.receivedAt - s.requests[0]!.receivedAt;
  assert.ok(gap >= 390, `second attempt came ${gap} ms after the first, retry-after was 400 ms`);
});

test('an aborted call is not retried', async () => {
  const s = await server({ latencyMs: 300 });
  const policy = await policyFor(s, { probe: false });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(policy.doComplete(call({ signal: controller.signal })), (e: Error) => e.name === 'AbortError');
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(s.requestCount(), 1);
});

test('least-outstanding balancing sends more work to the faster of two servers', async () => {
  const fast = await server({ latencyMs: 5 });
  const slow = await server({ latencyMs: 150 });
  const policy = await policyFor([fast, slow], { probe: false, concurrency: 4 });
  await Promise.all(Array.from({ length: 60 }, () => policy.doComplete(call({ n: 1 }))));
  const f = fast.requestCount();
  const sl = slow.requestCount();
  assert.equal(f + sl, 60);
  assert.ok(sl >= 2, `slow server got ${sl}`);
  assert.ok(f > 2 * sl, `fast ${f} vs slow ${sl}`);
  assert.deepEqual(
    policy.stats().map((x) => x.requests),
    [f, sl],
  );
});

test('API key: read from the named environment variable, sent as Bearer, never stored or reported', async () => {
  const secret = 'sk-test-SECRET-4242';
  const s = await server({ failureSchedule: [null, '500'] });
  const policy = await policyFor(s, {
    apiKeyEnv: 'TREECOT_TEST_KEY',
    env: { TREECOT_TEST_KEY: secret },
    retry: { ...fastRetry, maxRetries: 0 },
  });
  for (const r of s.requests) assert.equal(r.headers.authorization, `Bearer ${secret}`);
  const error = await policy.doComplete(call()).catch((e: unknown) => e);
  assert.ok(error instanceof Error);
  const visible = JSON.stringify([
    policy.describe(),
    policy.probes,
    policy.stats(),
    policy.modelId,
    (error as Error).message,
    (error as PolicyCallError).attempts,
  ]);
  assert.ok(visible.includes('TREECOT_TEST_KEY'));
  assert.ok(!visible.includes(secret));
  assert.ok(!JSON.stringify(policy).includes(secret));

  await assert.rejects(policyFor(s, { apiKeyEnv: 'TREECOT_UNSET_KEY', env: {} }), /TREECOT_UNSET_KEY.*not set/);
  const noKey = await server();
  await policyFor(noKey);
  assert.equal(noKey.requests[0]!.headers.authorization, undefined);
});

for (const t of transports) {
  describe(`transport ${t}`, () => {
    for (const [name, fn] of tests) {
      nodeTest(name, async () => {
        transport = t;
        await fn();
      });
    }
  });
}
