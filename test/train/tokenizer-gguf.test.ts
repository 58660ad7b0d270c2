import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharTokenizer, BOS_ID, EOS_ID, TokenType } from '../../src/train/tokenizer.ts';
import { decodeGguf, encodeLlamaGguf, parseLlamaGguf, encodeGguf } from '../../src/train/gguf/index.ts';
import { initWeights } from '../../src/train/init.ts';
import type { LlamaConfig } from '../../src/train/model-config.ts';
import { DataError } from '../../src/core/errors.ts';

const tok = new CharTokenizer();

test('tokenizer: tags are single tokens, characters one each, unknown characters become UTF-8 bytes', () => {
  assert.equal(tok.vocabSize, 4 + 16 + 1 + 95 + 256);
  const text = '<sub-task>g+n</sub-task><thinking>na vi\ngant</thinking><thinking-from-scratch>é\t</thinking-from-scratch>';
  const ids = tok.encode(text);
  assert.equal(ids[0], tok.tokenId('<sub-task>'));
  assert.equal(tok.tokenTypes[ids[0]!], TokenType.userDefined);
  assert.deepEqual(tok.encode('ab'), [tok.tokenId('a'), tok.tokenId('b')]);
  assert.equal(tok.tokens[tok.tokenId(' ')!], '\u2581');
  assert.deepEqual(
    tok.encode('é').map((i) => tok.tokens[i]),
    ['<0xC3>', '<0xA9>'],
  );
  assert.equal(tok.decode(ids), text);
  assert.equal(tok.decode([BOS_ID, ...tok.encode('x'), EOS_ID]), 'x');
  assert.equal(tok.decode([BOS_ID, EOS_ID], true), '<s></s>');
  assert.equal(tok.encode('x<thinking').length, 10, 'a partial tag stays character level');
});

const tiny: LlamaConfig = { vocabSize: tok.vocabSize, dim: 16, layers: 1, heads: 2, ffn: 24, context: 64, normEps: 1e-5, ropeBase: 10000 };

test('GGUF: llama export round-trips through the reader (config, tokenizer, weights, extra keys)', () => {
  const weights = initWeights(tiny, 3);
  const bytes = encodeLlamaGguf(tiny, weights, tok, 'tiny', { 'treecot.note': 'hello' });
  const back = parseLlamaGguf(decodeGguf(bytes, 'mem.gguf'), 'mem.gguf');
  assert.deepEqual(back.config, { ...tiny, normEps: Math.fround(1e-5) });
  assert.deepEqual(back.tokenizer.tokens, tok.tokens);
  assert.equal(back.metadata.get('treecot.note')?.value, 'hello');
  for (const [name, w] of weights) assert.deepEqual(back.weights.get(name)!.data, w.data, name);
});

test('GGUF: unknown architecture, bad magic and truncation give DataErrors naming the file', () => {
  const md = new Map([['general.architecture', { type: 'string' as const, value: 'gpt2' }]]);
  const bytes = encodeGguf(md, []);
  assert.throws(
    () => parseLlamaGguf(decodeGguf(bytes, 'x.gguf'), 'x.gguf'),
    (e: unknown) => e instanceof DataError && /x\.gguf.*general\.architecture.*unknown architecture "gpt2"/.test(e.message),
  );
  assert.throws(() => decodeGguf(Buffer.from('GGML0000'), 'y.gguf'), /y\.gguf: not a GGUF file/);
  const good = encodeLlamaGguf(tiny, initWeights(tiny, 1), tok);
  assert.throws(() => decodeGguf(good.subarray(0, good.length - 100), 'z.gguf'), /z\.gguf.*past the end/);
});

test('node-llama-cpp loads the exported GGUF and tokenizes exactly like CharTokenizer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-gguf-'));
  const file = join(dir, 'tiny.gguf');
  writeFileSync(file, encodeLlamaGguf(tiny, initWeights(tiny, 5), tok));
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath: file });
  try {
    const samples = [
      'How many r in  strawberry?\n',
      '<sub-task>r</sub-task><thinking>s:1</thinking><answer>3</answer>',
      'tab\tand é€ and <thinking',
      '</double-check><reflection>Wait!</reflection>',
    ];
    for (const s of samples) {
      const ours = tok.encode(s);
      const theirs = Array.from(model.tokenize(s, false)).map(Number);
      assert.deepEqual(theirs, ours, s);
      assert.equal(model.detokenize(model.tokenize(s, false)), s);
    }
    assert.equal(Number(model.tokens.bos), BOS_ID);
    assert.equal(Number(model.tokens.eos), EOS_ID);
  } finally {
    await model.dispose();
    await llama.dispose();
  }
});
