/**
 * Plain-values configuration and weight set of treecot's llama model (the `llama`
 * architecture of llama.cpp). Weight names and shapes follow GGUF exactly, so export and
 * import are copies: `token_embd.weight` [V, D], `blk.N.attn_q.weight` [D, D] (out, in), ...
 */
import { ConfigError } from '../core/errors.ts';

export interface LlamaConfig {
  /** Vocabulary size V (the tokenizer's). */
  vocabSize: number;
  /** Model width D (`llama.embedding_length`). */
  dim: number;
  /** Number of transformer blocks L. */
  layers: number;
  /** Attention heads H; head_dim = D / H (even, for RoPE pairs). */
  heads: number;
  /** SwiGLU hidden size F (`llama.feed_forward_length`). */
  ffn: number;
  /** Context length in tokens (the longest sequence trained or run). */
  context: number;
  /** RMSNorm epsilon; llama default 1e-5. */
  normEps: number;
  /** RoPE base (theta); llama default 10000. */
  ropeBase: number;
}

/** One weight: row-major `shape` (numpy order, `[out, in]` for linear maps) and its values. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** All weights by GGUF tensor name. */
export type LlamaWeights = Map<string, WeightTensor>;

/** SwiGLU hidden size used by the notes' models: 8D/3 rounded up to a multiple of 8. */
export function defaultFfn(dim: number): number {
  return Math.ceil((8 * dim) / 3 / 8) * 8;
}

/**
 * Parse a compact init spec such as "L2-d64", "L2-d64-h4", "L4-d128-h8-f344-c256".
 * Defaults: heads 4, ffn defaultFfn(dim), context 128.
 * @throws ConfigError naming `--init` for a malformed spec.
 */
export function parseInitSpec(spec: string, vocabSize: number): LlamaConfig {
  const m = /^L(\d+)-d(\d+)(?:-h(\d+))?(?:-f(\d+))?(?:-c(\d+))?$/.exec(spec);
  if (!m)
    throw new ConfigError({ file: 'command line', field: 'init' }, `"${spec}" is not a model spec; use e.g. L2-d64, L2-d64-h4-f176-c128`);
  const dim = Number(m[2]);
  const config: LlamaConfig = {
    vocabSize,
    dim,
    layers: Number(m[1]),
    heads: m[3] ? Number(m[3]) : 4,
    ffn: m[4] ? Number(m[4]) : defaultFfn(dim),
    context: m[5] ? Number(m[5]) : 128,
    normEps: 1e-5,
    ropeBase: 10000,
  };
  validateLlamaConfig(config, 'init');
  return config;
}

/** @throws ConfigError when a dimension is not a positive integer or head_dim is odd. */
export function validateLlamaConfig(config: LlamaConfig, source = 'model'): void {
  for (const key of ['vocabSize', 'dim', 'layers', 'heads', 'ffn', 'context'] as const) {
    const v = config[key];
    if (!Number.isInteger(v) || v <= 0) throw new ConfigError({ file: source, field: key }, `must be a positive integer (got ${v})`);
  }
  if (config.dim % config.heads !== 0 || (config.dim / config.heads) % 2 !== 0) {
    throw new ConfigError({ file: source, field: 'heads' }, `dim ${config.dim} must split into ${config.heads} heads of even size`);
  }
}

/** Names and shapes of every weight, in GGUF order. */
export function weightShapes(config: LlamaConfig): [string, number[]][] {
  const { vocabSize: V, dim: D, ffn: F, layers } = config;
  const out: [string, number[]][] = [['token_embd.weight', [V, D]]];
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}.`;
    out.push(
      [`${p}attn_norm.weight`, [D]],
      [`${p}attn_q.weight`, [D, D]],
      [`${p}attn_k.weight`, [D, D]],
      [`${p}attn_v.weight`, [D, D]],
      [`${p}attn_output.weight`, [D, D]],
      [`${p}ffn_norm.weight`, [D]],
      [`${p}ffn_gate.weight`, [F, D]],
      [`${p}ffn_up.weight`, [F, D]],
      [`${p}ffn_down.weight`, [D, F]],
    );
  }
  out.push(['output_norm.weight', [D]], ['output.weight', [V, D]]);
  return out;
}
