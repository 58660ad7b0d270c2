/**
 * Chat templates without guessing, against the real loopback OpenAI-wire server: the exact prompt
 * bytes sent to /v1/completions for ChatML and Llama 3 (--template), Mistral (found offline in a
 * Hugging Face cache entry for the served model id), and a model folder with chat_template.jinja
 * (with --template-kwargs); the refusal when no template can be found (no generation request is
 * sent); chat mode carrying chat_template_kwargs and --extra-body fields in the request body.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ConfigError } from '../../src/core/index.ts';
import { createOpenAICompatiblePolicy, type CompleteOptions, type OpenAICompatiblePolicyOptions } from '../../src/policy/index.ts';
import { startOpenAITestServer, type OpenAITestServer } from '../helpers/openai-server.ts';

const root = mkdtempSync(join(tmpdir(), 'treecot-templates-'));
const servers: OpenAITestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const call: CompleteOptions = {
  prompt: { instruction: 'Count the letters. ', question: 'How many r in "strawberry"?', assistantPrefix: '<thinking>Let me' },
  n: 1,
  stop: ['</thinking>'],
  maxTokens: 16,
  temperature: 0,
  topP: 1,
  seed: 1,
};
const user = 'Count the letters. How many r in "strawberry"?';

/** Mistral-7B-Instruct's template (tokenizer_config.json of the v0.1/v0.2 releases). */
const MISTRAL_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
  "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

/** A Qwen3-style chat_template.jinja with the enable_thinking switch. */
const QWEN3_LIKE_TEMPLATE =
  "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- if enable_thinking is defined and enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}{%- endif %}";

/** A Hugging Face hub cache holding one model, laid out as huggingface_hub writes it. */
function hubCacheWith(modelId: string, files: Record<string, string>, cache = join(root, `hub-${modelId.replace('/', '-')}`)): string {
  const repo = join(cache, `models--${modelId.replace('/', '--')}`);
  const snapshot = join(repo, 'snapshots', '0123abcd');
  mkdirSync(snapshot, { recursive: true });
  mkdirSync(join(repo, 'refs'), { recursive: true });
  writeFileSync(join(repo, 'refs', 'main'), '0123abcd');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(snapshot, name), text);
  return cache;
}

async function promptSent(
  serverModels: string[],
  options: Partial<OpenAICompatiblePolicyOptions>,
): Promise<{ body: Record<string, unknown>; server: OpenAITestServer; describe: Record<string, unknown> }> {
  const server = await startOpenAITestServer({ models: serverModels });
  servers.push(server);
  const policy = await createOpenAICompatiblePolicy({
    endpoints: [server.baseURL],
    env: { HF_HUB_CACHE: join(root, 'empty-hub') },
    ...options,
  });
  await policy.doComplete(call);
  const generation = server.requests.filter((r) => r.path === '/v1/completions' || r.path === '/v1/chat/completions').at(-1);
  assert.ok(generation?.body, 'no generation request recorded');
  return { body: generation.body, server, describe: policy.describe() as Record<string, unknown> };
}

test('--template chatml: exact prompt bytes', async () => {
  const { body } = await promptSent(['test-model'], { template: 'chatml' });
  assert.equal(body.prompt, `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n<thinking>Let me`);
});

test('--template llama3: exact prompt bytes', async () => {
  const { body } = await promptSent(['test-model'], { template: 'llama3' });
  assert.equal(
    body.prompt,
    `<|start_header_id|>user<|end_header_id|>\n\n${user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n<thinking>Let me`,
  );
});

test('Mistral: the served model id is found in the Hugging Face cache; BOS is left to the server', async () => {
  const cache = hubCacheWith('mistralai/Mistral-7B-Instruct-v0.2', {
    'tokenizer_config.json': JSON.stringify({ bos_token: '<s>', eos_token: '</s>', chat_template: MISTRAL_TEMPLATE }),
  });
  const { body, describe } = await promptSent(['mistralai/Mistral-7B-Instruct-v0.2'], { env: { HF_HUB_CACHE: cache } });
  assert.equal(body.prompt, `[INST] ${user} [/INST]<thinking>Let me`);
  assert.equal(describe.templateSource, 'Hugging Face cache');
  // Without HF_HUB_CACHE, $HF_HOME/hub is where huggingface_hub keeps the cache.
  const home = join(root, 'hf-home');
  hubCacheWith(
    'mistralai/Mistral-7B-Instruct-v0.2',
    { 'tokenizer_config.json': JSON.stringify({ bos_token: '<s>', chat_template: MISTRAL_TEMPLATE }) },
    join(home, 'hub'),
  );
  const viaHome = await promptSent(['x'], { model: 'mistralai/Mistral-7B-Instruct-v0.2', env: { HF_HOME: home } });
  assert.equal(viaHome.body.prompt, `[INST] ${user} [/INST]<thinking>Let me`);
});

test('a model folder with chat_template.jinja, with --template-kwargs', async () => {
  const folder = join(root, 'qwen3-like');
  mkdirSync(folder);
  writeFileSync(join(folder, 'chat_template.jinja'), QWEN3_LIKE_TEMPLATE);
  writeFileSync(join(folder, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|im_end|>' }));
  const expectedOff = `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n<thinking>Let me`;
  // As --template DIR:
  const asTemplate = await promptSent(['served-name'], { template: folder, templateKwargs: { enable_thinking: false } });
  assert.equal(asTemplate.body.prompt, expectedOff);
  // As the served model's own folder (vllm serve /path/to/model lists the path as its id):
  const asModel = await promptSent([folder], {});
  assert.equal(asModel.body.prompt, `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n<thinking>Let me`);
  assert.equal(asModel.describe.templateSource, 'model folder');
  // Built-in templates have no options: refused, not ignored.
  await assert.rejects(
    promptSent(['m'], { template: 'chatml', templateKwargs: { enable_thinking: false } }),
    /--template-kwargs.*built-in chatml template has no options/,
  );
});

test('no template anywhere: refused with the options named, before any generation request', async () => {
  const server = await startOpenAITestServer({ models: ['meta-llama/Llama-3.2-1B-Instruct'] });
  servers.push(server);
  const cache = join(root, 'no-such-hub');
  await assert.rejects(
    createOpenAICompatiblePolicy({ endpoints: [server.baseURL], model: 'meta-llama/Llama-3.2-1B-Instruct', env: { HF_HUB_CACHE: cache } }),
    (error: unknown) => {
      assert.ok(ConfigError.isInstance(error));
      const message = (error as Error).message;
      for (const needle of [
        'meta-llama/Llama-3.2-1B-Instruct',
        '--template chatml|llama3|raw',
        'chat_template.jinja',
        'model folder',
        cache,
        '--mode chat',
        'does not guess',
      ]) {
        assert.ok(message.includes(needle), `refusal lacks "${needle}": ${message}`);
      }
      return true;
    },
  );
  // With the model id given, the template is resolved before the endpoint is even probed.
  assert.equal(server.requests.length, 0);
});

test('chat mode: template kwargs travel as chat_template_kwargs; --extra-body fields are merged last', async () => {
  const { body } = await promptSent(['test-model'], {
    mode: 'chat',
    templateKwargs: { enable_thinking: false },
    extraBody: { top_k: 20, min_p: 0.05, skip_special_tokens: false },
  });
  assert.deepEqual(body.chat_template_kwargs, { enable_thinking: false });
  assert.equal(body.top_k, 20);
  assert.equal(body.min_p, 0.05);
  assert.equal(body.skip_special_tokens, false);
  assert.equal(body.continue_final_message, true);
});

test('CLI: eval refuses a served model without a template and names the options; bad --extra-body JSON names the flag', async () => {
  const server = await startOpenAITestServer({ models: ['some-org/unknown-model'] });
  servers.push(server);
  const data = join(root, 'q.json');
  writeFileSync(data, JSON.stringify([{ id: 'a', problem: 'How many r in strawberry?', solution: 3 }]));
  const bin = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));
  const run = async (extra: string[]) => {
    try {
      await promisify(execFile)(
        process.execPath,
        [bin, 'eval', '--task', 'letter-count', '--data', data, '--policy', server.baseURL, ...extra],
        {
          env: { ...process.env, HF_HUB_CACHE: join(root, 'cli-empty-hub'), HF_HOME: '' },
        },
      );
      return { code: 0, stderr: '' };
    } catch (error) {
      const e = error as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr };
    }
  };
  const refused = await run([]);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /no chat template found for model "some-org\/unknown-model".*--mode chat/);
  const badJson = await run(['--template', 'chatml', '--extra-body', '{top_k: 20}']);
  assert.equal(badJson.code, 1);
  assert.match(badJson.stderr, /field "--extra-body": not valid JSON/);
});
