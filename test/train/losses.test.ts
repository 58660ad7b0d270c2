import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  initTf,
  sigmoidLoss,
  sftLoss,
  jointLoss,
  implicitRewards,
  sequenceTokenWeights,
  sharedPrefixTokens,
  CharTokenizer,
} from '../../src/train/index.ts';
import type * as TF from '@tensorflow/tfjs-core';

let tf: typeof TF;
before(async () => {
  tf = await initTf();
});

const close = (actual: number, expected: number, tol = 1e-6): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} != ${expected}`);
const scalar = (t: TF.Tensor): number => t.dataSync()[0]!;

/** Sequence log-prob = sum of weighted token log-probs. */
function seqLogp(tokenLogps: number[], weights: Float32Array): number {
  return tokenLogps.reduce((s, x, i) => s + x * weights[i]!, 0);
}

test('DPO / cDPO / joint losses from fixed log-probs equal hand-computed values', () => {
  // policy chosen -10, rejected -12; reference -11 and -11; beta 0.1:
  // h = 0.1 * ((-10 + 11) - (-12 + 11)) = 0.2
  const r = implicitRewards(tf.tensor1d([-10]), tf.tensor1d([-12]), tf.tensor1d([-11]), tf.tensor1d([-11]), 0.1);
  close(scalar(r.h), 0.2);
  close(scalar(r.chosen), 0.1);
  close(scalar(r.rejected), -0.1);
  // -log sigma(0.2) = ln(1 + e^-0.2) = 0.598138869...
  close(scalar(sigmoidLoss(r.h, { labelSmoothing: 0 })), 0.5981388694);
  // cDPO eps 0.1: 0.9 * ln(1 + e^-0.2) + 0.1 * ln(1 + e^0.2) = 0.9*0.5981388694 + 0.1*0.7981388694
  close(scalar(sigmoidLoss(r.h, { labelSmoothing: 0.1 })), 0.6181388694);
  // eps = 0 is plain DPO; eps > 0 changes the loss (the TRL 0.29 trap, docs/method.md)
  close(scalar(sigmoidLoss(r.h, { labelSmoothing: 0 })), 0.5981388694);
  // SFT: chosen token log-probs -0.5, -1, -1.5, mean NLL = 1; joint alpha 1 = 0.6181388694 + 1
  const sft = sftLoss(tf.tensor1d([-0.5, -1, -1.5, -7]), tf.tensor1d([1 / 3, 1 / 3, 1 / 3, 0]));
  close(scalar(sft), 1);
  close(scalar(jointLoss(sigmoidLoss(r.h, { labelSmoothing: 0.1 }), sft, 1)), 1.6181388694);
  close(scalar(jointLoss(sigmoidLoss(r.h, { labelSmoothing: 0.1 }), sft, 0.5)), 1.1181388694);
  // first step, policy = reference: h = 0, loss = ln 2 for any eps
  close(scalar(sigmoidLoss(tf.tensor1d([0]), { labelSmoothing: 0.1 })), Math.LN2);
});

test('masking by hand: the sigmoid DPO loss is unchanged, the length-normalised loss and the SFT term change', () => {
  // Responses: 2 shared prefix tokens (same tokens, same context => same log-probs), then the suffixes.
  const policyChosen = [-0.2, -0.3, -1, -2];
  const policyRejected = [-0.2, -0.3, -3];
  const refChosen = [-0.25, -0.35, -1.5, -1.5];
  const refRejected = [-0.25, -0.35, -2.5];
  const loss = (mask: boolean, normalize: boolean): { dpo: number; sft: number } => {
    const wc = sequenceTokenWeights(4, 0, mask ? 2 : 0, normalize);
    const wr = sequenceTokenWeights(3, 0, mask ? 2 : 0, normalize);
    const r = implicitRewards(
      tf.tensor1d([seqLogp(policyChosen, wc)]),
      tf.tensor1d([seqLogp(policyRejected, wr)]),
      tf.tensor1d([seqLogp(refChosen, wc)]),
      tf.tensor1d([seqLogp(refRejected, wr)]),
      0.1,
    );
    const sftWeights = sequenceTokenWeights(4, 0, mask ? 2 : 0, true); // mean over the SFT tokens
    return {
      dpo: scalar(sigmoidLoss(r.h, { labelSmoothing: 0 })),
      sft: scalar(sftLoss(tf.tensor1d(policyChosen), tf.tensor1d(sftWeights))),
    };
  };
  // unmasked h = 0.1 * ((-3.5 + 3.6) - (-3.5 + 3.1)) = 0.05; masked h = 0.1 * ((-3 + 3) - (-3 + 2.5)) = 0.05
  close(loss(false, false).dpo, 0.668459648, 1e-6);
  close(loss(true, false).dpo, 0.668459648, 1e-6);
  // length-normalised: unmasked h = 0.1 * ((-0.875 + 0.9) - (-3.5/3 + 3.1/3)) = 0.0158333, loss 0.6852618504;
  // masked h = 0.1 * ((-1.5 + 1.5) - (-3 + 2.5)) = 0.05, loss 0.6684596480
  close(loss(false, true).dpo, 0.6852618504, 1e-6);
  close(loss(true, true).dpo, 0.668459648, 1e-6);
  // SFT term: mean NLL of the chosen response 3.5 / 4 = 0.875 unmasked, 3 / 2 = 1.5 masked
  close(loss(false, false).sft, 0.875);
  close(loss(true, false).sft, 1.5);
});

test('sequenceTokenWeights and sharedPrefixTokens', () => {
  assert.deepEqual([...sequenceTokenWeights(6, 2, 1, false)], [0, 0, 0, 1, 1, 1]);
  assert.deepEqual(
    [...sequenceTokenWeights(6, 2, 0, true)].map((x) => +x.toFixed(4)),
    [0, 0, 0.25, 0.25, 0.25, 0.25],
  );
  assert.deepEqual([...sequenceTokenWeights(4, 1, 9, true)], [0, 0, 0, 0], 'a fully masked response has no weight');
  const tok = new CharTokenizer();
  const c = tok.encodeWithEnds('<thinking>g:1</thinking><answer>3</answer>');
  const r = tok.encodeWithEnds('<thinking>g:2</thinking><answer>4</answer>');
  // common prefix is '<thinking>g:' = 12 chars = 3 tokens
  assert.equal(sharedPrefixTokens(c.ids, c.ends, r.ids, r.ends, 12), 3);
  // a prefix that cuts a tag: '<thin' vs '<think' -> the tag token ends beyond the prefix, nothing shared
  const a = tok.encodeWithEnds('<thinking>x');
  const b = tok.encodeWithEnds('<thinx');
  assert.equal(sharedPrefixTokens(a.ids, a.ends, b.ids, b.ends, 5), 0);
});
