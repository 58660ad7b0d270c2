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
import { parseTrainConfig, type TrainConfig, type TrainConfigInput } from './config.ts';
import { createEngine } from './engine.ts';
import { AdamW, clipGradNorm, learningRateAt } from './optimizer.ts';
import { exportGguf, loadGguf } from './model-io.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { referenceLogps } from './reference.ts';
import { assignToWorkers, bucketByLength, chosenSftTokens, encodePreferenceRow, encodeSftRow, preferenceMicroBatch, sftMicroBatch, targetLength, type EncodedPair, type EncodedSequence, type MicroBatch, type PreferenceRow, type SftRow } from './batching.ts';

/** One line of the JSONL log (TRL metric names where TRL has one). */
export interface StepRecord {
  step: number;
  epoch: number;
  lr: number;
  loss: number;
  grad_norm: number;
  /** Real tokens (prompt + response) trained on so far. */
  tokens: number;
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
  if (given.length !== 1) throw new ConfigError({ file: 'train options', field: 'model' }, `give exactly one of model, modelPath (--model), init (--init); got ${given.length ? given.join(', ') : 'none'}`);
  // A copy: training must not change the caller's model (it may be the reference of another run).
  if (options.model) return { model: new LlamaModel(options.model.config, options.model.params.slice()), tokenizer: options.tokenizer ?? new CharTokenizer() };
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

/**
 * Train a model (see module doc).
 * @throws ConfigError for invalid options (names the field); DataError for an empty data set or
 *   a sequence longer than the model's context (names the row).
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const configInput = Object.fromEntries(Object.entries(options).filter(([k, v]) => !(LIBRARY_ONLY as readonly string[]).includes(k) && v !== undefined));
  const config = parseTrainConfig(configInput);
  const source = options.dataSource ?? 'training data';
  const preference = config.objective !== 'sft';
  checkWorkers(config.workers, '(command line)');
  const { model, tokenizer } = startingModel(options);
  checkModelFits(model.config, config.workers, '(command line)', options.init ? '--init' : '--model');
  const context = model.config.context;

  const sft: EncodedSequence[] = [];
  const pairs: EncodedPair[] = [];
  if (preference) (options.preferenceRows ?? []).forEach((row, i) => pairs.push(encodePreferenceRow(tokenizer, row, context, { file: source, line: i + 1 })));
  else (options.sftRows ?? []).forEach((row, i) => sft.push(encodeSftRow(tokenizer, row, context, { file: source, line: i + 1 })));
  const rowCount = preference ? pairs.length : sft.length;
  if (rowCount === 0) {
    throw new DataError({ file: source }, `empty data set: objective ${config.objective} needs ${preference ? 'DPO rows {prompt, chosen, rejected, common_prefix_chars}' : 'SFT rows {prompt, completion}'}`);
  }
  const rowTokens = (i: number): number => (preference ? pairs[i]!.chosen.tokens.length + pairs[i]!.rejected.tokens.length : sft[i]!.tokens.length);
  let meanTokens = 0;
  for (let i = 0; i < rowCount; i++) meanTokens += rowTokens(i) / rowCount;

  const rowsPerStep = config.batch * config.accum * config.workers;
  const totalSteps = config.steps ?? Math.max(1, Math.ceil(config.tokens !== undefined ? config.tokens / (meanTokens * rowsPerStep) : ((config.epochs ?? 1) * rowCount) / rowsPerStep));
  const schedule = { peakLr: config.lr, warmupSteps: Math.round(config.warmupRatio * totalSteps), totalSteps, minLrRatio: config.minLrRatio };
  const effective = JSON.parse(JSON.stringify({ ...config, progress: undefined, resume: undefined, out: undefined, log: undefined, checkpointDir: undefined, checkpointEvery: undefined, refCacheDir: undefined })) as Record<string, unknown>;

  let adam = new AdamW(model.layout, { beta1: config.beta1, beta2: config.beta2, eps: 1e-8, weightDecay: config.weightDecay });
  let startStep = 0;
  let tokensSeen = 0;
  const referenceParams = model.params.slice();
  /** The tokenizer's thought tags (user-defined tokens), stored with checkpoints so resume checks them. */
  const tokenizerTags = tokenizer.tokens.filter((_, i) => tokenizer.tokenTypes[i] === 4).map(String);
  if (config.resume && config.checkpointDir) {
    const ckpt = loadCheckpoint(config.checkpointDir);
    if (ckpt) {
      if (JSON.stringify(ckpt.trainConfig) !== JSON.stringify(effective)) throw new ConfigError({ file: config.checkpointDir, field: 'resume' }, 'the checkpoint was made with a different training configuration; use a new --checkpoint-dir or the same options');
      if (JSON.stringify(ckpt.modelConfig) !== JSON.stringify(model.config) || ckpt.params.length !== model.params.length) {
        throw new ConfigError({ file: config.checkpointDir, field: 'resume' }, `the checkpoint holds another model (${JSON.stringify(ckpt.modelConfig)}), not ${JSON.stringify(model.config)}`);
      }
      if (ckpt.tags.join('\n') !== tokenizerTags.join('\n')) throw new ConfigError({ file: config.checkpointDir, field: 'resume' }, 'the checkpoint was made with another tokenizer (thought tags differ)');
      model.params.set(ckpt.params);
      adam = new AdamW(model.layout, adam.config, { m: ckpt.m, v: ckpt.v, t: ckpt.adamStep });
      startStep = ckpt.step;
      tokensSeen = ckpt.tokensSeen;
    }
  }
  if (config.log) {
    mkdirSync(dirname(config.log), { recursive: true });
    // A resumed run keeps the log lines up to its checkpoint and drops any written after it.
    const kept = startStep > 0 && existsSync(config.log)
      ? readFileSync(config.log, 'utf8').split('\n').filter((line) => line.trim() !== '' && (JSON.parse(line) as { step?: number }).step! <= startStep)
      : [];
    writeFileSync(config.log, kept.map((line) => `${line}\n`).join(''));
  }

  const engine = await createEngine(model.config, config.workers);
  const records: StepRecord[] = [];
  const started = performance.now();
  let bar: { update: (v: number, p?: object) => void; stop: () => void } | undefined;
  try {
    let ref: Float32Array | undefined;
    if (preference) {
      ref = (await referenceLogps(engine, referenceParams, pairs, { maskPrefix: config.maskPrefix, lengthNormalize: config.lengthNormalize, batch: config.batch, cacheDir: config.refCacheDir ?? '.cache/treecot/ref-logps' })).logps;
    }
    if (config.progress) {
      const { SingleBar, Presets } = await import('cli-progress');
      const b = new SingleBar({ stream: process.stderr, format: 'train [{bar}] {value}/{total} steps | loss {loss} | {tps} tok/s | eta {eta_formatted}', hideCursor: true }, Presets.shades_classic);
      b.start(totalSteps, startStep, { loss: '-', tps: '-' });
      bar = b;
    }
    const orderCache = new Map<number, number[]>();
    for (let step = startStep; step < totalSteps; step++) {
      const t0 = performance.now();
      const rows = rowsOfStep(step, rowsPerStep, rowCount, config.seed, orderCache);
      let batches: MicroBatch[];
      if (!preference) {
        const seqs = rows.map((i) => sft[i]!);
        const responseTokens = seqs.reduce((n, s) => n + targetLength(s) - s.responseStart, 0);
        batches = bucketByLength(seqs.map(targetLength), config.batch).map((g) => sftMicroBatch(g.map((k) => seqs[k]!), 1 / responseTokens));
      } else {
        const stepPairs = rows.map((i) => pairs[i]!);
        const chosenTokens = stepPairs.reduce((n, p) => n + chosenSftTokens(p, config.maskPrefix), 0);
        const sftTokenWeight = config.objective === 'cdpo+sft' && chosenTokens > 0 ? config.alpha / chosenTokens : 0;
        const lengths = stepPairs.map((p) => Math.max(targetLength(p.chosen), targetLength(p.rejected)));
        batches = bucketByLength(lengths, config.batch).map((g) => {
          const refs = new Float32Array(2 * g.length);
          g.forEach((k, j) => {
            refs[j] = ref![2 * rows[k]!]!;
            refs[g.length + j] = ref![2 * rows[k]! + 1]!;
          });
          return preferenceMicroBatch(g.map((k) => stepPairs[k]!), { beta: config.beta, eps: config.eps, lossName: config.objective as 'dpo', maskPrefix: config.maskPrefix, lengthNormalize: config.lengthNormalize, pairWeight: 1 / stepPairs.length, sftTokenWeight }, refs);
        });
      }
      const queues = assignToWorkers(batches, engine.workers);
      const { grads, stats } = await engine.gradients(model.params, queues);
      const gradNorm = clipGradNorm(grads, config.clip);
      const lr = learningRateAt(step, schedule);
      adam.step(model.params, grads, lr);

      const real = stats.reduce((n, s) => n + s.realTokens, 0);
      const padded = stats.reduce((n, s) => n + s.paddedTokens, 0);
      tokensSeen += real;
      const seconds = (performance.now() - t0) / 1000;
      const record: StepRecord = {
        step: step + 1,
        epoch: ((step + 1) * rowsPerStep) / rowCount,
        lr,
        loss: stats.reduce((n, s) => n + s.loss, 0),
        grad_norm: gradNorm,
        tokens: tokensSeen,
        tokens_per_s: real / seconds,
        padding_share: 1 - (real - batches.reduce((n, b) => n + b.B, 0)) / padded,
        elapsed_s: (performance.now() - started) / 1000,
      };
      record.sft_loss = stats.reduce((n, s) => n + s.sftTerm, 0);
      if (preference) Object.assign(record, preferenceMetrics(queues.flat(), stats.map((s) => s.policyLogps!), config.beta));
      records.push(record);
      if (config.log) appendFileSync(config.log, `${JSON.stringify(record)}\n`);
      bar?.update(step + 1, { loss: record.loss.toFixed(4), tps: Math.round(record.tokens_per_s) });
      // onStep runs before the checkpoint, so a checkpoint implies that its step's callbacks (a caller's
      // log line, an evaluation) completed; after a kill, resume redoes every step since the last checkpoint.
      await options.onStep?.(record, model);
      const last = step + 1 === totalSteps;
      if (config.checkpointDir && (last || (config.checkpointEvery > 0 && (step + 1) % config.checkpointEvery === 0))) {
        saveCheckpoint(config.checkpointDir, { step: step + 1, tokensSeen, modelConfig: model.config, trainConfig: effective, tags: tokenizerTags, adamStep: adam.t, params: model.params, m: adam.m, v: adam.v });
      }
    }
  } finally {
    bar?.stop();
    await engine.close();
  }
  if (config.out) exportGguf(model, config.out, { tokenizer, name: config.name, metadata: { 'treecot.train_config': JSON.stringify(effective) } });
  return { model, tokenizer, config, records, totalSteps, stepsRun: totalSteps - startStep, tokensSeen, wallSeconds: (performance.now() - started) / 1000 };
}

/** TRL-named preference metrics of a step, averaged over its pairs. */
function preferenceMetrics(batches: readonly MicroBatch[], policy: readonly Float32Array[], beta: number): Partial<StepRecord> {
  let n = 0, chosen = 0, rejected = 0, acc = 0, lc = 0, lr = 0;
  batches.forEach((mb, k) => {
    const P = mb.preference!.P;
    const ref = mb.preference!.refLogps;
    const pol = policy[k]!;
    for (let j = 0; j < P; j++) {
      const rc = beta * (pol[j]! - ref[j]!);
      const rr = beta * (pol[P + j]! - ref[P + j]!);
      chosen += rc;
      rejected += rr;
      acc += rc > rr ? 1 : 0;
      lc += pol[j]!;
      lr += pol[P + j]!;
      n++;
    }
  });
  return { 'rewards/chosen': chosen / n, 'rewards/rejected': rejected / n, 'rewards/margins': (chosen - rejected) / n, 'rewards/accuracies': acc / n, 'logps/chosen': lc / n, 'logps/rejected': lr / n };
}
