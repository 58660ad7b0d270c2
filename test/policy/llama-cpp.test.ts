/**
 * The GGUF policy through node-llama-cpp on tiny models written by the test with treecot's own
 * GGUF writer (src/train/gguf). The weights are random, except that the embeddings and the output
 * matrix are set so the next-token distribution is known by hand: every embedding is e_0, so the
 * final RMSNorm state is about sqrt(D) e_0 and logit(t) ~= sqrt(D) * output[t][0]. We give
 * 'a', 'b', 'c', ' ' logit 3, `</thinking>` logit 2 and everything else -10: each step stops with
 * probability ~8.5%, so a sampled completion is a few letters ending at the close tag.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharTokenizer, TokenType, initWeights, encodeLlamaGguf, type LlamaConfig } from '../../src/train/index.ts';
import { createLlamaCppPolicy, UnsupportedCharacterError, type LlamaCppPolicy } from '../../src/policy/index.ts';
import type { CompleteOptions } from '../../src/policy/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-llama-policy-'));
const DIM = 16;

function writeModel(name: string, variant: 'standard' | 'control-tags' | 'no-bytes'): string {
  const full = new CharTokenizer();
  let tokens = [...full.tokens];
  let types = [...full.tokenTypes];
  if (variant === 'control-tags') types = types.map((t) => (t === TokenType.userDefined ? TokenType.control : t));
  if (variant === 'no-bytes') {
    const firstByte = types.indexOf(TokenType.byte);
    tokens = tokens.slice(0, firstByte);
    types = types.slice(0, firstByte);
  }
  const tokenizer = { tokens, tokenTypes: types, vocabSize: tokens.length } as unknown as CharTokenizer;
  const config: LlamaConfig = {
    vocabSize: tokens.length,
    dim: DIM,
    layers: 2,
    heads: 2,
    ffn: 32,
    context: 256,
    normEps: 1e-5,
    ropeBase: 10000,
  };
  const weights = initWeights(config, 42);
  const embed = weights.get('token_embd.weight')!.data;
  embed.fill(0);
  for (let t = 0; t < tokens.length; t++) embed[t * DIM] = 1;
  const output = weights.get('output.weight')!.data;
  output.fill(0);
  const scale = Math.sqrt(DIM);
  for (let t = 0; t < tokens.length; t++) output[t * DIM] = -10 / scale;
  for (const ch of ['a', 'b', 'c', ' ']) output[full.tokenId(ch)! * DIM] = 3 / scale;
  output[full.tokenId('</thinking>')! * DIM] = 2 / scale;
  const file = join(dir, `${name}.gguf`);
  writeFileSync(file, encodeLlamaGguf(config, weights, tokenizer, name));
  return file;
}

const standardFile = writeModel('standard', 'standard');
let policy: LlamaCppPolicy;
before(async () => {
  policy = await createLlamaCppPolicy({ modelPath: standardFile, sequences: 4, contextSize: 256 });
});
after(async () => {
  await policy?.close();
});

function call(overrides: Partial<CompleteOptions> = {}): CompleteOptions {
  return {
    prompt: { instruction: 'Count: ', question: 'how many a in "banana"?', assistantPrefix: '<thinking>b' },
    n: 4,
    stop: ['</thinking>'],
    maxTokens: 150,
    temperature: 1,
    topP: 1,
    seed: 11,
    ...overrides,
  };
}

test('raw template: the prompt is userText + assistant prefix, tags as single tokens', () => {
  const tok = new CharTokenizer();
  const rendered = policy.template.render(call().prompt);
  assert.equal(rendered, 'Count: how many a in "banana"?<thinking>b');
  assert.deepEqual(policy.tokenize(rendered), tok.encode(rendered));
});

test('n completions, each stopped at the close tag (excluded), with token usage', async () => {
  const result = await policy.doComplete(call());
  assert.equal(result.completions.length, 4);
  assert.equal(result.requests, 1);
  for (const c of result.completions) {
    assert.equal(c.finishReason, 'stop');
    assert.match(c.text, /^[abc ]*$/, JSON.stringify(c.text));
  }
  assert.ok(new Set(result.completions.map((c) => c.text)).size > 1, 'different seeds per completion');
  const promptLength = 1 + policy.tokenize(policy.template.render(call().prompt)).length;
  assert.equal(result.usage.promptTokens, 4 * promptLength);
  const letters = result.completions.reduce((a, c) => a + c.text.length, 0);
  assert.ok(
    result.usage.completionTokens >= letters && result.usage.completionTokens <= letters + 4,
    `${result.usage.completionTokens} vs ${letters}`,
  );
});

test('seeded sampling is deterministic (also across a reload); another seed differs', async () => {
  const first = await policy.doComplete(call({ seed: 5 }));
  const again = await policy.doComplete(call({ seed: 5 }));
  assert.deepEqual(again.completions, first.completions);
  const other = await policy.doComplete(call({ seed: 6 }));
  assert.notDeepEqual(other.completions, first.completions);
  const reloaded = await createLlamaCppPolicy({ modelPath: standardFile, sequences: 2, contextSize: 256 });
  try {
    assert.deepEqual((await reloaded.doComplete(call({ seed: 5 }))).completions, first.completions);
  } finally {
    await reloaded.close();
  }
});

test('maxTokens ends a completion with finish reason length', async () => {
  const result = await policy.doComplete(call({ stop: [], maxTokens: 3, n: 2 }));
  for (const c of result.completions) {
    assert.ok(c.text.length <= 3);
    if (c.finishReason === 'length') assert.equal(c.text.length, 3);
  }
  assert.ok(result.completions.some((c) => c.finishReason === 'length'));
});

test('KV cache: a child call re-evaluates only the new tokens of its path', async () => {
  const root = call({ n: 1, prompt: { ...call().prompt, assistantPrefix: '<thinking>ab ba</thinking>' } });
  await policy.doComplete(root);
  const before = policy.evaluatedPromptTokens;
  await policy.doComplete({ ...root, prompt: { ...root.prompt, assistantPrefix: '<thinking>ab ba</thinking><thinking>c' } });
  const evaluated = policy.evaluatedPromptTokens - before;
  const full =
    1 + policy.tokenize(policy.template.render({ ...root.prompt, assistantPrefix: '<thinking>ab ba</thinking><thinking>c' })).length;
  assert.ok(evaluated <= 3, `evaluated ${evaluated} of ${full} prompt tokens`);
});

test('control-type tags: fed as one token, and the stop fires on the token', async () => {
  const controlPolicy = await createLlamaCppPolicy({ modelPath: writeModel('control', 'control-tags'), sequences: 2, contextSize: 256 });
  try {
    assert.equal(controlPolicy.tokenize('<thinking>ab').length, 3);
    const result = await controlPolicy.doComplete(call({ n: 2 }));
    for (const c of result.completions) {
      assert.equal(c.finishReason, 'stop');
      assert.match(c.text, /^[abc ]*$/);
    }
  } finally {
    await controlPolicy.close();
  }
});

test('a character outside a vocabulary without byte fallback is refused with a clear error (no crash)', async () => {
  const noBytes = await createLlamaCppPolicy({ modelPath: writeModel('no-bytes', 'no-bytes'), sequences: 1, contextSize: 256 });
  try {
    const bad = call({ n: 1, prompt: { instruction: '', question: 'café?', assistantPrefix: '' } });
    await assert.rejects(
      noBytes.doComplete(bad),
      (e: unknown) => e instanceof UnsupportedCharacterError && /"é" \(U\+00E9\) at position 3/.test(e.message),
    );
    const ok = await noBytes.doComplete(call({ n: 1 }));
    assert.equal(ok.completions.length, 1);
  } finally {
    await noBytes.close();
  }
  // with byte-fallback tokens the same prompt works
  const result = await policy.doComplete(call({ n: 1, prompt: { instruction: '', question: 'café?', assistantPrefix: '' } }));
  assert.equal(result.completions.length, 1);
});
