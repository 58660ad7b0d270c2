/**
 * `treecot train`: SFT, DPO, cDPO or the joint objective on the TS trainer (tfjs-WASM, CPU),
 * from a GGUF model or a fresh one; writes a GGUF that node-llama-cpp runs (docs/train.md).
 *
 *   treecot train data/ --init L2-d64 --objective sft --epochs 3 --out sft.gguf --log sft.jsonl
 *   treecot train data/ --model sft.gguf --objective cdpo+sft --alpha 1 --eps 0.1 --beta 0.1 --steps 200 --out joint.gguf
 *   treecot train data/dpo.jsonl --model sft.gguf --objective dpo --batch 8 --accum 2 --workers 2 --lr 1e-4
 *   treecot train data/ --model sft.gguf --loss-type sigmoid,sft --loss-weights 1,0.5 --label-smoothing 0.1 --steps 200 --out joint.gguf
 *   treecot train rows.jsonl --init L2-d64-h4-f176-c128 --tokens 5e6 --batch 32 --workers 2 --checkpoint-dir ckpt/ --resume
 *
 * The loss is given either by TRL's independent settings (--loss-type, --loss-weights,
 * --label-smoothing) or by --objective, an alias of them (docs/train.md). DATA is a file (JSONL or
 * JSON array) or a `treecot build` folder (sft.jsonl for SFT alone, dpo.jsonl when a pair loss trains). Prints the
 * effective configuration and progress on stderr, then a summary on stdout: lines for people, or with --json one
 * JSON object (docs/cli.md).
 */
import { Option, type Command } from 'commander';
import { withFlagNames } from '../flag-names.ts';
import { COMMAND_LINE, optionalNumberOption } from '../number-options.ts';
import { exitOnInterrupt } from '../interrupt.ts';

/** Seconds between progress lines when stderr is not a terminal (a log file, CI, a pipe). */
const PROGRESS_LINE_EVERY_S = 10;

interface TrainCliOptions {
  model?: string;
  init?: string;
  objective?: string;
  lossType?: string;
  lossWeights?: string;
  labelSmoothing?: string;
  alpha?: string;
  eps?: string;
  beta?: string;
  maskPrefix?: boolean;
  lengthNormalize?: boolean;
  steps?: string;
  epochs?: string;
  tokens?: string;
  lr?: string;
  warmup?: string;
  weightDecay?: string;
  clip?: string;
  batch?: string;
  accum?: string;
  workers?: string;
  seed?: string;
  out?: string;
  log?: string;
  checkpointDir?: string;
  checkpointEvery?: string;
  resume?: boolean;
  refCache?: string;
  progress: boolean;
  json?: boolean;
}

/**
 * A flag's string -> number. Only the conversion happens here (a non-number is reported with the
 * flag and the text the user typed, where zod could only say "got NaN" under the config field's
 * name); ranges and integrality are checked once, by trainConfigSchema.
 */
function num(value: string | undefined, flag: string): number | undefined {
  return optionalNumberOption(value, flag);
}

export function register(program: Command): void {
  program
    .command('train')
    .description('post-train a small llama model on CPU (SFT | DPO | cDPO | cDPO+SFT) and write a GGUF')
    .argument('<data>', 'a JSONL/JSON file of rows, or a `treecot build` output folder')
    .option('--model <gguf>', 'starting model (and frozen reference model for preference objectives)')
    .option('--init <spec>', 'fresh model instead of --model, e.g. L2-d64 or L2-d64-h4-f176-c128 (layers, dim, heads, ffn, context)')
    .option('--loss-type <list>', 'loss terms, TRL names: sft | sigmoid | sigmoid,sft (default sft)')
    .option('--loss-weights <list>', "one weight per --loss-type term (default all 1; the sft weight is the paper's alpha)")
    .option('--label-smoothing <x>', 'label smoothing of the sigmoid loss in [0, 0.5), cDPO (default 0)')
    .addOption(new Option('--objective <name>', 'alias of the loss settings').choices(['sft', 'dpo', 'cdpo', 'cdpo+sft']))
    .option('--alpha <x>', 'with --objective cdpo+sft: weight of the SFT term (default 1)')
    .option('--eps <x>', 'with --objective cdpo or cdpo+sft: label smoothing in [0, 0.5) (default 0.1)')
    .option('--beta <x>', 'DPO beta (default 0.1)')
    .option(
      '--no-mask-prefix',
      "keep the shared prefix of chosen and rejected in the loss (masked by default: the paper's final objective)",
    )
    .option('--length-normalize', 'mean instead of summed response log-probs in the preference loss')
    .option('--steps <n>', 'optimiser steps')
    .option('--epochs <x>', 'passes over the data (default 1 when no budget is given)')
    .option('--tokens <n>', 'real tokens to train on')
    .option('--lr <x>', 'peak learning rate (default 3e-3 for sft, 1e-4 for dpo/cdpo/cdpo+sft)')
    .option('--warmup <ratio>', 'warm-up share of the steps (default 0.03)')
    .option('--weight-decay <x>', 'AdamW decoupled weight decay on matrices (default 0.1)')
    .option('--clip <x>', 'gradient-norm clip, 0 = off (default 1)')
    .option('--batch <n>', 'rows (or pairs) per micro-batch per worker (default 16)')
    .option('--accum <n>', 'gradient accumulation micro-batches (default 1)')
    .option('--workers <n>', 'data-parallel worker threads (default 1; 2 uses both cores)')
    .option('--seed <n>', 'seed of init and data order (default 0)')
    .requiredOption('--out <gguf>', 'write the trained model here')
    .option(
      '--log <jsonl>',
      'one JSON line per step (loss, learning_rate, num_tokens, mean_token_accuracy, rewards/*, logps/*, grad_norm, tokens_per_s)',
    )
    .option('--checkpoint-dir <dir>', 'checkpoint folder (written every --checkpoint-every steps and at the end)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default 0 = end only)')
    .option('--resume', 'continue from the checkpoint in --checkpoint-dir')
    .option('--ref-cache <dir>', 'reference log-prob cache folder (default .cache/treecot/ref-logps)')
    .option('--no-progress', 'no progress bar on stderr')
    .option(
      '--json',
      'print the summary as one JSON object on stdout: {out, steps, steps_run, tokens, wall_s, mean_tokens_per_s, parameters, final}',
    )
    .action(async (data: string, o: TrainCliOptions) => {
      const { ConfigError } = await import('../../core/errors.ts');
      const { train, parseTrainConfig, trainsOnPairs, trainingDataFile, readSftRows, readPreferenceRows } =
        await import('../../train/index.ts');
      if ((o.model === undefined) === (o.init === undefined)) {
        throw new ConfigError({ file: COMMAND_LINE, field: '--model' }, 'give exactly one of --model <gguf> or --init <spec>');
      }
      const raw = {
        objective: o.objective,
        lossType: o.lossType?.split(',').map((t) => t.trim()),
        lossWeights: o.lossWeights?.split(',').map((w) => num(w, '--loss-weights')),
        labelSmoothing: num(o.labelSmoothing, '--label-smoothing'),
        alpha: num(o.alpha, '--alpha'),
        eps: num(o.eps, '--eps'),
        beta: num(o.beta, '--beta'),
        maskPrefix: o.maskPrefix ?? true,
        lengthNormalize: o.lengthNormalize ?? false,
        steps: num(o.steps, '--steps'),
        epochs: num(o.epochs, '--epochs'),
        tokens: num(o.tokens, '--tokens'),
        lr: num(o.lr, '--lr'),
        warmupRatio: num(o.warmup, '--warmup'),
        weightDecay: num(o.weightDecay, '--weight-decay'),
        clip: num(o.clip, '--clip'),
        batch: num(o.batch, '--batch'),
        accum: num(o.accum, '--accum'),
        workers: num(o.workers, '--workers'),
        seed: num(o.seed, '--seed'),
        out: o.out,
        log: o.log,
        checkpointDir: o.checkpointDir,
        checkpointEvery: num(o.checkpointEvery, '--checkpoint-every'),
        resume: o.resume ?? false,
        // The bar only draws on a terminal; elsewhere (a log file, CI) progress comes as lines (below).
        refCacheDir: o.refCache,
        progress: o.progress !== false && process.stderr.isTTY === true,
      };
      const defined: Record<string, unknown> = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
      const flags = { warmupRatio: '--warmup', refCacheDir: '--ref-cache', maskPrefix: '--no-mask-prefix' };
      // A pair loss moves an already trained model: the SFT peak rate (3e-3) wrecks it within a few
      // steps, so the CLI default is 1e-4 there (docs/train.md).
      if (defined.lr === undefined && trainsOnPairs(withFlagNames(() => parseTrainConfig(defined, COMMAND_LINE), flags))) defined.lr = 1e-4;
      const config = withFlagNames(() => parseTrainConfig(defined, COMMAND_LINE), flags);
      // Checked before any training: the GGUF export is the last step.
      const { checkOutputLocation } = await import('../../core/index.ts');
      if (o.out) checkOutputLocation({ path: o.out, kind: 'file', flag: '--out' });
      if (o.log) checkOutputLocation({ path: o.log, kind: 'file', flag: '--log' });
      if (o.checkpointDir) checkOutputLocation({ path: o.checkpointDir, kind: 'folder', flag: '--checkpoint-dir' });
      const file = trainingDataFile(data, config);
      const rows = trainsOnPairs(config) ? { preferenceRows: readPreferenceRows(file) } : { sftRows: readSftRows(file) };
      process.stderr.write(
        `treecot train: ${file}, ${(rows.sftRows ?? rows.preferenceRows)!.length} rows, ${o.model ? `model ${o.model}` : `init ${o.init}`}\n`,
      );
      process.stderr.write(`effective config: ${JSON.stringify(config)}\n`);
      // Workers multiply the rows of each optimiser step: say so, it changes the learning dynamics.
      process.stderr.write(
        `rows per step: batch ${config.batch} x accum ${config.accum} x workers ${config.workers} = ${config.batch * config.accum * config.workers}\n`,
      );
      let lastStep = 0;
      let lastLineAt = -Infinity;
      const lines = o.progress !== false && process.stderr.isTTY !== true;
      const onStep = (record: import('../../train/index.ts').StepRecord) => {
        lastStep = record.step;
        if (!lines || record.elapsed_s - lastLineAt < PROGRESS_LINE_EVERY_S) return;
        lastLineAt = record.elapsed_s;
        process.stderr.write(
          `train step ${record.step} | loss ${record.loss.toFixed(4)} | lr ${record.lr.toExponential(2)} | ${Math.round(record.tokens_per_s)} tok/s | ${record.elapsed_s.toFixed(0)} s\n`,
        );
      };
      const removeHandlers = exitOnInterrupt(() =>
        config.checkpointDir
          ? config.checkpointEvery > 0 && lastStep >= config.checkpointEvery
            ? `treecot train: interrupted after step ${lastStep}; the checkpoint of step ${lastStep - (lastStep % config.checkpointEvery)} in ${config.checkpointDir} is kept; re-run the same command with --resume to continue from it`
            : `treecot train: interrupted after step ${lastStep}, before the first checkpoint (--checkpoint-every ${config.checkpointEvery}); nothing new was saved in ${config.checkpointDir}`
          : `treecot train: interrupted after step ${lastStep}; nothing was saved (no --checkpoint-dir). Add --checkpoint-dir DIR --checkpoint-every N to make a run resumable`,
      );
      let result;
      try {
        result = await train({ ...defined, ...rows, dataSource: file, modelPath: o.model, init: o.init, onStep });
      } finally {
        removeHandlers();
      }
      const last = result.records.at(-1);
      const meanTps = result.records.reduce((s, r) => s + r.tokens_per_s, 0) / Math.max(1, result.records.length);
      const summary = {
        out: config.out ?? null,
        steps: result.totalSteps,
        steps_run: result.stepsRun,
        tokens: result.tokensSeen,
        wall_s: +result.wallSeconds.toFixed(1),
        mean_tokens_per_s: Math.round(meanTps),
        parameters: result.model.parameterCount,
        final: last ?? null,
      };
      if (o.json) {
        const { writeJsonLine } = await import('../json-output.ts');
        writeJsonLine(summary);
        return;
      }
      const accuracy = last?.mean_token_accuracy === undefined ? '' : `, token accuracy ${(last.mean_token_accuracy * 100).toFixed(1)}%`;
      const margin = last?.['rewards/margins'] === undefined ? '' : `, reward margin ${last['rewards/margins'].toFixed(4)}`;
      process.stdout.write(
        `treecot train: ${summary.steps_run} steps run (${summary.steps} planned), ${summary.tokens} tokens in ${summary.wall_s} s ` +
          `(${summary.mean_tokens_per_s} tokens/s), ${summary.parameters} parameters\n` +
          (last ? `final step ${last.step}: loss ${last.loss.toFixed(4)}${accuracy}${margin}\n` : '') +
          (summary.out ? `model written to ${summary.out}\n` : ''),
      );
    });
}
