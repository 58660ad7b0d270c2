/**
 * createPolicies: main and special policies from command-line style specs.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenAITestServer, type OpenAITestServer } from '../helpers/openai-server.ts';
import { createPolicies } from '../../src/policy/index.ts';
import type { CompleteOptions } from '../../src/policy/types.ts';
import { ConfigError } from '../../src/core/index.ts';

const servers: OpenAITestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function server(models: string[]): Promise<OpenAITestServer> {
  const s = await startOpenAITestServer({ models });
  servers.push(s);
  return s;
}

const call: CompleteOptions = {
  prompt: { instruction: '', question: 'q', assistantPrefix: '<answer>' },
  n: 2,
  stop: ['</answer>'],
  maxTokens: 8,
  temperature: 1,
  topP: 1,
};

test('special policy goes to its own server; without one it is the main policy', async () => {
  const main = await server(['main-model']);
  const special = await server(['special-model']);
  const secret = 'sk-never-stored-1';
  const policies = await createPolicies({
    policy: [main.baseURL],
    specialPolicy: [special.baseURL],
    apiKeyEnv: 'TREECOT_KEY',
    env: { TREECOT_KEY: secret },
    template: 'llama3',
  });
  assert.equal(policies.policy.modelId, 'main-model');
  assert.equal(policies.specialPolicy.modelId, 'special-model');
  main.reset();
  special.reset();
  await policies.specialPolicy.doComplete(call);
  assert.equal(special.requestCount('/v1/completions'), 1);
  assert.equal(main.requestCount(), 0);
  assert.match(String(special.requests[0]!.body?.prompt), /^<\|start_header_id\|>user/);
  const described = JSON.stringify(policies.describe());
  assert.ok(described.includes('special-model') && described.includes('TREECOT_KEY'));
  assert.ok(!described.includes(secret));
  await policies.close();

  const single = await createPolicies({ policy: [main.baseURL], template: 'chatml' });
  assert.equal(single.specialPolicy, single.policy);
  assert.equal(single.describe().specialPolicy, 'same');
});

test('bad specs fail with ConfigError naming the option', async () => {
  await assert.rejects(createPolicies({}), (e: unknown) => e instanceof ConfigError && /field "policy".*exactly one/.test(e.message));
  await assert.rejects(createPolicies({ policy: ['http://x/v1'], gguf: 'm.gguf' }), /exactly one/);
  await assert.rejects(
    createPolicies({ policy: ['gpu1:8000'] }),
    (e: unknown) => e instanceof ConfigError && /field "policy".*URLs or one \.gguf/.test(e.message),
  );
  await assert.rejects(
    createPolicies({ gguf: '/nonexistent/model.gguf' }),
    (e: unknown) => e instanceof ConfigError && /model\.gguf.*not found/.test(e.message),
  );
  const main = await server(['m']);
  await assert.rejects(
    createPolicies({ policy: [main.baseURL], template: 'chatml', specialPolicy: ['a.gguf', 'b.gguf'] }),
    /field "special-policy"/,
  );
});
