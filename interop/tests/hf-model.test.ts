/**
 * `treecot export-hf` against the real transformers: the exported checkpoint loads as
 * LlamaForCausalLM, tokenizes as treecot does, and computes the same next-token log-probs as
 * treecot's TS model and llama.cpp (node-llama-cpp, F32 KV, no flash attention) on the same tokens;
 * `import-hf` gives back bit-identical weights. Without the W_q/W_k row permutation the logits are
 * far off: the RoPE convention is what makes them agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOS_ID, EOS_ID, loadGguf, buildBuiltinRows, initTf } from '../../src/train/index.ts';
import { encodeSafetensors, readSafetensors } from '../../src/train/hf/index.ts';
import { permuteRopeRows } from '../../src/train/hf/llama-names.ts';
import { pythonJson, treecot, REPO } from './python.ts';

const MODEL = join(REPO, 'models', 'builtin.gguf');

interface HfResult {
  versions: Record<string, string>;
  model_class: string;
  tokens: number[][];
  log_probs: number[][][];
  decoded: string[];
  chat: { prompt_text: string; full_ids: number[]; assistant_mask: number[] }[];
  greedy: number[];
}

function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of row) max = Math.max(max, x);
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(row, (x) => x - lse);
}

/** Max |a - b| over every position and token. */
function maxLogProbDiff(hf: number[][], ours: Float32Array, V: number): number {
  let max = 0;
  hf.forEach((row, t) => {
    const o = logSoftmax(ours.subarray(t * V, (t + 1) * V));
    row.forEach((x, v) => (max = Math.max(max, Math.abs(x - o[v]!))));
  });
  return max;
}

test('export-hf: transformers loads the checkpoint, tokenizes like treecot and matches treecot and llama.cpp log-probs; import-hf round-trips', async (t) => {
  await initTf();
  const dir = mkdtempSync(join(tmpdir(), 'treecot-hf-'));
  const hfDir = join(dir, 'hf');
  await treecot(['export-hf', MODEL, '--out', hfDir]);
  const { model, tokenizer } = loadGguf(MODEL);
  const V = model.config.vocabSize;

  const rows = buildBuiltinRows({ count: 3, seed: 7 });
  const texts = [
    rows[0]!.prompt + rows[0]!.completion,
    rows[1]!.prompt,
    'Tags <thinking>x</thinking> mid-text, a  double space,\na newline and bytes: é €',
  ];
  const request = {
    texts,
    chat: [{ user: rows[2]!.prompt, assistant: rows[2]!.completion }],
    greedy: { text: rows[1]!.prompt, max_new_tokens: 40 },
  };
  writeFileSync(join(dir, 'request.json'), JSON.stringify(request));
  const hf = await pythonJson<HfResult>('hf_model_check.py', [hfDir, join(dir, 'request.json')]);
  t.diagnostic(`versions ${JSON.stringify(hf.versions)}; ${hf.model_class}`);
  assert.equal(hf.model_class, 'LlamaForCausalLM');

  // Tokenization: BOS + treecot's ids, and decode gives the text back.
  texts.forEach((text, i) => {
    assert.deepEqual(hf.tokens[i], [BOS_ID, ...tokenizer.encode(text)], `token ids of text ${i}`);
    assert.equal(hf.decoded[i], text, `decode of text ${i}`);
  });
  // Chat template = treecot's prompt format: BOS + user, assistant + EOS, the mask on the assistant part.
  const turn = request.chat[0]!;
  assert.equal(hf.chat[0]!.prompt_text, `<s>${turn.user}`);
  const userIds = tokenizer.encode(turn.user);
  assert.deepEqual(hf.chat[0]!.full_ids, [BOS_ID, ...userIds, ...tokenizer.encode(turn.assistant), EOS_ID]);
  assert.deepEqual(
    hf.chat[0]!.assistant_mask,
    hf.chat[0]!.full_ids.map((_, i) => (i > userIds.length ? 1 : 0)),
  );

  // Log-probs at every position: transformers vs treecot's TS model.
  let maxTs = 0;
  hf.tokens.forEach((ids, i) => {
    maxTs = Math.max(maxTs, maxLogProbDiff(hf.log_probs[i]!, model.logits(Int32Array.from(ids), 1, ids.length), V));
  });
  t.diagnostic(
    `max |log p(transformers) - log p(treecot)| = ${maxTs.toExponential(2)} over ${hf.tokens.flat().length} positions x ${V} tokens`,
  );
  assert.ok(maxTs < 1e-4, `transformers vs treecot: ${maxTs}`);

  // Greedy decoding: same tokens (transformers stops after EOS).
  const ours = model.greedy([BOS_ID, ...tokenizer.encode(request.greedy.text)], 40, [EOS_ID]);
  assert.deepEqual(hf.greedy.slice(0, ours.tokens.length), ours.tokens);

  // llama.cpp on the same tokens (exact settings of docs/llama-cpp.md section 3).
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never' });
  const cppModel = await llama.loadModel({ modelPath: MODEL });
  let maxCpp = 0;
  let compared = 0;
  try {
    const context = await cppModel.createContext({
      contextSize: 256,
      flashAttention: false,
      threads: 1,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
    } as Parameters<typeof cppModel.createContext>[0]);
    const sequence = context.getSequence();
    for (const [i, ids] of hf.tokens.entries()) {
      await sequence.clearHistory();
      const results = await sequence.controlledEvaluate(ids.map((id) => [id, { generateNext: { probabilities: true } }]) as never);
      (results as { next?: { probabilities?: Map<number, number> } }[]).forEach((r, pos) => {
        for (const [token, p] of r.next!.probabilities!) {
          if (p < 1e-6) continue;
          maxCpp = Math.max(maxCpp, Math.abs(Math.log(p) - hf.log_probs[i]![pos]![Number(token)]!));
          compared++;
        }
      });
    }
    await context.dispose();
  } finally {
    await cppModel.dispose();
    await llama.dispose();
  }
  t.diagnostic(`max |log p(transformers) - log p(llama.cpp)| = ${maxCpp.toExponential(2)} over ${compared} log-probs (p >= 1e-6)`);
  assert.ok(compared > 100);
  assert.ok(maxCpp < 1e-3, `transformers vs llama.cpp: ${maxCpp}`);

  // import-hf: the same weights, bit for bit.
  const back = join(dir, 'back.gguf');
  await treecot(['import-hf', hfDir, '--out', back]);
  assert.deepEqual(loadGguf(back).model.params, model.params);

  // The RoPE check: the same checkpoint with W_q/W_k left in llama.cpp's pair layout is far off.
  const wrongDir = join(dir, 'hf-unpermuted');
  await treecot(['export-hf', MODEL, '--out', wrongDir]);
  const st = readSafetensors(join(wrongDir, 'model.safetensors'));
  const hd = model.config.dim / model.config.heads;
  for (const [name, tensor] of st.tensors) {
    if (/self_attn\.[qk]_proj/.test(name)) tensor.data = permuteRopeRows(tensor.data, model.config.heads, hd, tensor.shape[1]!, 'to-gguf');
  }
  writeFileSync(join(wrongDir, 'model.safetensors'), encodeSafetensors(st.tensors, st.metadata));
  writeFileSync(join(dir, 'request1.json'), JSON.stringify({ texts: [texts[0]] }));
  const wrong = await pythonJson<HfResult>('hf_model_check.py', [wrongDir, join(dir, 'request1.json')]);
  const maxWrong = maxLogProbDiff(wrong.log_probs[0]!, model.logits(Int32Array.from(wrong.tokens[0]!), 1, wrong.tokens[0]!.length), V);
  t.diagnostic(`unpermuted W_q/W_k: max |diff| = ${maxWrong.toFixed(2)}`);
  assert.ok(maxWrong > 0.5, `the RoPE layout must matter (got ${maxWrong})`);
  assert.ok(readFileSync(join(hfDir, 'tokenizer_config.json'), 'utf8').includes('chat_template'));
});
