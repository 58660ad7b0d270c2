/**
 * llama.cpp's own warnings in treecot's terminal: the context-overflow warning
 * (`n_ctx_seq (256) > n_ctx_train (128)`) is explained once in treecot's words, other warnings keep
 * a `llama.cpp` prefix and print once, info lines are dropped; llama.cpp's KV-cache padding of a
 * context asked at the trained size is not reported. The last test loads the shipped built-in model
 * (trained on 128 tokens) twice with a 256-token context, and the student at its trained 384 tokens
 * with 4 sequences, in a child process and reads its real stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContextRequests, createLlamaLogger, explainLlamaWarning } from '../../src/policy/llama-cpp/llama-log.ts';

test('known warnings are explained, others prefixed, each printed once', () => {
  const lines: string[] = [];
  const log = createLlamaLogger((line) => lines.push(line));
  const overflow = 'llama_context: n_ctx_seq (256) > n_ctx_train (128) -- possible training context overflow';
  log('warn', overflow);
  log('warn', overflow);
  log('info', 'llama_context: constructing llama_context');
  log('debug', 'anything');
  log('warn', 'some other warning\n');
  log('warn', 'some other warning');
  log('error', 'a failure');
  assert.deepEqual(lines, [explainLlamaWarning(overflow), 'llama.cpp warn: some other warning', 'llama.cpp error: a failure']);
  assert.match(lines[0]!, /256 tokens per sequence.*trained context \(128\)/);
  assert.equal(explainLlamaWarning('n_ctx_seq (512) < n_ctx_train (1024)'), undefined);
});

test("llama.cpp's KV-cache padding is not reported as an overflow; an asked size past the trained context is, in the asked size", () => {
  const requests = new ContextRequests();
  const padded = 'llama_context: n_ctx_seq (512) > n_ctx_train (384) -- possible training context overflow';
  const rounding = 'llama_context: n_ctx is not divisible by n_seq_max - rounding down to 2048';
  // Nothing asked yet for a 384-token model: the warning is taken at its word.
  assert.match(explainLlamaWarning(padded, requests)!, /512 tokens per sequence/);
  requests.note(384, 384);
  const lines: string[] = [];
  const log = createLlamaLogger((line) => lines.push(line), requests);
  log('warn', padded);
  log('warn', rounding);
  assert.deepEqual(lines, [], 'asked for the trained context: llama.cpp only padded it');
  // Another context of the same model asked for more than it was trained on: now it is real.
  requests.note(448, 384);
  log('warn', padded);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /448 tokens per sequence.*trained context \(384\)/);
});

test('a real llama.cpp context longer than the trained one: one explanation, no raw warning; the trained context padded by llama.cpp: nothing', () => {
  const model = fileURLToPath(new URL('../../models/builtin.gguf', import.meta.url));
  const student = fileURLToPath(new URL('../../models/student.gguf', import.meta.url));
  const policyModule = fileURLToPath(new URL('../../src/policy/llama-cpp/llama-cpp-policy.ts', import.meta.url));
  const script = [
    `const { LlamaCppPolicy } = await import(${JSON.stringify(policyModule)});`,
    'for (let i = 0; i < 2; i++) {',
    `  const policy = await LlamaCppPolicy.load({ modelPath: ${JSON.stringify(model)}, contextSize: 256, sequences: 1 });`,
    '  await policy.close();',
    '}',
    // The student at its trained context with 4 sequences: llama.cpp pads each to 512 and warns.
    `const student = await LlamaCppPolicy.load({ modelPath: ${JSON.stringify(student)}, contextSize: 384, sequences: 4 });`,
    'await student.close();',
    "process.stdout.write('loaded twice\\n');",
  ].join('\n');
  // A script file, not `-e`: node-llama-cpp tests its binary in a child that inherits execArgv.
  const dir = mkdtempSync(join(tmpdir(), 'treecot-llama-log-'));
  writeFileSync(join(dir, 'load.mjs'), script);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'load.mjs')], { encoding: 'utf8', timeout: 120_000 });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'loaded twice');
  assert.doesNotMatch(result.stderr, /n_ctx/, 'a raw llama.cpp context warning reached the terminal');
  const explained = result.stderr.split('\n').filter((line) => line.includes("longer than the model's trained context"));
  assert.equal(explained.length, 1, result.stderr);
  assert.match(explained[0]!, /256 tokens per sequence.*\(128\)/);
});
