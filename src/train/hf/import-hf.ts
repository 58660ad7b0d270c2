/**
 * `treecot import-hf DIR --out MODEL.gguf`: a transformers `LlamaForCausalLM` checkpoint with
 * treecot's tokenizer (one written by export-hf, or trained from one, e.g. by TRL) back to a
 * treecot GGUF that `treecot eval`, `search --gguf` and `train --model` read.
 * Reads `model.safetensors` or the shards of `model.safetensors.index.json` (F32, F16 or BF16).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../core/errors.ts';
import { CharTokenizer } from '../tokenizer.ts';
import { LlamaModel } from '../model.ts';
import { exportGguf } from '../model-io.ts';
import { validateLlamaConfig, weightShapes, type LlamaConfig, type LlamaWeights } from '../model-config.ts';
import { readSafetensors, type NamedTensor } from './safetensors.ts';
import { hfTensorName, isRopeRotated, permuteRopeRows } from './llama-names.ts';
import { checkTokenizerJson, tagsOfTokenizerJson } from './hf-tokenizer.ts';

function readJson(file: string): Record<string, unknown> {
  if (!existsSync(file)) throw new DataError({ file }, 'file not found (is this a Hugging Face checkpoint folder?)');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new DataError({ file }, `not JSON (${(error as Error).message})`);
  }
}

/** treecot's LlamaConfig from `config.json`. @throws DataError naming the file and field. */
export function configFromHf(hf: Record<string, unknown>, file: string): LlamaConfig {
  const num = (key: string, fallback?: number): number => {
    const v = hf[key] ?? fallback;
    if (typeof v !== 'number') throw new DataError({ file, field: key }, `missing or not a number (got ${JSON.stringify(v)})`);
    return v;
  };
  if (hf.model_type !== 'llama')
    throw new DataError(
      { file, field: 'model_type' },
      `"${String(hf.model_type)}": only llama checkpoints with treecot's layout can be imported`,
    );
  const heads = num('num_attention_heads');
  if (num('num_key_value_heads', heads) !== heads)
    throw new DataError({ file, field: 'num_key_value_heads' }, 'grouped-query attention is not supported by the TS model');
  for (const key of ['attention_bias', 'mlp_bias', 'tie_word_embeddings'] as const) {
    if (hf[key] === true)
      throw new DataError({ file, field: key }, 'must be false: treecot models have no biases and an untied output head');
  }
  const ropeParameters = hf.rope_parameters as { rope_type?: string; rope_theta?: number } | undefined;
  if ((ropeParameters?.rope_type ?? 'default') !== 'default')
    throw new DataError({ file, field: 'rope_parameters.rope_type' }, `"${ropeParameters?.rope_type}": only plain RoPE is supported`);
  if (hf.hidden_act !== undefined && hf.hidden_act !== 'silu')
    throw new DataError({ file, field: 'hidden_act' }, `"${String(hf.hidden_act)}": treecot's MLP is SwiGLU (silu)`);
  const config: LlamaConfig = {
    vocabSize: num('vocab_size'),
    dim: num('hidden_size'),
    layers: num('num_hidden_layers'),
    heads,
    ffn: num('intermediate_size'),
    context: num('max_position_embeddings'),
    normEps: num('rms_norm_eps', 1e-5),
    ropeBase: ropeParameters?.rope_theta ?? num('rope_theta', 10000),
  };
  validateLlamaConfig(config, file);
  if (hf.head_dim !== undefined && hf.head_dim !== config.dim / heads)
    throw new DataError(
      { file, field: 'head_dim' },
      `${String(hf.head_dim)} must equal hidden_size / num_attention_heads (${config.dim / heads})`,
    );
  return config;
}

/** Every tensor of the checkpoint (single file or index + shards). */
function readCheckpointTensors(dir: string): { tensors: Map<string, NamedTensor>; fileOf: (name: string) => string } {
  const single = join(dir, 'model.safetensors');
  if (existsSync(single)) return { tensors: readSafetensors(single).tensors, fileOf: () => single };
  const indexFile = join(dir, 'model.safetensors.index.json');
  if (!existsSync(indexFile))
    throw new DataError(
      { file: single },
      'no model.safetensors (nor model.safetensors.index.json); PyTorch .bin checkpoints are not read, save with safe_serialization=True',
    );
  const weightMap = (readJson(indexFile).weight_map ?? {}) as Record<string, string>;
  const tensors = new Map<string, NamedTensor>();
  for (const shard of new Set(Object.values(weightMap))) {
    for (const [name, t] of readSafetensors(join(dir, shard)).tensors) tensors.set(name, t);
  }
  return { tensors, fileOf: (name) => join(dir, weightMap[name] ?? 'model.safetensors.index.json') };
}

/**
 * Read a checkpoint folder as a treecot model.
 * @throws DataError naming the file and field for another architecture, another tokenizer, or a
 *   missing/misshaped tensor.
 */
export function loadHfCheckpoint(dir: string): { model: LlamaModel; tokenizer: CharTokenizer } {
  const configFile = join(dir, 'config.json');
  const config = configFromHf(readJson(configFile), configFile);
  const tokenizerFile = join(dir, 'tokenizer.json');
  const tokenizerData = readJson(tokenizerFile);
  const tokenizer = new CharTokenizer(tagsOfTokenizerJson(tokenizerData));
  checkTokenizerJson(tokenizerData, tokenizer, tokenizerFile);
  if (tokenizer.vocabSize !== config.vocabSize)
    throw new DataError(
      { file: configFile, field: 'vocab_size' },
      `${config.vocabSize}, but tokenizer.json has ${tokenizer.vocabSize} tokens`,
    );
  const { tensors, fileOf } = readCheckpointTensors(dir);
  const headDim = config.dim / config.heads;
  const weights: LlamaWeights = new Map();
  for (const [name, shape] of weightShapes(config)) {
    const hfName = hfTensorName(name);
    const t = tensors.get(hfName);
    if (!t) throw new DataError({ file: fileOf(hfName), field: hfName }, 'missing tensor');
    if (t.shape.join(',') !== shape.join(','))
      throw new DataError({ file: fileOf(hfName), field: hfName }, `shape [${t.shape}] does not match config.json ([${shape}])`);
    weights.set(name, { shape, data: isRopeRotated(name) ? permuteRopeRows(t.data, config.heads, headDim, shape[1]!, 'to-gguf') : t.data });
  }
  return { model: LlamaModel.fromWeights(config, weights), tokenizer };
}

/**
 * Convert checkpoint folder `dir` to a GGUF at `out` (written atomically). The chat template of
 * `tokenizer_config.json`, if any, becomes `tokenizer.chat_template` (as llama.cpp's
 * convert_hf_to_gguf.py does), which llama.cpp servers use for /v1/chat/completions.
 */
export function importHf(dir: string, out: string, name = 'treecot-llama'): LlamaModel {
  const { model, tokenizer } = loadHfCheckpoint(dir);
  const metadata: Record<string, string> = { 'treecot.imported_from': dir };
  const configFile = join(dir, 'tokenizer_config.json');
  const template = existsSync(configFile) ? readJson(configFile).chat_template : undefined;
  if (typeof template === 'string') metadata['tokenizer.chat_template'] = template;
  exportGguf(model, out, { tokenizer, name, metadata });
  return model;
}
