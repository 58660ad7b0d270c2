import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initTf, LlamaModel, initWeights, CharTokenizer, encodePreferenceRow, type LlamaConfig } from '../../src/train/index.ts';
import { sftMicroBatch, preferenceMicroBatch, encodeSftRow, type PreferenceBatchOptions } from '../../src/train/batching.ts';
import { accumulateGradients, sequenceLogProbs } from '../../src/train/step.ts';
import { Rng } from '../../src/core/rng.ts';
import { eightRows, letterCountRow } from './fixtures.ts';

const tok = new CharTokenizer();
const tiny: LlamaConfig = { vocabSize: tok.vocabSize, dim: 16, layers: 2, heads: 2, ffn: 24, context: 64, normEps: 1e-5, ropeBase: 10000 };

before(async () => {
  await initTf();
});

/** A tiny model with large random weights and non-trivial norm gains, so every gradient is sizeable. */
function roughModel(seed: number): LlamaModel {
  const model = LlamaModel.fromWeights(tiny, initWeights(tiny, seed, 0.3));
  const rng = new Rng(seed);
  for (const e of model.layout) if (e.shape.length === 1) for (let i = 0; i < e.size; i++) model.params[e.offset + i] = 0.5 + rng.float();
  return model;
}

test('finite-difference gradient check of the whole model (SFT loss, every weight tensor)', () => {
  const model = roughModel(1);
  const seqs = eightRows()
    .slice(0, 3)
    .map((r, i) => encodeSftRow(tok, r, 64, { file: 'rows', line: i + 1 }));
  const mb = sftMicroBatch(seqs, 1); // summed NLL: larger gradients than the mean
  const grads = new Float32Array(model.parameterCount);
  accumulateGradients(model, mb, grads);
  const lossAt = (): number => accumulateGradients(model, mb, new Float32Array(model.parameterCount)).loss;
  const rng = new Rng(7);
  for (const e of model.layout) {
    // direction: the tensor's gradient plus an equal-norm random part, normalised
    const g = grads.subarray(e.offset, e.offset + e.size);
    const gNorm = Math.hypot(...g);
    assert.ok(gNorm > 0, `${e.name} has a zero gradient`);
    const noise = Float64Array.from({ length: e.size }, () => rng.float() - 0.5);
    const nNorm = Math.hypot(...noise);
    const dir = Float64Array.from(g, (x, i) => x / gNorm + noise[i]! / nNorm);
    const dNorm = Math.hypot(...dir);
    const original = model.params.slice(e.offset, e.offset + e.size);
    const h = 1e-2;
    const shifted = (sign: number): number => {
      for (let i = 0; i < e.size; i++) model.params[e.offset + i] = original[i]! + (sign * h * dir[i]!) / dNorm;
      return lossAt();
    };
    const numeric = (shifted(1) - shifted(-1)) / (2 * h);
    model.params.set(original, e.offset);
    const analytic = g.reduce((s, x, i) => s + (x * dir[i]!) / dNorm, 0);
    const relative = Math.abs(numeric - analytic) / Math.max(Math.abs(analytic), 1e-3);
    assert.ok(relative < 0.03, `${e.name}: numeric ${numeric} vs analytic ${analytic} (relative error ${relative.toFixed(4)})`);
  }
});

function pairRows(): { prompt: string; chosen: string; rejected: string; common_prefix_chars: number }[] {
  return ['navigant', 'banana', 'mississippi', 'letters'].map((word) => {
    const good = letterCountRow(word, 'a').completion;
    const count = [...word].filter((c) => c === 'a').length;
    const bad = good.replace(`a:${count}</thinking><answer>${count}`, `a:${count + 1}</thinking><answer>${count + 1}`);
    let k = 0;
    while (good[k] === bad[k]) k++;
    return { prompt: `How many a in ${word}?`, chosen: good, rejected: bad, common_prefix_chars: k };
  });
}

function preferenceGradients(
  policy: LlamaModel,
  reference: LlamaModel,
  options: Partial<PreferenceBatchOptions>,
): { loss: number; sftTerm: number; grads: Float32Array } {
  const pairs = pairRows().map((r, i) => encodePreferenceRow(tok, r, 64, { file: 'pairs', line: i + 1 }));
  assert.ok(
    pairs.every((p) => p.prefixTokens > 10),
    'the pairs share a long prefix',
  );
  const full: PreferenceBatchOptions = {
    beta: 0.5,
    lossType: 'sigmoid',
    labelSmoothing: 0,
    maskPrefix: false,
    lengthNormalize: false,
    pairWeight: 1 / pairs.length,
    sftWeight: 0,
    sftTokenWeight: 0,
    ...options,
  };
  const refLogps = sequenceLogProbs(reference, preferenceMicroBatch(pairs, full));
  const grads = new Float32Array(policy.parameterCount);
  const stats = accumulateGradients(policy, preferenceMicroBatch(pairs, full, refLogps), grads);
  return { loss: stats.loss, sftTerm: stats.sftTerm, grads };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}

test('masking the shared prefix leaves the sigmoid DPO loss and gradient unchanged, but changes the length-normalised loss and the SFT term', () => {
  const policy = roughModel(2);
  const reference = roughModel(3);
  const plain = preferenceGradients(policy, reference, { maskPrefix: false });
  const masked = preferenceGradients(policy, reference, { maskPrefix: true });
  assert.ok(Math.abs(plain.loss - masked.loss) < 1e-5, `loss ${plain.loss} vs ${masked.loss}`);
  assert.ok(
    maxAbsDiff(plain.grads, masked.grads) < 1e-5 * Math.max(1, maxAbs(plain.grads)),
    `gradient differs by ${maxAbsDiff(plain.grads, masked.grads)} (max ${maxAbs(plain.grads)})`,
  );

  const normPlain = preferenceGradients(policy, reference, { maskPrefix: false, lengthNormalize: true });
  const normMasked = preferenceGradients(policy, reference, { maskPrefix: true, lengthNormalize: true });
  assert.ok(
    Math.abs(normPlain.loss - normMasked.loss) > 1e-3,
    `length-normalised loss should change: ${normPlain.loss} vs ${normMasked.loss}`,
  );

  const jointPlain = preferenceGradients(policy, reference, { maskPrefix: false, labelSmoothing: 0.1, sftWeight: 1, sftTokenWeight: 0.01 });
  const jointMasked = preferenceGradients(policy, reference, { maskPrefix: true, labelSmoothing: 0.1, sftWeight: 1, sftTokenWeight: 0.01 });
  assert.ok(
    Math.abs(jointPlain.sftTerm - jointMasked.sftTerm) > 1e-3,
    `SFT term should change: ${jointPlain.sftTerm} vs ${jointMasked.sftTerm}`,
  );
});

test('policy = reference: every pair loss is ln 2, whatever the mask', () => {
  const model = roughModel(4);
  for (const maskPrefix of [false, true]) {
    const { loss } = preferenceGradients(model, model, { maskPrefix });
    assert.ok(Math.abs(loss - Math.LN2) < 1e-6, `loss ${loss}`);
  }
});

test('embed copies embedding rows in order and names an id outside the vocabulary', () => {
  const model = LlamaModel.fromWeights(tiny, initWeights(tiny, 5));
  const ids = Int32Array.from([3, 0, 3, tiny.vocabSize - 1]);
  const x0 = model.embed(ids).dataSync();
  const D = tiny.dim;
  const table = model.toWeights().get('token_embd.weight')!.data;
  ids.forEach((id, i) => assert.deepEqual([...x0.subarray(i * D, i * D + D)], [...table.subarray(id * D, id * D + D)]));
  assert.throws(() => model.embed(Int32Array.from([1, tiny.vocabSize])), /token id \d+ at position 1 is outside the vocabulary/);
  assert.throws(() => model.embed(Int32Array.from([-1])), /token id -1 at position 0/);
});
