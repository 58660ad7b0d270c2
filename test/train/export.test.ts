import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, loadGguf, BOS_ID, EOS_ID } from '../../src/train/index.ts';
import { eightRows } from './fixtures.ts';

function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of row) max = Math.max(max, x);
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(row, (x) => x - lse);
}

test('exported GGUF: node-llama-cpp gives the same greedy continuation and log-probs as the TS model; import round-trips', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-export-'));
  const out = join(dir, 'm.gguf');
  const rows = eightRows();
  const { model, tokenizer } = await train({
    sftRows: rows,
    init: 'L1-d32-h4-f64-c96',
    steps: 60,
    batch: 8,
    lr: 1e-2,
    warmupRatio: 0,
    seed: 3,
    out,
    refCacheDir: dir,
  });

  const back = loadGguf(out);
  assert.deepEqual(back.model.config, { ...model.config, normEps: Math.fround(1e-5) });
  const probe = Int32Array.from([BOS_ID, ...tokenizer.encode(rows[0]!.prompt)]);
  assert.deepEqual(back.model.logits(probe, 1, probe.length), model.logits(probe, 1, probe.length), 'loadGguf gives bit-identical logits');

  const prompt = [BOS_ID, ...tokenizer.encode(rows[1]!.prompt)];
  const ours = model.greedy(prompt, 40, [EOS_ID]);
  assert.ok(ours.tokens.length >= 10, 'the trained model writes a continuation');

  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never' });
  const cppModel = await llama.loadModel({ modelPath: out });
  try {
    const context = await cppModel.createContext({
      contextSize: 256,
      flashAttention: false,
      threads: 1,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
    } as Parameters<typeof cppModel.createContext>[0]);
    const sequence = context.getSequence();
    const theirs: number[] = [];
    for await (const token of sequence.evaluate(prompt as never, { temperature: 0 })) {
      theirs.push(Number(token));
      if (theirs.length >= 40) break;
    }
    // llama.cpp stops before yielding EOS; ours includes it.
    assert.deepEqual(
      theirs,
      ours.tokens.filter((t) => t !== EOS_ID),
      'greedy tokens equal',
    );

    await sequence.clearHistory();
    const full = [...prompt, ...ours.tokens.slice(0, -1)];
    const results = await sequence.controlledEvaluate(full.map((t) => [t, { generateNext: { probabilities: true } }]) as never);
    const V = model.config.vocabSize;
    const tsLogits = model.logits(Int32Array.from(full), 1, full.length);
    let maxDiff = 0;
    let compared = 0;
    (results as { next?: { probabilities?: Map<number, number> } }[]).forEach((r, i) => {
      const ts = logSoftmax(tsLogits.subarray(i * V, (i + 1) * V));
      for (const [token, p] of r.next!.probabilities!) {
        if (p < 1e-6) continue;
        maxDiff = Math.max(maxDiff, Math.abs(Math.log(p) - ts[Number(token)]!));
        compared++;
      }
    });
    assert.ok(compared > full.length, `compared ${compared} log-probs`);
    t.diagnostic(`greedy ${ours.tokens.length} tokens equal; ${compared} log-probs compared, max |diff| ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff < 1e-3, `max |log p difference| ${maxDiff}`);
    await context.dispose();
  } finally {
    await cppModel.dispose();
    await llama.dispose();
  }
});
