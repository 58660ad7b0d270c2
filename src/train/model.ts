/**
 * treecot's decoder-only llama model in TensorFlow.js (nanoGPT `model.py` in spirit): RMSNorm
 * (eps 1e-5) before attention and MLP, rotary embeddings over adjacent pairs (llama.cpp
 * LLAMA_ROPE_TYPE_NORM, so GGUF export needs no Q/K permutation), multi-head causal attention,
 * SwiGLU MLP `down(silu(gate x) * up x)`, no biases, untied output head.
 *
 * Parameters live in ONE flat Float32Array (`LlamaModel.params`), laid out by `paramLayout`;
 * optimisers, workers and checkpoints move that array. Linear weights are stored [in, out]
 * (x @ W with no transpose, the fast path on WASM); GGUF stores them [out, in], so
 * `toWeights`/`fromWeights` transpose. The embedding is [V, D] in both.
 */
import { tf } from './tf-backend.ts';
import { attention, mm, rmsNorm, rope, ropeTables, selectRows } from './ops.ts';
import { initWeights } from './init.ts';
import { weightShapes, type LlamaConfig, type LlamaWeights } from './model-config.ts';

/** GGUF name of the token embedding [V, D], the one matrix stored untransposed and read in JS (embed). */
export const EMBEDDING_NAME = 'token_embd.weight';

/** One parameter's place in the flat array. */
export interface ParamEntry {
  /** GGUF tensor name. */
  name: string;
  /** Shape in the flat array ([in, out] for linear weights). */
  shape: number[];
  /** Shape in GGUF ([out, in] for linear weights). */
  ggufShape: number[];
  offset: number;
  size: number;
  /** true when the flat array holds the transpose of the GGUF tensor. */
  transposed: boolean;
  /** AdamW weight decay applies (matrices only). */
  decay: boolean;
}

/** Layout of the flat parameter array, in GGUF tensor order. */
export function paramLayout(config: LlamaConfig): ParamEntry[] {
  let offset = 0;
  return weightShapes(config).map(([name, ggufShape]) => {
    const size = ggufShape.reduce((a, b) => a * b, 1);
    const transposed = ggufShape.length === 2 && name !== EMBEDDING_NAME;
    const shape = transposed ? [ggufShape[1]!, ggufShape[0]!] : ggufShape;
    const entry = { name, shape, ggufShape, offset, size, transposed, decay: ggufShape.length === 2 };
    offset += size;
    return entry;
  });
}

function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c]!;
  return out;
}

export class LlamaModel {
  readonly layout: ParamEntry[];
  readonly params: Float32Array;

  /** @param params flat parameters (copied by nobody: the model owns this array). */
  constructor(
    readonly config: LlamaConfig,
    params?: Float32Array,
  ) {
    this.layout = paramLayout(config);
    const total = this.layout.reduce((n, e) => n + e.size, 0);
    if (params && params.length !== total) throw new RangeError(`expected ${total} parameters, got ${params.length}`);
    this.params = params ?? new Float32Array(total);
  }

  /** A freshly initialised model (normal 0.02, residual projections / sqrt(2L)); seeded. */
  static init(config: LlamaConfig, seed: number): LlamaModel {
    return LlamaModel.fromWeights(config, initWeights(config, seed));
  }

  /** From GGUF-oriented weights (e.g. `loadGguf`). */
  static fromWeights(config: LlamaConfig, weights: LlamaWeights): LlamaModel {
    const model = new LlamaModel(config);
    for (const e of model.layout) {
      const w = weights.get(e.name);
      if (!w) throw new RangeError(`missing weight ${e.name}`);
      model.params.set(e.transposed ? transpose2d(w.data, e.ggufShape[0]!, e.ggufShape[1]!) : w.data, e.offset);
    }
    return model;
  }

  /** GGUF-oriented weights (copies). */
  toWeights(): LlamaWeights {
    const out: LlamaWeights = new Map();
    for (const e of this.layout) {
      const view = this.params.subarray(e.offset, e.offset + e.size);
      out.set(e.name, { shape: e.ggufShape, data: e.transposed ? transpose2d(view, e.shape[0]!, e.shape[1]!) : view.slice() });
    }
    return out;
  }

  /** The token embedding's entry in the layout, found by its GGUF name (not by position). */
  get embeddingEntry(): ParamEntry {
    const entry = this.layout.find((e) => e.name === EMBEDDING_NAME);
    if (!entry) throw new RangeError(`the parameter layout has no ${EMBEDDING_NAME}`);
    return entry;
  }

  get parameterCount(): number {
    return this.params.length;
  }

  /**
   * Parameters as tfjs tensors by name (caller disposes, e.g. inside tf.tidy), all but the token
   * embedding: it is read in JS by `embed`, so uploading it to the backend would be wasted work.
   */
  tensors(): Map<string, tf.Tensor> {
    const embedding = this.embeddingEntry;
    return new Map(
      this.layout
        .filter((e) => e !== embedding)
        .map((e) => [e.name, tf.tensor(this.params.subarray(e.offset, e.offset + e.size), e.shape)]),
    );
  }

  /**
   * Embedded tokens [N, D] for token ids [N]: rows of the embedding copied in JS from the flat array.
   * (tfjs-backend-wasm's GatherV2 took 7.2 ms for 1,728 rows of 64 here; the copy takes ~0.1 ms.)
   * @throws RangeError for an id outside [0, vocabSize)
   */
  embed(ids: Int32Array): tf.Tensor2D {
    const D = this.config.dim;
    const V = this.config.vocabSize;
    const { offset } = this.embeddingEntry;
    const table = this.params.subarray(offset, offset + V * D);
    const out = new Float32Array(ids.length * D);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < V)) throw new RangeError(`token id ${id} at position ${i} is outside the vocabulary [0, ${V})`);
      out.set(table.subarray(id * D, id * D + D), i * D);
    }
    return tf.tensor2d(out, [ids.length, D]);
  }

  /**
   * Next-token logits for token ids [B, T] (row-major, B rows of length T, right-padded).
   * @returns Float32Array [B * T * V]. Runs forward only.
   */
  logits(ids: Int32Array, B: number, T: number): Float32Array {
    return tf.tidy(() => {
      const p = this.tensors();
      return forwardLogits(this.config, p, this.embed(ids), B, T).dataSync() as Float32Array;
    });
  }

  /**
   * Greedy continuation of `prompt` (token ids, BOS included by the caller): up to `maxTokens`
   * new tokens, stopping after any id in `stopIds`. No KV cache (the TS model is for training;
   * llama.cpp runs exported models fast). Returns new ids and the logits of each step [V].
   */
  greedy(prompt: readonly number[], maxTokens: number, stopIds: readonly number[] = []): { tokens: number[]; stepLogits: Float32Array[] } {
    const seq = [...prompt];
    const tokens: number[] = [];
    const stepLogits: Float32Array[] = [];
    const V = this.config.vocabSize;
    for (let i = 0; i < maxTokens && seq.length < this.config.context; i++) {
      const all = this.logits(Int32Array.from(seq), 1, seq.length);
      const last = all.slice((seq.length - 1) * V, seq.length * V);
      let best = 0;
      for (let v = 1; v < V; v++) if (last[v]! > last[best]!) best = v;
      stepLogits.push(last);
      tokens.push(best);
      seq.push(best);
      if (stopIds.includes(best)) break;
    }
    return { tokens, stepLogits };
  }
}

const constantCache = new Map<string, { cos: tf.Tensor; sinSigned: tf.Tensor; mask: tf.Tensor }>();

/** RoPE tables [T, D] and the additive causal mask [T, 1, T] for length T (cached per thread). */
function constantsFor(config: LlamaConfig, T: number): { cos: tf.Tensor; sinSigned: tf.Tensor; mask: tf.Tensor } {
  const key = `${config.dim}/${config.heads}/${config.ropeBase}/${T}`;
  let c = constantCache.get(key);
  if (!c) {
    const { cos, sinSigned } = ropeTables(T, config.dim, config.heads, config.ropeBase);
    const mask = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -1e9;
    c = {
      cos: tf.keep(tf.tensor2d(cos, [T, config.dim])),
      sinSigned: tf.keep(tf.tensor2d(sinSigned, [T, config.dim])),
      mask: tf.keep(tf.tensor3d(mask, [T, 1, T])),
    };
    constantCache.set(key, c);
  }
  return c;
}

/**
 * The transformer from embedded tokens to logits.
 * @param p parameter tensors by GGUF name (flat-array orientation, see paramLayout)
 * @param x0 embedded tokens [B*T, D]
 * @param rows optional int32 [M]: positions (row-major in [B, T]) whose logits are needed; the output
 *   head then runs on those M positions only (positions without a loss cost nothing there)
 * @returns logits [B*T, V], or [M, V] with `rows`
 */
export function forwardLogits(
  config: LlamaConfig,
  p: Map<string, tf.Tensor>,
  x0: tf.Tensor,
  B: number,
  T: number,
  rows?: tf.Tensor,
): tf.Tensor {
  const { dim: D, heads: H, normEps: eps } = config;
  const hd = D / H;
  const { cos, sinSigned, mask } = constantsFor(config, T);
  const w = (name: string): tf.Tensor => p.get(name)!;
  let x = x0; // [N, D], N = B*T
  for (let l = 0; l < config.layers; l++) {
    const b = `blk.${l}.`;
    const h = rmsNorm(x, w(`${b}attn_norm.weight`), eps); // [N, D]
    const q = rope(mm(h, w(`${b}attn_q.weight`)), cos, sinSigned, B); // [B, T, D]
    const k = rope(mm(h, w(`${b}attn_k.weight`)), cos, sinSigned, B); // [B, T, D]
    const v = mm(h, w(`${b}attn_v.weight`)); // [N, D]
    const timeMajor = (t: tf.Tensor): tf.Tensor => tf.reshape(tf.transpose(tf.reshape(t, [B, T, D]), [1, 0, 2]), [T, B * H, hd]); // [T, BH, hd]
    const attn = attention(timeMajor(tf.mul(q, 1 / Math.sqrt(hd))), timeMajor(k), timeMajor(v), mask); // [T, BH, hd]
    const merged = tf.reshape(tf.transpose(tf.reshape(attn, [T, B, D]), [1, 0, 2]), [B * T, D]); // [N, D]
    x = tf.add(x, mm(merged, w(`${b}attn_output.weight`)));
    const h2 = rmsNorm(x, w(`${b}ffn_norm.weight`), eps); // [N, D]
    const gate = mm(h2, w(`${b}ffn_gate.weight`)); // [N, F]
    const up = mm(h2, w(`${b}ffn_up.weight`)); // [N, F]
    x = tf.add(x, mm(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), w(`${b}ffn_down.weight`))); // [N, D]
  }
  const hidden = rows ? selectRows(x, rows) : x; // [M, D] or [N, D]
  return mm(rmsNorm(hidden, w('output_norm.weight'), eps), w('output.weight')); // [M or N, V]
}
