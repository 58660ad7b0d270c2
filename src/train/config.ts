/**
 * The trainer's configuration: one typed, documented, zod-validated object shared by the
 * library (`train(options)`) and the CLI (`treecot train`). Defaults run on a laptop CPU and
 * follow docs/letter-count-study.md (AdamW 0.9/0.98, wd 0.1, peak lr 3e-3, 3%
 * warm-up, cosine to 10%, clip 1.0) and TRL (beta 0.1).
 */
import { z } from 'zod';
import { configErrorFromZod } from '../core/config-error-from-zod.ts';
import type { LossType, Objective } from './losses.ts';

export const trainConfigSchema = z
  .object({
    // --- loss (docs/method.md sections 3-4), as TRL's DPOConfig expresses it
    /**
     * Loss terms, TRL names: [sft] (SFT rows), [sigmoid] (DPO pairs), [sigmoid, sft] (the joint
     * objective: pair loss + weighted SFT on the chosen responses). Default [sft].
     */
    lossType: z
      .array(z.enum(['sigmoid', 'sft']))
      .min(1)
      .optional(),
    /** One weight per lossType entry (default all 1); TRL's `loss_weights`. The SFT weight is the paper's alpha. */
    lossWeights: z.array(z.number().min(0)).optional(),
    /** Label smoothing eps in [0, 0.5) of the sigmoid loss (cDPO; 0 = plain DPO). Default 0; TRL's `label_smoothing`. */
    labelSmoothing: z.number().min(0).lt(0.5).optional(),
    /** DPO temperature beta (> 0; TRL default 0.1). */
    beta: z.number().positive().default(0.1),
    // --- the same loss, by objective name (an alias of the three fields above; see objectiveLossSettings)
    /** sft | dpo | cdpo (label smoothing eps) | cdpo+sft (joint, alpha). */
    objective: z.enum(['sft', 'dpo', 'cdpo', 'cdpo+sft']).optional(),
    /** cDPO label smoothing with objective cdpo or cdpo+sft (default 0.1). */
    eps: z.number().min(0).lt(0.5).optional(),
    /** Weight of the SFT term with objective cdpo+sft (paper: 1; default 1). */
    alpha: z.number().min(0).optional(),
    /** Mask the shared prefix of chosen and rejected (docs/method.md section 3). */
    maskPrefix: z.boolean().default(false),
    /** Use mean token log-prob per response instead of the sum in the preference loss. */
    lengthNormalize: z.boolean().default(false),
    // --- budget: at most one of steps / epochs / tokens (default: 1 epoch)
    /** Optimiser steps. */
    steps: z.number().int().positive().optional(),
    /** Passes over the data. */
    epochs: z.number().positive().optional(),
    /** Real tokens (prompt + response) to train on; sets the step count from the data's mean length. */
    tokens: z.number().positive().optional(),
    // --- batching
    /** Rows (sequences, or pairs for preference objectives) per micro-batch per worker. */
    batch: z.number().int().positive().default(16),
    /** Micro-batches per worker per optimiser step (gradient accumulation). */
    accum: z.number().int().positive().default(1),
    /** Data-parallel worker threads (1 = this thread). Rows per step = batch x accum x workers. */
    workers: z.number().int().min(1).max(64).default(1),
    // --- optimiser and schedule
    /** Peak learning rate. */
    lr: z.number().positive().default(3e-3),
    /** Warm-up share of the planned steps. */
    warmupRatio: z.number().min(0).lt(1).default(0.03),
    /** Final learning rate as a fraction of the peak. */
    minLrRatio: z.number().min(0).max(1).default(0.1),
    weightDecay: z.number().min(0).default(0.1),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.98),
    /** Global gradient-norm clip (0 = off). */
    clip: z.number().min(0).default(1),
    seed: z.number().int().default(0),
    // --- outputs
    /** GGUF file written at the end. */
    out: z.string().optional(),
    /** JSONL log, one object per step (TRL metric names). */
    log: z.string().optional(),
    /** Folder for checkpoints (checkpoint.bin); resume reads it. */
    checkpointDir: z.string().optional(),
    /** Steps between checkpoints (0 = only at the end). */
    checkpointEvery: z.number().int().min(0).default(0),
    /** Continue from the checkpoint in checkpointDir if there is one. */
    resume: z.boolean().default(false),
    /** Folder for cached reference log-probs (default `.cache/treecot/ref-logps`). */
    refCacheDir: z.string().optional(),
    /** Draw a progress bar on stderr. */
    progress: z.boolean().default(false),
    /** GGUF `general.name` of the output. */
    name: z.string().default('treecot-llama'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const budgets = (['steps', 'epochs', 'tokens'] as const).filter((k) => c[k] !== undefined);
    if (budgets.length > 1)
      ctx.addIssue({
        code: 'custom',
        path: [budgets[1]!],
        message: `give only one of steps, epochs, tokens (got ${budgets.join(' and ')})`,
      });
    checkLossFields(c, ctx);
  })
  .transform(({ objective, eps, alpha, lossType, lossWeights, labelSmoothing, ...rest }) => ({
    ...rest,
    ...(objective !== undefined
      ? objectiveLossSettings(objective, { eps, alpha })
      : lossSettings(lossType ?? ['sft'], lossWeights, labelSmoothing ?? 0)),
  }));

/** The loss part of a validated config: independent settings, as TRL's DPOConfig has them. */
export interface LossSettings {
  /** Terms in order, no repeats. */
  lossType: LossType[];
  /** One weight per term. */
  lossWeights: number[];
  labelSmoothing: number;
}

export type TrainConfig = z.output<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

function lossSettings(lossType: LossType[], lossWeights: number[] | undefined, labelSmoothing: number): LossSettings {
  return { lossType, lossWeights: lossWeights ?? lossType.map(() => 1), labelSmoothing };
}

/**
 * `--objective` as the independent settings it stands for (docs/train.md):
 * sft = [sft]; dpo = [sigmoid] with eps 0; cdpo = [sigmoid] with eps (default 0.1);
 * cdpo+sft = [sigmoid, sft] with weights [1, alpha] (default alpha 1) and eps (default 0.1).
 */
export function objectiveLossSettings(objective: Objective, aliases: { eps?: number; alpha?: number } = {}): LossSettings {
  const eps = aliases.eps ?? 0.1;
  switch (objective) {
    case 'sft':
      return lossSettings(['sft'], undefined, 0);
    case 'dpo':
      return lossSettings(['sigmoid'], undefined, 0);
    case 'cdpo':
      return lossSettings(['sigmoid'], undefined, eps);
    case 'cdpo+sft':
      return lossSettings(['sigmoid', 'sft'], [1, aliases.alpha ?? 1], eps);
  }
}

type LossFields = Pick<z.input<typeof trainConfigSchema>, 'objective' | 'eps' | 'alpha' | 'lossType' | 'lossWeights' | 'labelSmoothing'>;

/** Cross-field rules of the loss settings: one way of naming the loss, and no setting that would be ignored. */
function checkLossFields(c: LossFields, ctx: z.RefinementCtx): void {
  const fail = (field: string, message: string): void => ctx.addIssue({ code: 'custom', path: [field], message });
  if (c.objective !== undefined) {
    for (const field of ['lossType', 'lossWeights', 'labelSmoothing'] as const) {
      if (c[field] !== undefined)
        fail(
          field,
          `give either objective (with eps, alpha) or lossType/lossWeights/labelSmoothing, not both (objective is ${c.objective})`,
        );
    }
    // A setting the objective does not use would be silently ignored: refuse it unless it is the neutral 0.
    if (c.eps !== undefined && c.eps !== 0 && !['cdpo', 'cdpo+sft'].includes(c.objective))
      fail('eps', `eps applies to objectives cdpo and cdpo+sft, not ${c.objective}`);
    if (c.alpha !== undefined && c.alpha !== 0 && c.objective !== 'cdpo+sft')
      fail('alpha', `alpha applies to objective cdpo+sft, not ${c.objective}`);
    return;
  }
  for (const field of ['eps', 'alpha'] as const)
    if (c[field] !== undefined)
      fail(field, `${field} goes with objective; without it use ${field === 'eps' ? 'labelSmoothing' : 'lossWeights'}`);
  const types = c.lossType ?? ['sft'];
  if (new Set(types).size !== types.length) fail('lossType', `each loss term at most once (got ${types.join(', ')})`);
  if (c.lossWeights !== undefined && c.lossWeights.length !== types.length)
    fail('lossWeights', `one weight per lossType entry: ${types.length} terms, ${c.lossWeights.length} weights`);
  if ((c.labelSmoothing ?? 0) !== 0 && !types.includes('sigmoid'))
    fail('labelSmoothing', 'label smoothing applies to the sigmoid loss; lossType has none');
}

/** Whether the config trains on preference pairs (a pair loss is among its terms) instead of SFT rows. */
export function trainsOnPairs(loss: Pick<LossSettings, 'lossType'>): boolean {
  return loss.lossType.some((t) => t !== 'sft');
}

/** The weight of a term, 0 when the term is absent. */
export function lossWeight(loss: LossSettings, type: LossType): number {
  const i = loss.lossType.indexOf(type);
  return i < 0 ? 0 : loss.lossWeights[i]!;
}

/**
 * Validate and fill defaults.
 * @throws ConfigError naming the first bad field, what was found and the rule.
 */
export function parseTrainConfig(input: unknown, source = 'train options'): TrainConfig {
  const result = trainConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw configErrorFromZod(result.error, { file: source, input, docs: 'docs/train.md' });
}
