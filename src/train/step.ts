/**
 * Loss and gradients of one micro-batch (what each data-parallel worker runs). The embedding is
 * looked up with `gather` outside the tape and its gradient is scattered back in JS from
 * dL/dx0, because gather has no gradient kernel on WASM (and a one-hot matmul would cost two
 * [N, V] x [V, D] products).
 */
import { tf } from './tf-backend.ts';
import { forwardLogits, type LlamaModel } from './model.ts';
import { targetLogProbs } from './ops.ts';
import { implicitRewards, sftLoss, PAIR_LOSS_BY_OBJECTIVE } from './losses.ts';
import type { MicroBatch } from './batching.ts';

/** What one micro-batch contributed. */
export interface MicroBatchStats {
  /** Its share of the step loss (micro-batch losses add up to the step loss). */
  loss: number;
  /** Its share of the SFT term (already weighted, alpha included). */
  sftTerm: number;
  /** Policy sequence log-probs [2P] (chosen then rejected) for preference batches. */
  policyLogps?: Float32Array;
  realTokens: number;
  paddedTokens: number;
}

/** Sequence log-probs of a micro-batch's rows from token log-probs [B*T] and weights [B*T] -> [B]. */
function sequenceLogps(tokenLogps: tf.Tensor, weights: tf.Tensor, B: number, T: number): tf.Tensor {
  return tf.sum(tf.reshape(tf.mul(tokenLogps, weights), [B, T]), 1);
}

function lossOf(mb: MicroBatch, tokenLogps: tf.Tensor, captured: { policyLogps?: Float32Array; sftTerm?: number }): tf.Tensor {
  const sft = sftLoss(tokenLogps, tf.tensor1d(mb.sftWeights));
  captured.sftTerm = sft.dataSync()[0]!;
  const pref = mb.preference;
  if (!pref) return sft;
  const seq = sequenceLogps(tokenLogps, tf.tensor1d(pref.seqWeights), mb.B, mb.T); // [2P]
  captured.policyLogps = (seq.dataSync() as Float32Array).slice();
  const [policyChosen, policyRejected] = tf.split(seq, 2);
  const ref = tf.tensor1d(pref.refLogps);
  const [refChosen, refRejected] = tf.split(ref, 2);
  const { h } = implicitRewards(policyChosen!, policyRejected!, refChosen!, refRejected!, pref.beta);
  const pairLosses = PAIR_LOSS_BY_OBJECTIVE[pref.lossName](h, { beta: pref.beta, eps: pref.eps }); // [P]
  return tf.add(sft, tf.mul(pref.pairWeight, tf.sum(pairLosses)));
}

/**
 * Add the micro-batch's gradient (of its loss share) into `grads` (flat, model.layout order).
 * @returns the micro-batch's statistics.
 */
export function accumulateGradients(model: LlamaModel, mb: MicroBatch, grads: Float32Array): MicroBatchStats {
  const captured: { policyLogps?: Float32Array; sftTerm?: number } = {};
  const embedding = model.layout[0]!;
  const D = model.config.dim;
  const loss = tf.tidy(() => {
    const p = model.tensors();
    const names = model.layout.slice(1).map((e) => e.name);
    const x0 = tf.gather(p.get(embedding.name)!, tf.tensor1d(mb.ids, 'int32')); // [N, D]
    const oneHot = tf.oneHot(tf.tensor1d(mb.targets, 'int32'), model.config.vocabSize) as tf.Tensor; // [N, V]
    const f = (x: tf.Tensor, ...ws: tf.Tensor[]): tf.Scalar => {
      const map = new Map(names.map((n, i) => [n, ws[i]!]));
      const logits = forwardLogits(model.config, map, x, mb.B, mb.T); // [N, V]
      const tokenLogps = targetLogProbs(logits, tf.cast(oneHot, 'float32')); // [N]
      return lossOf(mb, tokenLogps, captured) as tf.Scalar;
    };
    const { value, grads: g } = tf.valueAndGrads(f)([x0, ...names.map((n) => p.get(n)!)]);
    const dx0 = g[0]!.dataSync();
    for (let i = 0; i < mb.ids.length; i++) {
      const row = embedding.offset + mb.ids[i]! * D;
      for (let d = 0; d < D; d++) grads[row + d]! += dx0[i * D + d]!;
    }
    model.layout.slice(1).forEach((e, i) => {
      const gi = g[i + 1]!.dataSync();
      for (let j = 0; j < e.size; j++) grads[e.offset + j]! += gi[j]!;
    });
    return value.dataSync()[0]!;
  });
  return { loss, sftTerm: captured.sftTerm ?? 0, policyLogps: captured.policyLogps, realTokens: mb.realTokens, paddedTokens: mb.B * mb.T };
}

/** Forward only: the weighted sequence log-probs [B] of a micro-batch (weights = preference seqWeights). */
export function sequenceLogProbs(model: LlamaModel, mb: MicroBatch): Float32Array {
  if (!mb.preference) throw new RangeError('sequenceLogProbs needs a preference micro-batch');
  const weights = mb.preference.seqWeights;
  return tf.tidy(() => {
    const p = model.tensors();
    const x0 = tf.gather(p.get(model.layout[0]!.name)!, tf.tensor1d(mb.ids, 'int32'));
    const logits = forwardLogits(model.config, p, x0, mb.B, mb.T);
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(mb.targets, 'int32'), model.config.vocabSize), 'float32');
    return (sequenceLogps(targetLogProbs(logits, oneHot), tf.tensor1d(weights), mb.B, mb.T).dataSync() as Float32Array).slice();
  });
}
