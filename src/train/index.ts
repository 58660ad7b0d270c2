/**
 * treecot's TypeScript trainer (issue 5): a small llama model in tfjs-WASM, SFT / DPO / cDPO /
 * joint losses, data-parallel training over worker threads, GGUF export/import.
 *
 * Usage (library):
 * ```ts
 * import { train, loadGguf, exportGguf } from './src/train/index.ts';
 * const result = await train({
 *   sftRows: [{ prompt: 'How many r in strawberry?', completion: '<answer>3</answer>' }, ...],
 *   init: 'L2-d64',          // fresh model (layers, dim; -h heads -f ffn -c context, default h4, ffn 8d/3, c128)
 *   tokens: 5e6,             // budget: one of steps | epochs | tokens (real prompt+response tokens)
 *   batch: 32, workers: 2,   // rows per step = batch x accum x workers
 *   lr: 3e-3, seed: 1,
 *   out: 'model.gguf', log: 'train.jsonl', progress: true,
 *   onStep: async (record, model) => { ... },   // e.g. evaluate every N steps
 * });
 * // preference training: preferenceRows [{prompt, chosen, rejected, common_prefix_chars}],
 * // lossType ['sigmoid'] or ['sigmoid', 'sft'] (TRL names), lossWeights [1, alpha], labelSmoothing eps,
 * // beta, maskPrefix, lengthNormalize, modelPath; or objective 'dpo' | 'cdpo' | 'cdpo+sft' with eps, alpha.
 * const { model, tokenizer } = loadGguf('model.gguf');   // model.greedy(ids, n), model.logits(ids, B, T)
 * exportGguf(model, 'copy.gguf', { tokenizer });
 * ```
 * Sequence = BOS + prompt + completion + EOS; the loss covers completion tokens + EOS.
 * The tokenizer (`CharTokenizer`) and GGUF writer are usable alone (`encodeLlamaGguf`).
 */
export * from './tokenizer.ts';
export * from './model-config.ts';
export { initWeights } from './init.ts';
export * from './gguf/index.ts';
export * from './hf/index.ts';
export * from './builtin/index.ts';
export { LlamaModel, paramLayout, type ParamEntry } from './model.ts';
export { initTf } from './tf-backend.ts';
export { exportGguf, loadGguf, type ExportOptions } from './model-io.ts';
export { train, type TrainOptions, type TrainResult, type StepRecord } from './trainer.ts';
export {
  trainConfigSchema,
  parseTrainConfig,
  objectiveLossSettings,
  trainsOnPairs,
  lossWeight,
  type TrainConfig,
  type TrainConfigInput,
  type LossSettings,
} from './config.ts';
export * from './losses.ts';
export { type SftRow, type PreferenceRow, encodeSftRow, encodePreferenceRow } from './batching.ts';
export { AdamW, learningRateAt, clipGradNorm, DEFAULT_ADAMW } from './optimizer.ts';
export { trainingDataFile, readSftRows, readPreferenceRows } from './data.ts';
export { maskFailedAttempts } from './failed-attempts.ts';
