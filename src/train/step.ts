/**
 * Loss and gradients of one micro-batch (what each data-parallel worker runs). The embedding is
 * looked up in JS outside the tape (LlamaModel.embed) and its gradient is scattered back in JS from
 * dL/dx0, because gather has no gradient kernel on WASM (and a one-hot matmul would cost two
 * [N, V] x [V, D] products). The output head runs only at positions that carry a loss weight
 * (response tokens; prompt and masked prefix positions are skipped).
 */
import { tf } from './tf-backend.ts';
import { forwardLogits, type LlamaModel } from './model.ts';
import { mm, targetLogProbs } from './ops.ts';
import { implicitRewards, jointLoss, sftLoss, PREFERENCE_LOSSES } from './losses.ts';
import type { MicroBatch } from './batching.ts';

/** What one micro-batch contributed. */
export interface MicroBatchStats {
  /** Its share of the step loss (micro-batch losses add up to the step loss). */
  loss: number;
  /** Its share of the SFT term (already weighted, alpha included). */
  sftTerm: number;
  /** Policy sequence log-probs [2P] (chosen then rejected) for preference batches. */
  policyLogps?: Float32Array;
  /** Implicit rewards beta * (log pi - log ref) [P] of the chosen and rejected responses, as the loss computed them. */
  rewards?: { chosen: Float32Array; rejected: Float32Array };
  /** Tokens that carry an SFT weight (SFT responses; chosen responses of the joint loss), and of them the ones whose argmax is the target. */
  sftTokens: number;
  sftTokensCorrect: number;
  realTokens: number;
  paddedTokens: number;
}

/** The positions of a micro-batch that carry a loss weight, compacted. */
export interface LossPositions {
  /** Positions in [B*T] (row-major), M of them (at least 1). */
  index: Int32Array;
  /** Target token of each. */
  targets: Int32Array;
  /** SFT weight of each. */
  sftWeights: Float32Array;
  /** Sequence weight of each (preference batches). */
  seqWeights?: Float32Array;
  /** Row membership [B, M]: 1 where position j belongs to row b (preference batches). */
  membership?: Float32Array;
}

export function lossPositions(mb: MicroBatch): LossPositions {
  const seq = mb.preference?.seqWeights;
  const picked: number[] = [];
  for (let p = 0; p < mb.B * mb.T; p++) if (mb.sftWeights[p] !== 0 || (seq && seq[p] !== 0)) picked.push(p);
  if (picked.length === 0) picked.push(0); // weight 0: keeps shapes non-empty
  const index = Int32Array.from(picked);
  const M = index.length;
  const out: LossPositions = {
    index,
    targets: Int32Array.from(index, (p) => mb.targets[p]!),
    sftWeights: Float32Array.from(index, (p) => mb.sftWeights[p]!),
  };
  if (seq) {
    out.seqWeights = Float32Array.from(index, (p) => seq[p]!);
    out.membership = new Float32Array(mb.B * M);
    index.forEach((p, j) => {
      out.membership![Math.floor(p / mb.T) * M + j] = 1;
    });
  }
  return out;
}

/**
 * Token log-probs [M] at the loss positions. With `captured`, also counts the SFT-weighted positions
 * whose argmax token is the target (TRL's `mean_token_accuracy`): one argMax over the [M, V] logits
 * the loss needs anyway, read outside the gradient.
 */
export function lossTokenLogps(
  model: LlamaModel,
  p: Map<string, tf.Tensor>,
  x0: tf.Tensor,
  mb: MicroBatch,
  at: LossPositions,
  captured?: Captured,
): tf.Tensor {
  const logits = forwardLogits(model.config, p, x0, mb.B, mb.T, tf.tensor1d(at.index, 'int32')); // [M, V]
  if (captured) Object.assign(captured, sftTokenAccuracy(logits, at));
  const oneHot = tf.cast(tf.oneHot(tf.tensor1d(at.targets, 'int32'), model.config.vocabSize), 'float32'); // [M, V]
  return targetLogProbs(logits, oneHot);
}

/** SFT-weighted positions, and of them those whose argmax over the vocabulary is the target token. */
export function sftTokenAccuracy(logits: tf.Tensor, at: LossPositions): { sftTokens: number; sftTokensCorrect: number } {
  let sftTokens = 0;
  for (const w of at.sftWeights) if (w !== 0) sftTokens++;
  if (sftTokens === 0) return { sftTokens, sftTokensCorrect: 0 };
  const argmax = tf.argMax(logits, 1).dataSync();
  let sftTokensCorrect = 0;
  at.sftWeights.forEach((w, j) => {
    if (w !== 0 && argmax[j] === at.targets[j]) sftTokensCorrect++;
  });
  return { sftTokens, sftTokensCorrect };
}

/** Sequence log-probs [B] = sum over each row's loss positions of weight x token log-prob. */
function sequenceLogps(tokenLogps: tf.Tensor, at: LossPositions, B: number): tf.Tensor {
  const M = at.index.length;
  const weighted = tf.reshape(tf.mul(tokenLogps, tf.tensor1d(at.seqWeights!)), [M, 1]);
  return tf.reshape(mm(tf.tensor2d(at.membership!, [B, M]), weighted), [B]);
}

/** What the loss computation hands back besides the loss (read with dataSync inside the tape). */
interface Captured {
  sftTerm?: number;
  policyLogps?: Float32Array;
  rewards?: { chosen: Float32Array; rejected: Float32Array };
  sftTokens?: number;
  sftTokensCorrect?: number;
}

/**
 * The micro-batch's share of the step loss, built from the named functions of losses.ts: `sftLoss`
 * alone for SFT batches; for preference batches the pair loss of `PREFERENCE_LOSSES` on the implicit
 * reward margin, joined with the SFT term on the chosen responses by `jointLoss` (weight alpha).
 */
export function lossOf(mb: MicroBatch, at: LossPositions, tokenLogps: tf.Tensor, captured: Captured = {}): tf.Tensor {
  const sft = sftLoss(tokenLogps, tf.tensor1d(at.sftWeights));
  const pref = mb.preference;
  if (!pref) {
    captured.sftTerm = sft.dataSync()[0]!;
    return sft;
  }
  const seq = sequenceLogps(tokenLogps, at, mb.B); // [2P]
  captured.policyLogps = (seq.dataSync() as Float32Array).slice();
  const [policyChosen, policyRejected] = tf.split(seq, 2);
  const [refChosen, refRejected] = tf.split(tf.tensor1d(pref.refLogps), 2);
  const rewards = implicitRewards(policyChosen!, policyRejected!, refChosen!, refRejected!, pref.beta); // each [P]
  captured.rewards = {
    chosen: (rewards.chosen.dataSync() as Float32Array).slice(),
    rejected: (rewards.rejected.dataSync() as Float32Array).slice(),
  };
  const pairLosses = PREFERENCE_LOSSES[pref.lossType](rewards.h, { labelSmoothing: pref.labelSmoothing }); // [P]
  const preference = tf.mul(pref.pairWeight, tf.sum(pairLosses));
  captured.sftTerm = pref.sftWeight * sft.dataSync()[0]!;
  return pref.sftWeight > 0 ? jointLoss(preference, sft, pref.sftWeight) : preference;
}

/**
 * Add the micro-batch's gradient (of its loss share) into `grads` (flat, model.layout order).
 * @returns the micro-batch's statistics.
 */
export function accumulateGradients(model: LlamaModel, mb: MicroBatch, grads: Float32Array): MicroBatchStats {
  const captured: Captured = {};
  const embedding = model.embeddingEntry;
  const D = model.config.dim;
  const at = lossPositions(mb);
  const loss = tf.tidy(() => {
    const p = model.tensors();
    const trainable = model.layout.filter((e) => e !== embedding); // the embedding's gradient comes from dx0 below
    const names = trainable.map((e) => e.name);
    const x0 = model.embed(mb.ids); // [N, D]
    const f = (x: tf.Tensor, ...ws: tf.Tensor[]): tf.Scalar => {
      const map = new Map(names.map((n, i) => [n, ws[i]!]));
      return lossOf(mb, at, lossTokenLogps(model, map, x, mb, at, captured), captured) as tf.Scalar;
    };
    const { value, grads: g } = tf.valueAndGrads(f)([x0, ...names.map((n) => p.get(n)!)]);
    const dx0 = g[0]!.dataSync();
    for (let i = 0; i < mb.ids.length; i++) {
      const row = embedding.offset + mb.ids[i]! * D;
      for (let d = 0; d < D; d++) grads[row + d]! += dx0[i * D + d]!;
    }
    trainable.forEach((e, i) => {
      const gi = g[i + 1]!.dataSync();
      for (let j = 0; j < e.size; j++) grads[e.offset + j]! += gi[j]!;
    });
    return value.dataSync()[0]!;
  });
  return {
    loss,
    sftTerm: captured.sftTerm ?? 0,
    policyLogps: captured.policyLogps,
    rewards: captured.rewards,
    sftTokens: captured.sftTokens ?? 0,
    sftTokensCorrect: captured.sftTokensCorrect ?? 0,
    realTokens: mb.realTokens,
    paddedTokens: mb.B * mb.T,
  };
}

/** Forward only: the weighted sequence log-probs [B] of a preference micro-batch (its seqWeights). */
export function sequenceLogProbs(model: LlamaModel, mb: MicroBatch): Float32Array {
  if (!mb.preference) throw new RangeError('sequenceLogProbs needs a preference micro-batch');
  const at = lossPositions(mb);
  return tf.tidy(() => {
    const p = model.tensors();
    return (sequenceLogps(lossTokenLogps(model, p, model.embed(mb.ids), mb, at), at, mb.B).dataSync() as Float32Array).slice();
  });
}
