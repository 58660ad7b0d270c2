/**
 * A real OpenAI-compatible server: llama-cpp-python's `python -m llama_cpp.server` (built from its
 * PyPI sdist) serves the built-in model on 127.0.0.1. `treecot search` and `treecot eval` run
 * against it and in-process (`--gguf`, node-llama-cpp) at temperature 0 on the same questions:
 * the verdict counts must be equal. The server gets the model through export-hf -> import-hf, so
 * its GGUF carries treecot's chat template (`tokenizer.chat_template`) for chat mode. Also: the
 * capability probe's `n` finding, stop strings, seeds, and the context-length error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ContextLengthError } from '../../src/core/index.ts';
import { createPolicies, probeEndpoint } from '../../src/policy/index.ts';
import { BUILTIN_CONFIG, BUILTIN_GGUF, freshDir, writeQuestions } from './fixture.ts';
import { PYTHON, treecot } from './python.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Start the server and wait until /v1/models answers (model load is quick; Python imports are not). */
async function startServer(model: string, port: number, contextSize: number): Promise<{ child: ChildProcess; log: () => string }> {
  let log = '';
  const child = spawn(
    PYTHON,
    [
      '-m',
      'llama_cpp.server',
      '--model',
      model,
      '--model_alias',
      'builtin',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--n_ctx',
      String(contextSize),
      '--n_threads',
      '1',
      '--n_threads_batch',
      '1',
      '--flash_attn',
      'false',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 5 * 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`llama_cpp.server exited ${child.exitCode}:\n${log.slice(-3000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/models`);
      if (res.ok) return { child, log: () => log };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  throw new Error(`llama_cpp.server did not answer within 5 minutes:\n${log.slice(-3000)}`);
}

interface SearchSummary {
  questions: number;
  solved: number;
  rollouts: number;
  correct_rollouts: number;
  nodes: number;
  requests: number;
  policy_calls: number;
  completion_tokens: number;
  context_exceeded: number;
  wall_s: number;
}
interface EvalSummary {
  questions: number;
  accuracy: number;
  no_answer_rate: number;
}

function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

const VERDICT_KEYS = ['questions', 'solved', 'rollouts', 'correct_rollouts', 'nodes', 'context_exceeded'] as const;

test(
  'llama-cpp-python server: search and eval agree with the in-process run at temperature 0; n, stop, seed, context length',
  { timeout: 40 * 60_000 },
  async (t) => {
    const dir = freshDir('llama-server');
    const hf = join(dir, 'hf');
    await treecot(['export-hf', BUILTIN_GGUF, '--out', hf]);
    // Context 512 for both runs: llama-cpp-python 0.3.36 answers HTTP 500 ("could not broadcast input
    // array from shape (2,) into shape (0,)") when prompt + generation reach n_ctx, which the built-in
    // model's 128 tokens often do; in-process treecot stops there with finish reason `length`.
    const hfConfig = JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(hf, 'config.json'), JSON.stringify({ ...hfConfig, max_position_embeddings: 512 }));
    const model = join(dir, 'builtin-chat.gguf');
    await treecot(['import-hf', hf, '--out', model]);
    const questions = writeQuestions(join(dir, 'questions.jsonl'), 6, 21);
    // Temperature 0 (greedy), fewer rollouts: the same search config otherwise.
    const config = parse(readFileSync(BUILTIN_CONFIG, 'utf8')) as { sampling: Record<string, unknown>; search: Record<string, unknown> };
    config.sampling.temperature = 0;
    config.search.max_rollouts = 8;
    const configFile = join(dir, 'greedy.yaml');
    writeFileSync(configFile, stringify(config));
    // The in-process policy uses the model's context per sequence (512 here); the server the same.
    const port = await freePort();
    const { child, log } = await startServer(model, port, 512);
    const url = `http://127.0.0.1:${port}/v1`;
    try {
      // Capability probe: what llama-cpp-python does with n, and with continue_final_message.
      const probe = await probeEndpoint({ baseURL: url, mode: 'chat', checkChatContinue: true, checkLogprobs: true });
      const raw = (await (
        await fetch(`${url}/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'builtin', prompt: 'How many a in banana?', max_tokens: 2, temperature: 1, n: 3 }),
        })
      ).json()) as { choices: unknown[] };
      t.diagnostic(
        `probe: ${JSON.stringify({ supportsN: probe.supportsN, supportsChatContinue: probe.supportsChatContinue, supportsLogprobs: probe.supportsLogprobs })}; n=3 gave ${raw.choices.length} choice(s)`,
      );
      assert.equal(probe.supportsN, raw.choices.length >= 2, 'the probe reports what the server does with n');

      const common = [
        '--config',
        configFile,
        '--task',
        'letter-count',
        '--data',
        questions,
        '--concurrency',
        '1',
        '--no-progress',
        '--json',
      ];
      const inProcess = lastJson<SearchSummary>(await treecot(['search', ...common, '--out', join(dir, 'in-process.db'), '--gguf', model]));
      const completions = lastJson<SearchSummary>(
        await treecot([
          'search',
          ...common,
          '--out',
          join(dir, 'server-completions.db'),
          '--policy',
          url,
          '--mode',
          'completions',
          '--template',
          'raw',
        ]),
      );
      const chat = lastJson<SearchSummary>(
        await treecot(['search', ...common, '--out', join(dir, 'server-chat.db'), '--policy', url, '--mode', 'chat']),
      );
      const pick = (s: SearchSummary) => Object.fromEntries(VERDICT_KEYS.map((k) => [k, s[k]]));
      for (const [name, s] of [
        ['in-process', inProcess],
        ['server completions', completions],
        ['server chat', chat],
      ] as const) {
        t.diagnostic(
          `search ${name}: ${JSON.stringify(pick(s))}; ${s.policy_calls} policy calls, ${s.requests} requests, ${s.completion_tokens} generated tokens in ${s.wall_s.toFixed(1)} s = ${(s.policy_calls / s.wall_s).toFixed(1)} calls/s, ${(s.requests / s.wall_s).toFixed(1)} requests/s, ${(s.completion_tokens / s.wall_s).toFixed(0)} tokens/s`,
        );
      }
      assert.deepEqual(pick(completions), pick(inProcess), 'completions mode: same verdict counts as in-process');
      assert.deepEqual(pick(chat), pick(inProcess), 'chat mode: same verdict counts as in-process');
      if (!probe.supportsN)
        assert.ok(completions.requests > completions.policy_calls, 'without n, calls fan out into one request per completion');

      // The built-in model's prompt format: the search config's empty instruction.
      const evalArgs = ['--task', 'letter-count', '--data', questions, '--search-config', BUILTIN_CONFIG, '--max-tokens', '96', '--json'];
      const evalInProcess = lastJson<EvalSummary>(await treecot(['eval', ...evalArgs, '--gguf', model]));
      const evalServer = lastJson<EvalSummary>(await treecot(['eval', ...evalArgs, '--policy', url, '--template', 'raw']));
      // Chat mode: the server applies the GGUF's chat template (treecot's, written by export-hf).
      const evalChat = lastJson<EvalSummary>(await treecot(['eval', ...evalArgs, '--policy', url, '--mode', 'chat']));
      t.diagnostic(
        `eval in-process accuracy ${evalInProcess.accuracy}, no-answer ${evalInProcess.no_answer_rate}; server completions ${evalServer.accuracy}, ${evalServer.no_answer_rate}; server chat ${evalChat.accuracy}, ${evalChat.no_answer_rate}`,
      );
      assert.ok(evalInProcess.no_answer_rate < 1, 'the model answers in its own prompt format');
      for (const [mode, summary] of [
        ['completions', evalServer],
        ['chat', evalChat],
      ] as const) {
        assert.deepEqual(
          [summary.questions, summary.accuracy, summary.no_answer_rate],
          [evalInProcess.questions, evalInProcess.accuracy, evalInProcess.no_answer_rate],
          `eval against the server in ${mode} mode equals in-process`,
        );
      }

      // Direct policy calls: stop strings, seeds, the context-length error.
      const { policy, close } = await createPolicies({ policy: [url], template: 'raw', mode: 'completions', retry: { maxRetries: 0 } });
      const local = await createPolicies({ gguf: model });
      try {
        const prompt = { instruction: '', question: 'How many r and y in strawberry?', assistantPrefix: '<sub-task>' };
        const greedy = { prompt, n: 1, stop: ['</sub-task>'], maxTokens: 24, temperature: 0, topP: 1 };
        const [a, b] = await Promise.all([policy.doComplete(greedy), local.policy.doComplete(greedy)]);
        assert.equal(a.completions[0]!.text, b.completions[0]!.text, 'greedy text with a stop string equals in-process');
        assert.ok(!a.completions[0]!.text.includes('</sub-task>'));
        const sampled = { ...greedy, stop: [], temperature: 1, maxTokens: 24, n: 2 };
        const s1 = await policy.doComplete({ ...sampled, seed: 42 });
        const s2 = await policy.doComplete({ ...sampled, seed: 42 });
        const s3 = await policy.doComplete({ ...sampled, seed: 4242 });
        t.diagnostic(
          `seeded samples: ${JSON.stringify(s1.completions.map((c) => c.text))} / seed 4242: ${JSON.stringify(s3.completions.map((c) => c.text))}`,
        );
        assert.equal(s1.completions.length, 2);
        assert.deepEqual(s2.completions, s1.completions, 'same seed, same samples');
        assert.notDeepEqual(s3.completions, s1.completions, 'another seed, other samples');
        const long = { ...greedy, prompt: { ...prompt, question: 'x'.repeat(700) } };
        await assert.rejects(policy.doComplete(long), (e: unknown) => ContextLengthError.isContextLength(e));
        await assert.rejects(local.policy.doComplete(long), (e: unknown) => ContextLengthError.isContextLength(e));
      } finally {
        await close();
        await local.close();
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- server log (end) ---\n${log().slice(-2000)}`, { cause: error });
    } finally {
      child.kill();
    }
  },
);
