/**
 * The shipped built-in model (models/builtin.gguf): it loads in node-llama-cpp, answers held-out
 * questions in the typed-thought format, reproduces golden greedy tokens, and treecot's own TS model
 * gives the same greedy continuation as llama.cpp on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import {
  openGgufGenerator,
  heldOutQuestions,
  parseThoughts,
  scoreLetterCountSteps,
  BUILTIN_MODEL_PATH,
} from '../../src/train/builtin/index.ts';
import { loadGguf, initTf, CharTokenizer, BOS_ID, EOS_ID } from '../../src/train/index.ts';

/** Greedy token ids recorded from models/builtin.gguf (re-record them when the model is retrained). */
const GOLDEN: { prompt: string; tokens: number[] }[] = [
  {
    prompt: 'Find out the total number of r and k in rackett.',
    tokens: [
      4, 103, 32, 96, 5, 6, 103, 86, 88, 96, 90, 105, 105, 7, 6, 103, 47, 38, 7, 6, 96, 47, 38, 7, 10, 38, 32, 38, 50, 39, 11, 18, 39, 19,
    ],
  },
  {
    prompt: 'How many a are there in wrassled?',
    tokens: [4, 86, 5, 6, 108, 103, 86, 104, 104, 97, 90, 89, 7, 6, 86, 47, 38, 7, 18, 38, 19],
  },
];

test('builtin.gguf is a small llama GGUF with the standard tokenizer', () => {
  const size = statSync(BUILTIN_MODEL_PATH).size;
  assert.ok(size < 10 * 1024 * 1024, `size ${size}`);
  const { model, tokenizer, metadata } = loadGguf(BUILTIN_MODEL_PATH);
  assert.deepEqual(
    { layers: model.config.layers, dim: model.config.dim, heads: model.config.heads, ffn: model.config.ffn, context: model.config.context },
    { layers: 2, dim: 64, heads: 4, ffn: 176, context: 128 },
  );
  assert.deepEqual(tokenizer.tokens, new CharTokenizer().tokens);
  assert.equal(metadata.get('general.name')?.value, 'treecot-builtin');
});

test('node-llama-cpp: golden greedy tokens; held-out answers parse and follow the format', async () => {
  const generator = await openGgufGenerator(BUILTIN_MODEL_PATH);
  try {
    for (const g of GOLDEN) assert.deepEqual((await generator.generate(g.prompt)).tokens, g.tokens, g.prompt);
    const questions = [...heldOutQuestions(2, 12, 424242), ...heldOutQuestions(1, 8, 424243)];
    let right = 0;
    for (const q of questions) {
      const { text } = await generator.generate(q.question);
      const tags = parseThoughts(text).map((t) => t.tag);
      assert.equal(tags[0], 'sub-task', text);
      assert.equal(tags.at(-1), 'answer', text);
      assert.ok(
        tags.slice(1, -1).every((t) => t === 'thinking' || t === 'double-check'),
        text,
      );
      const score = scoreLetterCountSteps(text, q);
      assert.ok(score.answered, text);
      if (score.answerCorrect) right++;
    }
    // The model was chosen for 50-80% held-out two-letter accuracy: far above chance, not perfect.
    assert.ok(right >= 10, `${right}/20 right`);
  } finally {
    await generator.dispose();
  }
});

test("treecot's TS model and llama.cpp give the same greedy continuation of the shipped model", async () => {
  await initTf();
  const { model, tokenizer } = loadGguf(BUILTIN_MODEL_PATH);
  const prompt = [BOS_ID, ...tokenizer.encode(GOLDEN[0]!.prompt)];
  const { tokens } = model.greedy(prompt, 48, [EOS_ID]);
  assert.deepEqual(
    tokens.filter((t) => t !== EOS_ID),
    GOLDEN[0]!.tokens,
  );
});
