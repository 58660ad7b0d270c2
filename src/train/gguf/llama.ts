/**
 * llama.cpp's `llama` layout: metadata keys, the SPM tokenizer block and tensor names, as
 * verified with node-llama-cpp 3.21.1 in docs/llama-cpp.md sections 1-3.
 * Our model rotates adjacent pairs (LLAMA_ROPE_TYPE_NORM), so Q and K are written unpermuted.
 */
import { DataError } from '../../core/errors.ts';
import { CharTokenizer, BOS_ID, EOS_ID, UNK_ID, PAD_ID } from '../tokenizer.ts';
import { validateLlamaConfig, weightShapes, type LlamaConfig, type LlamaWeights } from '../model-config.ts';
import { encodeGguf } from './writer.ts';
import type { GgufFile, GgufTensor, GgufValue } from './format.ts';

/** GGUF metadata for a model and its tokenizer. `extra` adds string keys (e.g. `treecot.train_config`). */
export function llamaMetadata(
  config: LlamaConfig,
  tokenizer: CharTokenizer,
  name: string,
  extra: Record<string, string> = {},
): Map<string, GgufValue> {
  if (tokenizer.vocabSize !== config.vocabSize)
    throw new RangeError(`tokenizer has ${tokenizer.vocabSize} tokens, model ${config.vocabSize}`);
  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  const f32 = (value: number): GgufValue => ({ type: 'f32', value });
  const m = new Map<string, GgufValue>([
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: name }],
    ['general.file_type', u32(0)],
    ['general.alignment', u32(32)],
    ['llama.vocab_size', u32(config.vocabSize)],
    ['llama.context_length', u32(config.context)],
    ['llama.embedding_length', u32(config.dim)],
    ['llama.block_count', u32(config.layers)],
    ['llama.feed_forward_length', u32(config.ffn)],
    ['llama.attention.head_count', u32(config.heads)],
    ['llama.attention.head_count_kv', u32(config.heads)],
    ['llama.attention.layer_norm_rms_epsilon', f32(config.normEps)],
    ['llama.rope.dimension_count', u32(config.dim / config.heads)],
    ['llama.rope.freq_base', f32(config.ropeBase)],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: [...tokenizer.tokens] }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'f32', value: tokenizer.tokens.map(() => 0) }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', value: [...tokenizer.tokenTypes] }],
    ['tokenizer.ggml.bos_token_id', u32(BOS_ID)],
    ['tokenizer.ggml.eos_token_id', u32(EOS_ID)],
    ['tokenizer.ggml.unknown_token_id', u32(UNK_ID)],
    ['tokenizer.ggml.padding_token_id', u32(PAD_ID)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_space_prefix', { type: 'bool', value: false }],
  ]);
  for (const [k, v] of Object.entries(extra)) m.set(k, { type: 'string', value: v });
  return m;
}

/** GGUF bytes of a llama model: metadata + every weight (F32) in `weightShapes` order. */
export function encodeLlamaGguf(
  config: LlamaConfig,
  weights: LlamaWeights,
  tokenizer: CharTokenizer,
  name = 'treecot-llama',
  extra: Record<string, string> = {},
): Buffer {
  const tensors: GgufTensor[] = weightShapes(config).map(([tensorName, shape]) => {
    const w = weights.get(tensorName);
    if (!w) throw new RangeError(`missing weight ${tensorName}`);
    if (w.shape.join(',') !== shape.join(',')) throw new RangeError(`weight ${tensorName} has shape [${w.shape}], expected [${shape}]`);
    return { name: tensorName, shape, data: w.data };
  });
  return encodeGguf(llamaMetadata(config, tokenizer, name, extra), tensors);
}

/** A model read back from GGUF. `metadata` holds every key (e.g. `treecot.train_config`). */
export interface LlamaGguf {
  config: LlamaConfig;
  weights: LlamaWeights;
  tokenizer: CharTokenizer;
  metadata: Map<string, GgufValue>;
}

/**
 * Interpret a parsed GGUF as a treecot llama model.
 * @throws DataError naming the file and key for an architecture other than `llama`, grouped-query
 *   attention, a tokenizer that is not treecot's character tokenizer, or a missing/misshaped tensor.
 */
export function parseLlamaGguf(gguf: GgufFile, file: string): LlamaGguf {
  const md = gguf.metadata;
  const arch = md.get('general.architecture')?.value;
  if (arch !== 'llama') {
    throw new DataError(
      { file, field: 'general.architecture' },
      `unknown architecture "${String(arch)}": treecot's trainer reads only "llama" models it can run (written by treecot train)`,
    );
  }
  const num = (key: string, fallback?: number): number => {
    const v = md.get(key)?.value;
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      throw new DataError({ file, field: key }, 'missing metadata key');
    }
    return Number(v);
  };
  const heads = num('llama.attention.head_count');
  if (num('llama.attention.head_count_kv', heads) !== heads) {
    throw new DataError({ file, field: 'llama.attention.head_count_kv' }, 'grouped-query attention is not supported by the TS model');
  }
  const tokens = md.get('tokenizer.ggml.tokens')?.value as string[] | undefined;
  const types = md.get('tokenizer.ggml.token_type')?.value as number[] | undefined;
  if (!tokens || !types) throw new DataError({ file, field: 'tokenizer.ggml.tokens' }, 'no tokenizer in the file');
  const tokenizer = new CharTokenizer(CharTokenizer.tagsFromTokens(tokens, types));
  if (tokenizer.tokens.length !== tokens.length || tokenizer.tokens.some((t, i) => t !== tokens[i])) {
    throw new DataError(
      { file, field: 'tokenizer.ggml.tokens' },
      "the vocabulary is not treecot's character tokenizer; this trainer cannot tokenize for it",
    );
  }
  const config: LlamaConfig = {
    vocabSize: num('llama.vocab_size', tokens.length),
    dim: num('llama.embedding_length'),
    layers: num('llama.block_count'),
    heads,
    ffn: num('llama.feed_forward_length'),
    context: num('llama.context_length'),
    normEps: num('llama.attention.layer_norm_rms_epsilon', 1e-5),
    ropeBase: num('llama.rope.freq_base', 10000),
  };
  validateLlamaConfig(config, file);
  const rope = num('llama.rope.dimension_count', config.dim / heads);
  if (rope !== config.dim / heads)
    throw new DataError({ file, field: 'llama.rope.dimension_count' }, `partial RoPE (${rope} of ${config.dim / heads}) is not supported`);
  const weights: LlamaWeights = new Map();
  for (const [name, shape] of weightShapes(config)) {
    const t = gguf.tensors.get(name);
    if (!t) throw new DataError({ file, field: name }, 'missing tensor');
    if (t.shape.join(',') !== shape.join(','))
      throw new DataError({ file, field: name }, `shape [${t.shape}] does not match the metadata ([${shape}])`);
    weights.set(name, { shape: t.shape, data: t.data });
  }
  return { config, weights, tokenizer, metadata: md };
}
