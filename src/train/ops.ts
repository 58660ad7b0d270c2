/**
 * tfjs building blocks with hand-written gradients where the WASM backend is slow or lacks a
 * kernel. On tfjs-backend-wasm 4.22 a matMul with transposeA/transposeB runs 10-20x slower than
 * an explicit `transpose` followed by a plain matMul (measured here: dW for [5000,64]x[5000,176]
 * 284 ms vs 15 ms), so `mm` computes its gradients that way. `targetLogProbs` fuses
 * log-softmax + target pick (no gather gradient on WASM: UnsortedSegmentSum is missing);
 * `attention` runs its products as depthwise convolutions.
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
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * Log-probability of each row's target: logits [N, V], oneHot [N, V] (1 at the target) -> [N].
 * value = x_t - max(x) + log(max(softmax(x))) (= x_t - logsumexp(x), since the arg-max's
 * probability is exp(max - logsumexp) >= 1/V and never underflows); d/dlogits = dy * (oneHot - softmax).
 * Built on the Softmax kernel because the WASM Exp/logSumExp kernels are ~10x slower per element.
 */
export const targetLogProbs = tf.customGrad(((logits: tf.Tensor, oneHot: tf.Tensor, save: tf.GradSaveFunc) => {
  const probs = tf.softmax(logits);
  save([probs, oneHot]);
  const targetLogit = tf.sum(tf.mul(logits, oneHot), -1);
  return {
    value: tf.add(tf.sub(targetLogit, tf.max(logits, -1)), tf.log(tf.max(probs, -1))),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(tf.expandDims(dy, -1), tf.sub(saved[1]!, saved[0]!)), tf.zerosLike(saved[1]!)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (logits: tf.Tensor, oneHot: tf.Tensor) => tf.Tensor;

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

const pairSwapCache = new Map<number, tf.Tensor>();

/** [D, D] permutation matrix that swaps lanes 2i and 2i+1 (symmetric, its own inverse). */
function pairSwapMatrix(D: number): tf.Tensor {
  let m = pairSwapCache.get(D);
  if (!m) {
    const data = new Float32Array(D * D);
    for (let i = 0; i < D; i++) data[i * D + (i ^ 1)] = 1;
    m = tf.keep(tf.tensor2d(data, [D, D]));
    pairSwapCache.set(D, m);
  }
  return m;
}

/**
 * Swap adjacent lanes of x [N, D] as x @ P (P a symmetric permutation, so the gradient is dy @ P).
 * A plain matMul on WASM is ~4x faster than `tf.reverse` over a size-2 axis (measured here).
 */
const swapPairs = tf.customGrad(((x: tf.Tensor) => {
  const P = pairSwapMatrix(x.shape[1]!);
  return { value: tf.matMul(x, P), gradFunc: (dy: tf.Tensor) => [tf.matMul(dy, P)] };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/** Apply RoPE to x [N, D] (N = B*T rows, position = row mod T) with tables [T, D] (see ropeTables). */
export function rope(x: tf.Tensor, cos: tf.Tensor, sinSigned: tf.Tensor, B: number): tf.Tensor {
  const [N, D] = x.shape as [number, number];
  const T = N / B;
  const x3 = tf.reshape(x, [B, T, D]);
  return tf.add(tf.mul(x3, cos), tf.mul(tf.reshape(swapPairs(x), [B, T, D]), sinSigned)); // [B, T, D]
}

/**
 * Per-channel matrix product by depthwise convolution, in the layouts the attention keeps:
 * x [M, K, C] and filter [K, C, N] -> [M, C, N], out[m, c, n] = sum_k x[m, k, c] * f[k, c, n].
 * tfjs-backend-wasm runs batched matMul on a slow generic loop but depthwise conv on XNNPACK
 * (measured here: 3-6x less CPU for attention shapes when no transposes are needed).
 */
function channelProduct(x: tf.Tensor, f: tf.Tensor): tf.Tensor {
  const [M, K, C] = x.shape as [number, number, number];
  const N = f.shape[2]!;
  const out = tf.depthwiseConv2d(tf.reshape(x, [1, M, K, C]) as tf.Tensor4D, tf.reshape(f, [1, K, C, N]) as tf.Tensor4D, 1, 'valid'); // [1, M, 1, C*N]
  return tf.reshape(out, [M, C, N]);
}

/**
 * Causal softmax attention over C = batch x heads channels, kept time-major so every product is a
 * depthwise convolution (channelProduct) and only 1 large transpose runs forward (3 backward).
 * @param q queries [T, C, hd], already scaled by 1/sqrt(hd)
 * @param k keys [T, C, hd]; v values [T, C, hd]
 * @param mask additive mask [T, 1, T] (0 allowed, -1e9 masked)
 * @returns [T, C, hd], out[i, c] = sum_j softmax_j(q[i, c] . k[j, c] + mask[i, j]) v[j, c]
 */
export const attention = tf.customGrad(((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor, save: tf.GradSaveFunc) => {
  const scores = tf.add(channelProduct(tf.transpose(q, [0, 2, 1]), tf.transpose(k, [2, 1, 0])), mask); // [Ti, C, Tj]
  const probs = tf.softmax(scores); // [Ti, C, Tj]
  save([q, k, v, probs]);
  return {
    value: channelProduct(tf.transpose(probs, [0, 2, 1]), v), // [Ti, C, hd]
    gradFunc: (dOut: tf.Tensor, saved: tf.Tensor[]) => {
      const [sq, sk, sv, p] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dProbs = channelProduct(tf.transpose(dOut, [0, 2, 1]), tf.transpose(sv, [2, 1, 0])); // [Ti, C, Tj]
      const dV = channelProduct(tf.transpose(p, [2, 0, 1]), dOut); // [Tj, C, hd]
      const dScores = tf.mul(p, tf.sub(dProbs, tf.sum(tf.mul(dProbs, p), -1, true))); // [Ti, C, Tj]
      const dQ = channelProduct(tf.transpose(dScores, [0, 2, 1]), sk); // [Ti, C, hd]
      const dK = channelProduct(tf.transpose(dScores, [2, 0, 1]), sq); // [Tj, C, hd]
      return [dQ, dK, dV, tf.zerosLike(mask)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: tf.Tensor,
) => tf.Tensor;

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

/**
 * Rows `rows` (int32 [M]) of x [N, D] -> [M, D], with the gradient scattered back (ScatterNd):
 * gather alone has no gradient kernel on WASM. Used to run the output head only where a loss is taken.
 */
export const selectRows = tf.customGrad(((x: tf.Tensor, rows: tf.Tensor, save: tf.GradSaveFunc) => {
  save([rows]);
  const shape = x.shape;
  return {
    value: tf.gather(x, rows),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(tf.expandDims(saved[0]!, 1), dy, shape), tf.zerosLike(saved[0]!)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, rows: tf.Tensor) => tf.Tensor;
