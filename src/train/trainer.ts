/**
 * The training loop: `train(options)` runs SFT, DPO, cDPO or the joint objective on in-memory
 * rows, data-parallel over worker threads, with AdamW, warm-up + cosine, clipping, gradient
 * accumulation, length bucketing, checkpoints/resume, a JSONL log with TRL metric names and an
 * optional progress bar; it returns the trained model and can write it as GGUF.
 *
 * Data order is stateless: epoch e visits the rows in `Rng(seed).split("epoch:e")` order and step
 * s takes rows [s*R, (s+1)*R) of the concatenated epochs (R = batch x accum x workers), so a
 * resumed run sees exactly the rows the uninterrupted run would.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataError, ConfigError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { CharTokenizer } from './tokenizer.ts';
import { LlamaModel } from './model.ts';
import { parseInitSpec } from './model-config.ts';
import { checkModelFits, checkWorkers } from './resources.ts';
import { lossWeight, parseTrainConfig, trainsOnPairs, type TrainConfig, type TrainConfigInput } from './config.ts';
import type { PreferenceLossType } from './losses.ts';
import type { MicroBatchStats } from './step.ts';
import { createEngine } from './engine.ts';
import { AdamW, clipGradNorm, learningRateAt } from './optimizer.ts';
import { exportGguf, loadGguf } from './model-io.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { referenceLogps } from './reference.ts';
import {
  assignToWorkers,
  bucketByLength,
  chosenSftTokens,
  encodePreferenceRow,
  encodeSftRow,
  preferenceMicroBatch,
  sftMicroBatch,
  targetLength,
  type EncodedPair,
  type EncodedSequence,
  type MicroBatch,
  type PreferenceRow,
  type SftRow,
} from './batching.ts';

/** One line of the JSONL log (TRL metric names where TRL has one). */
export interface StepRecord {
  step: number;
  epoch: number;
  lr: number;
  /** transformers' name of `lr` (same value). */
  learning_rate: number;
  loss: number;
  grad_norm: number;
  /** Real tokens (prompt + response) trained on so far. */
  tokens: number;
  /** TRL's name of `tokens` (same value: cumulative non-padding tokens). */
  num_tokens: number;
  /**
   * TRL's SFT metric: share of this step's SFT-weighted tokens (SFT responses; the chosen responses of
   * the joint loss) whose argmax token is the target, before the update. Absent when no token carries an SFT weight.
   */
  mean_token_accuracy?: number;
  tokens_per_s: number;
  /** Share of computed positions that were padding, this step. */
  padding_share: number;
  elapsed_s: number;
  /** The (alpha-weighted) SFT term; for `sft` it equals loss. */
  sft_loss?: number;
  'rewards/chosen'?: number;
  'rewards/rejected'?: number;
  'rewards/margins'?: number;
  'rewards/accuracies'?: number;
  'logps/chosen'?: number;
  'logps/rejected'?: number;
}

export interface TrainOptions extends TrainConfigInput {
  /** SFT rows (objective sft). */
  sftRows?: readonly SftRow[];
  /** DPO rows (preference objectives). */
  preferenceRows?: readonly PreferenceRow[];
  /** Name of the data source for error messages (file path). */
  dataSource?: string;
  /** Starting model (policy and, for preference objectives, the frozen reference); not modified (training works on a copy). */
  model?: LlamaModel;
  tokenizer?: CharTokenizer;
  /** Starting model from a GGUF file. */
  modelPath?: string;
  /** Fresh model spec, e.g. "L2-d64" or "L2-d64-h4-f176-c128" (see parseInitSpec). */
  init?: string;
  /** Called after every step (e.g. to evaluate); awaited. */
  onStep?: (record: StepRecord, model: LlamaModel) => void | Promise<void>;
}

export interface TrainResult {
  model: LlamaModel;
  tokenizer: CharTokenizer;
  config: TrainConfig;
  records: StepRecord[];
  /** Steps planned / run in this call (after a resume, fewer). */
  totalSteps: number;
  stepsRun: number;
  tokensSeen: number;
  wallSeconds: number;
}

const LIBRARY_ONLY = ['sftRows', 'preferenceRows', 'dataSource', 'model', 'tokenizer', 'modelPath', 'init', 'onStep'] as const;

function startingModel(options: TrainOptions): { model: LlamaModel; tokenizer: CharTokenizer } {
  const given = [options.model && 'model', options.modelPath && 'modelPath', options.init && 'init'].filter(Boolean);
  if (given.length !== 1)
    throw new ConfigError(
      { file: 'train options', field: 'model' },
      `give exactly one of model, modelPath (--model), init (--init); got ${given.length ? given.join(', ') : 'none'}`,
    );
  // A copy: training must not change the caller's model (it may be the reference of another run).
  if (options.model)
    return {
      model: new LlamaModel(options.model.config, options.model.params.slice()),
      tokenizer: options.tokenizer ?? new CharTokenizer(),
    };
  if (options.modelPath) return loadGguf(options.modelPath);
  const tokenizer = options.tokenizer ?? new CharTokenizer();
  const spec = parseInitSpec(options.init!, tokenizer.vocabSize);
  checkModelFits(spec, options.workers ?? 1, '(command line)', '--init'); // before allocating it
  return { model: LlamaModel.init(spec, options.seed ?? 0), tokenizer };
}

/** Row indices of step `step` (see module doc). */
function rowsOfStep(step: number, rowsPerStep: number, rowCount: number, seed: number, cache: Map<number, number[]>): number[] {
  const out: number[] = [];
  for (let k = step * rowsPerStep; k < (step + 1) * rowsPerStep; k++) {
    const epoch = Math.floor(k / rowCount);
    let order = cache.get(epoch);
    if (!order) {
      order = new Rng(seed).split(`epoch:${epoch}`).shuffle([...Array(rowCount).keys()]);
      cache.clear();
      cache.set(epoch, order);
    }
    out.push(order[k % rowCount]!);
  }
  return out;
}

/** Rows encoded for the model: SFT sequences, or preference pairs when a pair loss trains. */
interface EncodedRows {
  sft: EncodedSequence[];
  pairs: EncodedPair[];
  /** Rows of the data set (sequences or pairs). */
  count: number;
  /** Mean real tokens per row (both responses of a pair). */
  meanTokens: number;
}

/** The optimiser-step plan (see module doc). */
interface StepPlan {
  rowsPerStep: number;
  totalSteps: number;
  schedule: { peakLr: number; warmupSteps: number; totalSteps: number; minLrRatio: number };
}

/** Where training starts: fresh, or from the checkpoint in checkpointDir. */
interface StartState {
  adam: AdamW;
  startStep: number;
  tokensSeen: number;
}

/** The options that are training settings (not data, model or callbacks), validated. */
function resolveConfig(options: TrainOptions): TrainConfig {
  const input = Object.fromEntries(
    Object.entries(options).filter(([k, v]) => !(LIBRARY_ONLY as readonly string[]).includes(k) && v !== undefined),
  );
  return parseTrainConfig(input);
}

/** The config as saved with checkpoints and in the GGUF: what changes the result, not where it is written. */
function effectiveConfig(config: TrainConfig): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      ...config,
      progress: undefined,
      resume: undefined,
      out: undefined,
      log: undefined,
      checkpointDir: undefined,
      checkpointEvery: undefined,
      refCacheDir: undefined,
    }),
  ) as Record<string, unknown>;
}

/** @throws DataError for an empty data set or a row longer than the context (names the row). */
function encodeRows(options: TrainOptions, config: TrainConfig, tokenizer: CharTokenizer, context: number, source: string): EncodedRows {
  const pairwise = trainsOnPairs(config);
  const sft: EncodedSequence[] = [];
  const pairs: EncodedPair[] = [];
  if (pairwise)
    (options.preferenceRows ?? []).forEach((row, i) =>
      pairs.push(encodePreferenceRow(tokenizer, row, context, { file: source, line: i + 1 })),
    );
  else (options.sftRows ?? []).forEach((row, i) => sft.push(encodeSftRow(tokenizer, row, context, { file: source, line: i + 1 })));
  const count = pairwise ? pairs.length : sft.length;
  if (count === 0) {
    throw new DataError(
      { file: source },
      `empty data set: loss terms [${config.lossType.join(', ')}] need ${pairwise ? 'DPO rows {prompt, chosen, rejected, common_prefix_chars}' : 'SFT rows {prompt, completion}'}`,
    );
  }
  const rowTokens = (i: number): number =>
    pairwise ? pairs[i]!.chosen.tokens.length + pairs[i]!.rejected.tokens.length : sft[i]!.tokens.length;
  let meanTokens = 0;
  for (let i = 0; i < count; i++) meanTokens += rowTokens(i) / count;
  return { sft, pairs, count, meanTokens };
}

/** Steps from the one budget given (steps, tokens or epochs; default 1 epoch) and the lr schedule. */
function planSteps(config: TrainConfig, rows: EncodedRows): StepPlan {
  const rowsPerStep = config.batch * config.accum * config.workers;
  const fromBudget =
    config.tokens !== undefined ? config.tokens / (rows.meanTokens * rowsPerStep) : ((config.epochs ?? 1) * rows.count) / rowsPerStep;
  const totalSteps = config.steps ?? Math.max(1, Math.ceil(fromBudget));
  return {
    rowsPerStep,
    totalSteps,
    schedule: { peakLr: config.lr, warmupSteps: Math.round(config.warmupRatio * totalSteps), totalSteps, minLrRatio: config.minLrRatio },
  };
}

/**
 * A fresh optimiser, or the state of the checkpoint in checkpointDir when resuming (its parameters are
 * copied into `model`).
 * @throws ConfigError when the checkpoint was made with another configuration, model or tokenizer.
 */
function restoreCheckpoint(
  config: TrainConfig,
  effective: Record<string, unknown>,
  model: LlamaModel,
  tokenizerTags: readonly string[],
): StartState {
  const adam = new AdamW(model.layout, { beta1: config.beta1, beta2: config.beta2, eps: 1e-8, weightDecay: config.weightDecay });
  const fresh = { adam, startStep: 0, tokensSeen: 0 };
  if (!config.resume || !config.checkpointDir) return fresh;
  const ckpt = loadCheckpoint(config.checkpointDir);
  if (!ckpt) return fresh;
  const refuse = (message: string): never => {
    throw new ConfigError({ file: config.checkpointDir!, field: 'resume' }, message);
  };
  if (JSON.stringify(ckpt.trainConfig) !== JSON.stringify(effective))
    refuse('the checkpoint was made with a different training configuration; use a new --checkpoint-dir or the same options');
  if (JSON.stringify(ckpt.modelConfig) !== JSON.stringify(model.config) || ckpt.params.length !== model.params.length) {
    refuse(`the checkpoint holds another model (${JSON.stringify(ckpt.modelConfig)}), not ${JSON.stringify(model.config)}`);
  }
  if (ckpt.tags.join('\n') !== tokenizerTags.join('\n')) refuse('the checkpoint was made with another tokenizer (thought tags differ)');
  model.params.set(ckpt.params);
  return {
    adam: new AdamW(model.layout, adam.config, { m: ckpt.m, v: ckpt.v, t: ckpt.adamStep }),
    startStep: ckpt.step,
    tokensSeen: ckpt.tokensSeen,
  };
}

/** Start the JSONL log; a resumed run keeps the lines up to its checkpoint and drops any written after it. */
function startLog(log: string, startStep: number): void {
  mkdirSync(dirname(log), { recursive: true });
  const kept =
    startStep > 0 && existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '' && (JSON.parse(line) as { step?: number }).step! <= startStep)
      : [];
  writeFileSync(log, kept.map((line) => `${line}\n`).join(''));
}

/**
 * The micro-batches of one step's rows, length-bucketed. SFT: token weights 1 / response tokens of
 * the step. Preference: pair weight (pair-loss weight / pairs of the step), the reference log-probs of
 * each pair, and the SFT term's token weights (1 / chosen tokens of the step) with its weight alpha.
 */
function stepBatches(rowIndices: readonly number[], rows: EncodedRows, config: TrainConfig, ref: Float32Array | undefined): MicroBatch[] {
  if (!ref) {
    const seqs = rowIndices.map((i) => rows.sft[i]!);
    const responseTokens = seqs.reduce((n, s) => n + targetLength(s) - s.responseStart, 0);
    return bucketByLength(seqs.map(targetLength), config.batch).map((g) =>
      sftMicroBatch(
        g.map((k) => seqs[k]!),
        1 / responseTokens,
      ),
    );
  }
  const stepPairs = rowIndices.map((i) => rows.pairs[i]!);
  const chosenTokens = stepPairs.reduce((n, p) => n + chosenSftTokens(p, config.maskPrefix), 0);
  const pairLossType = config.lossType.find((t): t is PreferenceLossType => t !== 'sft')!;
  const batchOptions = {
    beta: config.beta,
    lossType: pairLossType,
    labelSmoothing: config.labelSmoothing,
    maskPrefix: config.maskPrefix,
    lengthNormalize: config.lengthNormalize,
    pairWeight: lossWeight(config, pairLossType) / stepPairs.length,
    sftWeight: lossWeight(config, 'sft'),
    sftTokenWeight: chosenTokens > 0 ? 1 / chosenTokens : 0,
  };
  const lengths = stepPairs.map((p) => Math.max(targetLength(p.chosen), targetLength(p.rejected)));
  return bucketByLength(lengths, config.batch).map((g) => {
    const refs = new Float32Array(2 * g.length);
    g.forEach((k, j) => {
      refs[j] = ref[2 * rowIndices[k]!]!;
      refs[g.length + j] = ref[2 * rowIndices[k]! + 1]!;
    });
    return preferenceMicroBatch(
      g.map((k) => stepPairs[k]!),
      batchOptions,
      refs,
    );
  });
}

/** A progress bar on stderr, or nothing. */
async function progressBar(
  show: boolean,
  totalSteps: number,
  startStep: number,
): Promise<{ update: (v: number, p?: object) => void; stop: () => void } | undefined> {
  if (!show) return undefined;
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: 'train [{bar}] {value}/{total} steps | loss {loss} | {tps} tok/s | eta {eta_formatted}',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(totalSteps, startStep, { loss: '-', tps: '-' });
  return bar;
}

/**
 * Train a model (see module doc): validate, encode rows, plan steps, restore a checkpoint, then per
 * step take its rows, compute gradients on the workers, clip, update, log, call onStep, checkpoint.
 * @throws ConfigError for invalid options (names the field); DataError for an empty data set or
 *   a sequence longer than the model's context (names the row).
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config = resolveConfig(options);
  const source = options.dataSource ?? 'training data';
  checkWorkers(config.workers, '(command line)');
  const { model, tokenizer } = startingModel(options);
  checkModelFits(model.config, config.workers, '(command line)', options.init ? '--init' : '--model');
  const rows = encodeRows(options, config, tokenizer, model.config.context, source);
  const plan = planSteps(config, rows);
  const effective = effectiveConfig(config);
  const referenceParams = model.params.slice();
  /** The tokenizer's thought tags (user-defined tokens), stored with checkpoints so resume checks them. */
  const tokenizerTags = tokenizer.tokens.filter((_, i) => tokenizer.tokenTypes[i] === 4).map(String);
  const { adam, startStep, tokensSeen: tokensBefore } = restoreCheckpoint(config, effective, model, tokenizerTags);
  let tokensSeen = tokensBefore;
  if (config.log) startLog(config.log, startStep);

  const engine = await createEngine(model.config, config.workers);
  const records: StepRecord[] = [];
  const started = performance.now();
  let bar: Awaited<ReturnType<typeof progressBar>>;
  try {
    const ref = trainsOnPairs(config)
      ? (
          await referenceLogps(engine, referenceParams, rows.pairs, {
            maskPrefix: config.maskPrefix,
            lengthNormalize: config.lengthNormalize,
            batch: config.batch,
            cacheDir: config.refCacheDir ?? '.cache/treecot/ref-logps',
          })
        ).logps
      : undefined;
    bar = await progressBar(config.progress, plan.totalSteps, startStep);
    const orderCache = new Map<number, number[]>();
    for (let step = startStep; step < plan.totalSteps; step++) {
      const t0 = performance.now();
      const batches = stepBatches(rowsOfStep(step, plan.rowsPerStep, rows.count, config.seed, orderCache), rows, config, ref);
      const queues = assignToWorkers(batches, engine.workers);
      const { grads, stats } = await engine.gradients(model.params, queues);
      const gradNorm = clipGradNorm(grads, config.clip);
      const lr = learningRateAt(step, plan.schedule);
      adam.step(model.params, grads, lr);

      const real = stats.reduce((n, s) => n + s.realTokens, 0);
      tokensSeen += real;
      const record = stepRecord({
        step,
        plan,
        rowCount: rows.count,
        lr,
        gradNorm,
        stats,
        batches,
        tokensSeen,
        seconds: (performance.now() - t0) / 1000,
        elapsed: (performance.now() - started) / 1000,
      });
      records.push(record);
      if (config.log) appendFileSync(config.log, `${JSON.stringify(record)}\n`);
      bar?.update(step + 1, { loss: record.loss.toFixed(4), tps: Math.round(record.tokens_per_s) });
      // onStep runs before the checkpoint, so a checkpoint implies that its step's callbacks (a caller's
      // log line, an evaluation) completed; after a kill, resume redoes every step since the last checkpoint.
      await options.onStep?.(record, model);
      const last = step + 1 === plan.totalSteps;
      if (config.checkpointDir && (last || (config.checkpointEvery > 0 && (step + 1) % config.checkpointEvery === 0))) {
        saveCheckpoint(config.checkpointDir, {
          step: step + 1,
          tokensSeen,
          modelConfig: model.config,
          trainConfig: effective,
          tags: tokenizerTags,
          adamStep: adam.t,
          params: model.params,
          m: adam.m,
          v: adam.v,
        });
      }
    }
  } finally {
    bar?.stop();
    await engine.close();
  }
  if (config.out)
    exportGguf(model, config.out, { tokenizer, name: config.name, metadata: { 'treecot.train_config': JSON.stringify(effective) } });
  return {
    model,
    tokenizer,
    config,
    records,
    totalSteps: plan.totalSteps,
    stepsRun: plan.totalSteps - startStep,
    tokensSeen,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

/** The log record of one step (TRL metric names; rewards as the loss computation returned them). */
function stepRecord(args: {
  step: number;
  plan: StepPlan;
  rowCount: number;
  lr: number;
  gradNorm: number;
  stats: readonly MicroBatchStats[];
  batches: readonly MicroBatch[];
  tokensSeen: number;
  seconds: number;
  elapsed: number;
}): StepRecord {
  const { stats } = args;
  const real = stats.reduce((n, s) => n + s.realTokens, 0);
  const padded = stats.reduce((n, s) => n + s.paddedTokens, 0);
  const record: StepRecord = {
    step: args.step + 1,
    epoch: ((args.step + 1) * args.plan.rowsPerStep) / args.rowCount,
    lr: args.lr,
    learning_rate: args.lr,
    loss: stats.reduce((n, s) => n + s.loss, 0),
    grad_norm: args.gradNorm,
    tokens: args.tokensSeen,
    num_tokens: args.tokensSeen,
    tokens_per_s: real / args.seconds,
    padding_share: 1 - (real - args.batches.reduce((n, b) => n + b.B, 0)) / padded,
    elapsed_s: args.elapsed,
  };
  record.sft_loss = stats.reduce((n, s) => n + s.sftTerm, 0);
  const sftTokens = stats.reduce((n, s) => n + s.sftTokens, 0);
  // Pooled over the step's micro-batches and workers (correct / total), as TRL pools over processes.
  if (sftTokens > 0) record.mean_token_accuracy = stats.reduce((n, s) => n + s.sftTokensCorrect, 0) / sftTokens;
  if (stats.some((s) => s.rewards)) Object.assign(record, preferenceMetrics(stats));
  return record;
}

/** TRL-named preference metrics of a step, averaged over its pairs, from the rewards each loss computation returned. */
function preferenceMetrics(stats: readonly MicroBatchStats[]): Partial<StepRecord> {
  let n = 0,
    chosen = 0,
    rejected = 0,
    acc = 0,
    lc = 0,
    lr = 0;
  for (const s of stats) {
    const rewards = s.rewards!;
    const P = rewards.chosen.length;
    for (let j = 0; j < P; j++) {
      chosen += rewards.chosen[j]!;
      rejected += rewards.rejected[j]!;
      acc += rewards.chosen[j]! > rewards.rejected[j]! ? 1 : 0;
      lc += s.policyLogps![j]!;
      lr += s.policyLogps![P + j]!;
      n++;
    }
  }
  return {
    'rewards/chosen': chosen / n,
    'rewards/rejected': rejected / n,
    'rewards/margins': (chosen - rejected) / n,
    'rewards/accuracies': acc / n,
    'logps/chosen': lc / n,
    'logps/rejected': lr / n,
  };
}
