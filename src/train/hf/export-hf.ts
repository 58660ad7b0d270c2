/**
 * `treecot export-hf MODEL.gguf --out DIR`: a treecot GGUF as a transformers-loadable
 * `LlamaForCausalLM` checkpoint (config.json, model.safetensors, generation_config.json,
 * tokenizer.json, tokenizer_config.json with treecot's chat template, special_tokens_map.json).
 * Weights stay F32; W_q and W_k rows are permuted to transformers' rotate-half RoPE (llama-names.ts).
 */
import { join } from 'node:path';
import { BOS_ID, EOS_ID, PAD_ID } from '../tokenizer.ts';
import { loadGguf } from '../model-io.ts';
import { writeFilesStaged } from '../../data/write-dataset.ts';
import { encodeSafetensors, type NamedTensor } from './safetensors.ts';
import { hfConfig, hfTensorName, isRopeRotated, permuteRopeRows } from './llama-names.ts';
import { tokenizerConfigFiles, tokenizerJson } from './hf-tokenizer.ts';

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The checkpoint's files (relative path -> content) for a GGUF file. */
export function renderHfCheckpoint(ggufPath: string): Map<string, string | Uint8Array> {
  const { model, tokenizer, metadata } = loadGguf(ggufPath);
  const config = model.config;
  const headDim = config.dim / config.heads;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, w] of model.toWeights()) {
    const data = isRopeRotated(name) ? permuteRopeRows(w.data, config.heads, headDim, w.shape[1]!, 'to-hf') : w.data;
    tensors.set(hfTensorName(name), { shape: w.shape, data });
  }
  const ids = { bos: BOS_ID, eos: EOS_ID, pad: PAD_ID };
  const { config: tokenizerConfig, specialTokensMap } = tokenizerConfigFiles(tokenizer, config.context);
  const sourceName = String(metadata.get('general.name')?.value ?? 'treecot-llama');
  return new Map<string, string | Uint8Array>([
    ['config.json', json(hfConfig(config, ids))],
    ['generation_config.json', json({ bos_token_id: BOS_ID, eos_token_id: EOS_ID, pad_token_id: PAD_ID })],
    ['model.safetensors', encodeSafetensors(tensors, { format: 'pt', 'treecot.source': sourceName })],
    ['tokenizer.json', json(tokenizerJson(tokenizer))],
    ['tokenizer_config.json', json(tokenizerConfig)],
    ['special_tokens_map.json', json(specialTokensMap)],
  ]);
}

/** Write the checkpoint of `ggufPath` to `outDir` (staged, then renamed: nothing half-written). */
export function exportHf(ggufPath: string, outDir: string): string[] {
  const files = renderHfCheckpoint(ggufPath);
  writeFilesStaged(outDir, files);
  return [...files.keys()].map((f) => join(outDir, f));
}
