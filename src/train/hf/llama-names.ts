/**
 * GGUF <-> Hugging Face `LlamaForCausalLM` tensor names and the RoPE row permutation.
 *
 * RoPE: treecot (and llama.cpp's `llama` arch, LLAMA_ROPE_TYPE_NORM) rotate ADJACENT pairs
 * (x[2i], x[2i+1]) of each head; transformers' `apply_rotary_pos_emb` rotates HALVES
 * (x[i], x[i + hd/2]). The same model in both conventions differs only by a permutation of the
 * rows of W_q and W_k inside each head (docs/llama-cpp.md section 3, the
 * reverse of `convert_hf_to_gguf.py`'s `permute`):
 *   HF row h*hd + j        = GGUF row h*hd + 2j
 *   HF row h*hd + hd/2 + j = GGUF row h*hd + 2j + 1        (j < hd/2)
 * V, O and the MLP are never permuted.
 */
import type { LlamaConfig } from '../model-config.ts';

/** HF name of a GGUF tensor name (e.g. `blk.0.attn_q.weight` -> `model.layers.0.self_attn.q_proj.weight`). */
export function hfTensorName(ggufName: string): string {
  const fixed: Record<string, string> = {
    'token_embd.weight': 'model.embed_tokens.weight',
    'output_norm.weight': 'model.norm.weight',
    'output.weight': 'lm_head.weight',
  };
  if (fixed[ggufName]) return fixed[ggufName]!;
  const m = /^blk\.(\d+)\.(\w+)\.weight$/.exec(ggufName);
  const part: Record<string, string> = {
    attn_norm: 'input_layernorm',
    attn_q: 'self_attn.q_proj',
    attn_k: 'self_attn.k_proj',
    attn_v: 'self_attn.v_proj',
    attn_output: 'self_attn.o_proj',
    ffn_norm: 'post_attention_layernorm',
    ffn_gate: 'mlp.gate_proj',
    ffn_up: 'mlp.up_proj',
    ffn_down: 'mlp.down_proj',
  };
  if (!m || !part[m[2]!]) throw new RangeError(`no Hugging Face name for GGUF tensor ${ggufName}`);
  return `model.layers.${m[1]}.${part[m[2]!]}.weight`;
}

/** true for the tensors whose rows follow the RoPE pair layout (W_q, W_k). */
export function isRopeRotated(ggufName: string): boolean {
  return /\.attn_[qk]\.weight$/.test(ggufName);
}

/**
 * Reorder the rows of a [heads*hd, cols] matrix between the two RoPE layouts.
 * @param direction `to-hf` (adjacent pairs -> halves) or `to-gguf` (halves -> adjacent pairs)
 */
export function permuteRopeRows(
  data: Float32Array,
  heads: number,
  headDim: number,
  cols: number,
  direction: 'to-hf' | 'to-gguf',
): Float32Array {
  const out = new Float32Array(data.length);
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < half; j++) {
      for (const [hfRow, ggufRow] of [
        [h * headDim + j, h * headDim + 2 * j],
        [h * headDim + half + j, h * headDim + 2 * j + 1],
      ] as const) {
        const [from, to] = direction === 'to-hf' ? [ggufRow, hfRow] : [hfRow, ggufRow];
        out.set(data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
  return out;
}

/** transformers `LlamaConfig` (config.json) of a treecot model. */
export function hfConfig(config: LlamaConfig, ids: { bos: number; eos: number; pad: number }): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: config.vocabSize,
    hidden_size: config.dim,
    intermediate_size: config.ffn,
    num_hidden_layers: config.layers,
    num_attention_heads: config.heads,
    num_key_value_heads: config.heads,
    head_dim: config.dim / config.heads,
    max_position_embeddings: config.context,
    rms_norm_eps: config.normEps,
    // transformers 5 reads `rope_parameters`; 4.x reads `rope_theta`. Both are written.
    rope_parameters: { rope_type: 'default', rope_theta: config.ropeBase },
    rope_theta: config.ropeBase,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: false,
    initializer_range: 0.02,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    pad_token_id: ids.pad,
    dtype: 'float32',
  };
}
