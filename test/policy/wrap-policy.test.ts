/**
 * wrapPolicy and the wrappers built on it: every wrapper forwards identity, `close` and `stats`;
 * a call aborted while it waits never reaches the back-end; failed retries keep their error
 * objects (`errors`, `cause`), down to a refused capability probe.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pLimit from 'p-limit';
import { startOpenAITestServer, type OpenAITestServer } from '../helpers/openai-server.ts';
import {
  ScriptedPolicy,
  PolicyRequestError,
  createOpenAICompatiblePolicy,
  probeEndpoint,
  withBalancing,
  withConcurrencyLimit,
  withFanOut,
  withRetries,
  wrapPolicy,
  type CompleteOptions,
  type EndpointStats,
  type Policy,
} from '../../src/policy/index.ts';
import { PolicyCallError } from '../../src/core/index.ts';

const servers: OpenAITestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const call = (overrides: Partial<CompleteOptions> = {}): CompleteOptions => ({
  prompt: { instruction: '', question: 'q', assistantPrefix: '<answer>' },
  n: 1,
  stop: ['</answer>'],
  maxTokens: 8,
  temperature: 1,
  topP: 1,
  ...overrides,
});

/** A scripted policy that also has `close` and `stats`, counting what reaches it. */
class CountingPolicy extends ScriptedPolicy {
  closed = 0;
  constructor(
    readonly name: string,
    latencyMs = 0,
  ) {
    super({ modelId: name, latencyMs, respond: () => name });
  }
  async close(): Promise<void> {
    this.closed++;
  }
  stats(): EndpointStats[] {
    return [{ endpoint: this.name, requests: this.callCount, errors: 0, outstanding: 0, promptTokens: 0, completionTokens: 0 }];
  }
}

const wrappers: [string, (p: Policy, q: Policy) => Policy][] = [
  ['withRetries', (p) => withRetries(p)],
  ['withFanOut', (p) => withFanOut(p)],
  ['withConcurrencyLimit', (p) => withConcurrencyLimit(p, 2)],
  ['withBalancing', (p, q) => withBalancing([p, q])],
  ['wrapPolicy', (p) => wrapPolicy(p, (options, next) => next(options))],
];

for (const [name, wrap] of wrappers) {
  test(`${name} forwards modelId, close and stats (and has neither when the inner policy has neither)`, async () => {
    const a = new CountingPolicy('a');
    const b = new CountingPolicy('b');
    const wrapped = wrap(a, b);
    assert.equal(wrapped.modelId, 'a');
    assert.equal(wrapped.provider, 'scripted');
    assert.equal((await wrapped.doComplete(call({ n: 2 }))).completions.length, 2);
    await wrapped.close!();
    assert.equal(a.closed, 1);
    assert.equal(b.closed, name === 'withBalancing' ? 1 : 0);
    const endpoints = wrapped.stats!().map((s) => s.endpoint);
    assert.deepEqual(endpoints, name === 'withBalancing' ? ['a', 'b'] : ['a']);
    assert.equal(
      wrapped.stats!().reduce((sum, s) => sum + s.requests, 0),
      name === 'withFanOut' ? 2 : 1,
    );

    const bare = wrap(new ScriptedPolicy({ respond: () => 'x' }), new ScriptedPolicy({ respond: () => 'y' }));
    assert.equal(bare.close, undefined);
    assert.equal(bare.stats, undefined);
  });
}

test('a policy listed twice in a balancer is closed once and reported once', async () => {
  const a = new CountingPolicy('a');
  const balanced = withBalancing([a, a]);
  await balanced.close!();
  assert.equal(a.closed, 1);
  assert.deepEqual(
    balanced.stats!().map((s) => s.endpoint),
    ['a'],
  );
});

test('a call aborted while it waits for a slot never reaches the policy; a shared limit bounds several policies together', async () => {
  const a = new CountingPolicy('a', 30);
  const b = new CountingPolicy('b', 30);
  const shared = pLimit(1);
  const [boundA, boundB] = [withConcurrencyLimit(a, shared), withConcurrencyLimit(b, shared)];
  const first = boundA.doComplete(call());
  const controller = new AbortController();
  const queued = boundB.doComplete(call({ signal: controller.signal }));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(b.callCount, 0, 'b waits: the one slot is shared with a');
  controller.abort(new Error('stopped by the test'));
  await first;
  await assert.rejects(queued, /stopped by the test/);
  assert.equal(b.callCount, 0);
  assert.throws(() => withConcurrencyLimit(a, 0), /field "concurrency".*got 0/);
});

test("retries that run out keep every attempt's error object; cause is the last", async () => {
  const s = await startOpenAITestServer({ failureRate: 1, failureKinds: ['500'] });
  servers.push(s);
  const policy = await createOpenAICompatiblePolicy({
    endpoints: [s.baseURL],
    probe: false,
    model: 'm',
    template: 'chatml',
    retry: { initialDelayMs: 1, maxDelayMs: 2, maxRetries: 2 },
  });
  const error = await policy.doComplete(call()).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e as PolicyCallError,
  );
  assert.ok(PolicyCallError.isInstance(error));
  assert.equal(error.errors.length, 3);
  for (const e of error.errors) {
    assert.ok(e instanceof PolicyRequestError);
    assert.equal(e.status, 500);
    assert.equal(e.url, `${s.baseURL}/completions`);
  }
  assert.equal(error.cause, error.errors[2]);
  assert.deepEqual(
    error.attempts,
    error.errors.map((e, i) => `attempt ${i + 1}: ${(e as Error).message}`),
  );
});

test('a capability probe the server refuses keeps the refusal as its cause', async () => {
  const refusing = createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET') return res.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model' }] }));
    res.statusCode = 403;
    res.end(JSON.stringify({ error: { message: 'generation is not allowed for this key' } }));
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
  const baseURL = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/v1`;
  const error = await probeEndpoint({ baseURL, mode: 'completions' }).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e as PolicyCallError,
  );
  assert.match(error.message, /capability probe failed: .*HTTP 403: generation is not allowed/);
  assert.equal(error.status, 403);
  assert.ok(error.cause instanceof PolicyCallError);
  assert.equal((error.cause as PolicyCallError).status, 403);
});
