/**
 * Integration: the search over a real GGUF run in-process by node-llama-cpp. The model is
 * written by the test with treecot's GGUF writer (as in test/policy/llama-cpp.test.ts): random
 * weights except that the next-token distribution is set by hand (letters, digits and space
 * likely, every close tag somewhat likely, everything else not), so each sampled thought is a
 * few characters ending at some close tag. The search must stop each thought at its own close
 * tag, store every node, and finish every question.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STANDARD_THOUGHT_TAGS, closeTag } from '../../src/core/index.ts';
import { CharTokenizer, initWeights, encodeLlamaGguf, type LlamaConfig } from '../../src/train/index.ts';
import { createLlamaCppPolicy, type LlamaCppPolicy } from '../../src/policy/index.ts';
import { loadSearchConfig, runSearch } from '../../src/search/index.ts';
import { readRun } from '../../src/store/index.ts';
import { letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-search-gguf-'));
const DIM = 16;

function writeModel(): string {
  const tokenizer = new CharTokenizer();
  const config: LlamaConfig = {
    vocabSize: tokenizer.vocabSize,
    dim: DIM,
    layers: 2,
    heads: 2,
    ffn: 32,
    context: 1024,
    normEps: 1e-5,
    ropeBase: 10000,
  };
  const weights = initWeights(config, 7);
  const embed = weights.get('token_embd.weight')!.data;
  embed.fill(0);
  for (let t = 0; t < tokenizer.vocabSize; t++) embed[t * DIM] = 1;
  const output = weights.get('output.weight')!.data;
  output.fill(0);
  const scale = Math.sqrt(DIM);
  for (let t = 0; t < tokenizer.vocabSize; t++) output[t * DIM] = -10 / scale;
  for (const ch of 'abe2345 ') output[tokenizer.tokenId(ch)! * DIM] = 3 / scale;
  for (const tag of STANDARD_THOUGHT_TAGS) output[tokenizer.tokenId(closeTag(tag))! * DIM] = 3.5 / scale;
  const file = join(dir, 'tiny.gguf');
  writeFileSync(file, encodeLlamaGguf(config, weights, tokenizer, 'tiny-search'));
  return file;
}

let policy: LlamaCppPolicy | undefined;
after(async () => {
  await policy?.close();
});

test(
  'search with a GGUF policy through node-llama-cpp: every question finishes, thoughts stop at their own close tag',
  { timeout: 120_000 },
  async () => {
    policy = await createLlamaCppPolicy({ modelPath: writeModel(), sequences: 4, contextSize: 1024 });
    const { config } = loadSearchConfig('configs/letter-count-builtin.yaml');
    const small = {
      ...config,
      search: { ...config.search, max_rollouts: 4, reward_thresholds: [1, 2] as [number, number], give_up_factor: 1, max_depth: 10 },
    };
    const dbPath = join(dir, 'run.db');
    const summary = await runSearch({
      config: small,
      task: 'letter-count',
      defaultInstruction: '',
      problems: letterCountTask.load(LETTER_COUNT_DATA).slice(0, 3),
      dbPath,
      policy,
      verify: verifyLetterCount,
      concurrency: 4,
    });
    assert.equal(summary.finished, 3);
    assert.ok(summary.completion_tokens > 0 && summary.prompt_tokens > 0);
    const nodes = readRun(dbPath).questions.flatMap((q) => q.nodes);
    assert.equal(nodes.length, summary.nodes);
    const generated = nodes.filter((n) => n.policy !== '');
    assert.ok(generated.length > 10);
    assert.ok(generated.every((n) => n.policy === policy!.modelId));
    for (const n of generated)
      assert.ok(!n.content.includes(closeTag(n.tag)), `${n.type} content ${JSON.stringify(n.content)} holds its own close tag`);
    assert.ok(nodes.filter((n) => n.type === 'answer').every((n) => n.verdict !== null));
  },
);
