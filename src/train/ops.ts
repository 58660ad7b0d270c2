/**
 * tfjs building blocks with hand-written gradients where the WASM backend is slow or lacks a
 * kernel. On tfjs-backend-wasm 4.22 a matMul with transposeA/transposeB runs 10-20x slower than
 * an explicit `transpose` followed by a plain matMul (measured here: dW for [5000,64]x[5000,176]
 * 284 ms vs 15 ms), so `mm` computes its gradients that way. `targetLogProbs` fuses
 * log-softmax + target pick (no gather gradient on WASM: UnsortedSegmentSum is missing).
 */
import { tf } from './tf-backend.ts';

/** Swap the last two axes. */
export function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tf.transpose(t, perm);
}

/**
 * Plain (batched) matrix product a [..., M, K] x b [..., K, N] -> [..., M, N], batch dims equal.
 * Gradients: da = dy x b^T, db = a^T x dy, each with an explicit transpose.
 */
export const mm = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy, swapLast(saved[1]!)), tf.matMul(swapLast(saved[0]!), dy)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  a: tf.Tensor,
  b: tf.Tensor,
) => tf.Tensor;

/**
 * Log-probability of each row's target: logits [N, V], oneHot [N, V] (1 at the target) -> [N].
 * value = logits[t] - logsumexp(logits); d/dlogits = dy * (oneHot - softmax(logits)).
 */
export const targetLogProbs = tf.customGrad(((logits: tf.Tensor, oneHot: tf.Tensor, save: tf.GradSaveFunc) => {
  const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
  save([logp, oneHot]);
  return {
    value: tf.sum(tf.mul(logp, oneHot), -1),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(tf.expandDims(dy, -1), tf.sub(saved[1]!, tf.exp(saved[0]!))), tf.zerosLike(saved[1]!)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  logits: tf.Tensor,
  oneHot: tf.Tensor,
) => tf.Tensor;

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * gain (llama.cpp `rms_norm` then mul). */
export function rmsNorm(x: tf.Tensor, gain: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), gain);
}

/**
 * cos/sin tables for rotary embeddings over adjacent pairs (llama.cpp LLAMA_ROPE_TYPE_NORM):
 * pair i of every head, (x[2i], x[2i+1]), is rotated by angle pos * base^(-2i/headDim).
 * Returned as [T, D] tables `cos` and `sinSigned` (-sin on even lanes, +sin on odd lanes), so
 * rope(x) = x * cos + swapPairs(x) * sinSigned.
 */
export function ropeTables(T: number, dim: number, heads: number, base: number): { cos: Float32Array; sinSigned: Float32Array } {
  const hd = dim / heads;
  const cos = new Float32Array(T * dim);
  const sinSigned = new Float32Array(T * dim);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < hd / 2; i++) {
        const angle = t * Math.pow(base, (-2 * i) / hd);
        const o = t * dim + h * hd + 2 * i;
        cos[o] = cos[o + 1] = Math.cos(angle);
        sinSigned[o] = -Math.sin(angle);
        sinSigned[o + 1] = Math.sin(angle);
      }
    }
  }
  return { cos, sinSigned };
}

/** Apply RoPE to x [B, T, D] with tables [T, D] (see ropeTables). */
export function rope(x: tf.Tensor, cos: tf.Tensor, sinSigned: tf.Tensor): tf.Tensor {
  const [B, T, D] = x.shape as [number, number, number];
  const swapped = tf.reshape(tf.reverse(tf.reshape(x, [B, T, D / 2, 2]), -1), [B, T, D]);
  return tf.add(tf.mul(x, cos), tf.mul(swapped, sinSigned));
}

/**
 * log sigmoid(x), computed stably as min(x, 0) - log1p(exp(-|x|)), with gradient sigmoid(-x).
 * (tfjs's own `logSigmoid` closes over a tensor that `tidy` may dispose before its gradient runs.)
 */
export const logSigmoid = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.sub(tf.minimum(x, 0), tf.log1p(tf.exp(tf.neg(tf.abs(x))))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, tf.sigmoid(tf.neg(saved[0]!)))],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
