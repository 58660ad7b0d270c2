/**
 * The loopback OpenAI test server itself (test/helpers/openai-server.ts), over plain fetch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenAITestServer, type FailureKind } from '../helpers/openai-server.ts';

async function post(baseURL: string, path: string, body: unknown): Promise<{ status: number; json?: any; text: string }> {
  const res = await fetch(`${baseURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

test('completions: n choices, stop cut, max_tokens cut, usage; deterministic per prompt and seed', async () => {
  const server = await startOpenAITestServer({ responder: () => ['abc</t>tail', 'abcdefghijklmnop'] });
  try {
    const r = await post(server.baseURL, '/completions', { model: 'm', prompt: 'p', n: 3, stop: ['</t>'], max_tokens: 2 });
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.choices.map((c: { text: string; finish_reason: string }) => [c.text, c.finish_reason]),
      [
        ['abc', 'stop'],
        ['abcdefgh', 'length'],
        ['abc', 'stop'],
      ],
    );
    assert.deepEqual(r.json.usage, { prompt_tokens: 1, completion_tokens: 1 + 2 + 1, total_tokens: 5 });
    assert.equal(server.requestCount('/v1/completions'), 1);
    assert.deepEqual(server.requests[0]!.body, { model: 'm', prompt: 'p', n: 3, stop: ['</t>'], max_tokens: 2 });
  } finally {
    await server.close();
  }
  const plain = await startOpenAITestServer({ supportsN: false });
  try {
    const a = await post(plain.baseURL, '/completions', { model: 'm', prompt: 'same', n: 4, seed: 3 });
    const b = await post(plain.baseURL, '/completions', { model: 'm', prompt: 'same', n: 4, seed: 3 });
    assert.equal(a.json.choices.length, 1, 'n ignored');
    assert.equal(a.json.choices[0].text, b.json.choices[0].text);
    const c = await post(plain.baseURL, '/completions', { model: 'm', prompt: 'same', n: 1 });
    const d = await post(plain.baseURL, '/completions', { model: 'm', prompt: 'same', n: 1 });
    assert.notEqual(c.json.choices[0].text, d.json.choices[0].text, 'unseeded repeats differ');
  } finally {
    await plain.close();
  }
});

test('chat: the responder sees a ChatML prompt ending in the continued assistant text; 400 when continue is off', async () => {
  const seen: string[] = [];
  const server = await startOpenAITestServer({ responder: (r) => (seen.push(r.prompt), ['x']) });
  const messages = [
    { role: 'user', content: 'q' },
    { role: 'assistant', content: '<t>' },
  ];
  try {
    const r = await post(server.baseURL, '/chat/completions', {
      model: 'm',
      messages,
      continue_final_message: true,
      add_generation_prompt: false,
    });
    assert.equal(r.json.choices[0].message.content, 'x');
    assert.equal(seen[0], '<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<t>');
    server.options.supportsContinueFinalMessage = false;
    const refused = await post(server.baseURL, '/chat/completions', { model: 'm', messages, continue_final_message: true });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /continue_final_message/);
    const models = await (await fetch(`${server.baseURL}/models`)).json();
    assert.deepEqual(
      models.data.map((m: { id: string }) => m.id),
      ['test-model'],
    );
  } finally {
    await server.close();
  }
});

test('seeded failure rate: same seed, same faults; schedule first; stall ends at stallMs', async () => {
  async function faults(seed: number): Promise<(FailureKind | undefined)[]> {
    const server = await startOpenAITestServer({ failureRate: 0.5, failureKinds: ['500', '429', 'invalid-json'], seed });
    try {
      for (let i = 0; i < 30; i++) await post(server.baseURL, '/completions', { model: 'm', prompt: String(i) });
      return server.requests.map((r) => r.failure);
    } finally {
      await server.close();
    }
  }
  const a = await faults(1);
  assert.deepEqual(await faults(1), a);
  assert.notDeepEqual(await faults(2), a);
  const failed = a.filter(Boolean).length;
  assert.ok(failed > 5 && failed < 25, `${failed} of 30 failed at rate 0.5`);

  const server = await startOpenAITestServer({ failureSchedule: ['stall', 'reset'], stallMs: 100 });
  try {
    const t0 = Date.now();
    await assert.rejects(post(server.baseURL, '/completions', { model: 'm', prompt: 'p' }));
    assert.ok(Date.now() - t0 >= 90);
    await assert.rejects(post(server.baseURL, '/completions', { model: 'm', prompt: 'p' }));
    assert.equal((await post(server.baseURL, '/completions', { model: 'm', prompt: 'p' })).status, 200);
    assert.deepEqual(server.failureCounts(), { '500': 0, '429': 0, stall: 1, reset: 1, 'invalid-json': 0 });
  } finally {
    await server.close();
  }
});
