/**
 * Save and load a trained model as GGUF (llama layout, F32, tokenizer inside), the format
 * node-llama-cpp runs. `exportGguf` / `loadGguf` are the pair other modules use.
 */
import { writeFileAtomic } from '../core/files.ts';
import { CharTokenizer } from './tokenizer.ts';
import { LlamaModel } from './model.ts';
import { encodeLlamaGguf, parseLlamaGguf, readGguf } from './gguf/index.ts';
import type { GgufValue } from './gguf/index.ts';

export interface ExportOptions {
  /** Default: `new CharTokenizer()` (the standard thought tags). */
  tokenizer?: CharTokenizer;
  /** GGUF `general.name`. */
  name?: string;
  /** Extra string metadata, e.g. `treecot.train_config` (JSON). */
  metadata?: Record<string, string>;
}

/** Write `model` to `path` as a GGUF v3 file (atomically). */
export function exportGguf(model: LlamaModel, path: string, options: ExportOptions = {}): void {
  const tokenizer = options.tokenizer ?? new CharTokenizer();
  writeFileAtomic(
    path,
    encodeLlamaGguf(model.config, model.toWeights(), tokenizer, options.name ?? 'treecot-llama', options.metadata ?? {}),
  );
}

/**
 * Read a GGUF written by exportGguf (or any F32 llama GGUF with treecot's tokenizer).
 * @throws DataError naming the file for a missing file, another architecture, or another tokenizer.
 */
export function loadGguf(path: string): { model: LlamaModel; tokenizer: CharTokenizer; metadata: Map<string, GgufValue> } {
  const { config, weights, tokenizer, metadata } = parseLlamaGguf(readGguf(path), path);
  return { model: LlamaModel.fromWeights(config, weights), tokenizer, metadata };
}
