/**
 * The trainer's configuration: one typed, documented, zod-validated object shared by the
 * library (`train(options)`) and the CLI (`treecot train`). Defaults run on a laptop CPU and
 * follow docs/letter-count-study.md (AdamW 0.9/0.98, wd 0.1, peak lr 3e-3, 3%
 * warm-up, cosine to 10%, clip 1.0) and TRL (beta 0.1).
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

export const trainConfigSchema = z
  .object({
    // --- objective (docs/method.md sections 3-4)
    /** sft | dpo (sigmoid) | cdpo (label smoothing eps) | cdpo+sft (joint, alpha). */
    objective: z.enum(['sft', 'dpo', 'cdpo', 'cdpo+sft']).default('sft'),
    /** DPO temperature beta (> 0; TRL default 0.1). */
    beta: z.number().positive().default(0.1),
    /** cDPO label smoothing eps in [0, 0.5); used by cdpo and cdpo+sft. */
    eps: z.number().min(0).lt(0.5).default(0.1),
    /** Weight of the SFT term in cdpo+sft (paper: 1). */
    alpha: z.number().min(0).default(1),
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
    if (budgets.length > 1) ctx.addIssue({ code: 'custom', path: [budgets[1]!], message: `give only one of steps, epochs, tokens (got ${budgets.join(' and ')})` });
  });

export type TrainConfig = z.output<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/**
 * Validate and fill defaults.
 * @throws ConfigError naming the first bad field, what was found and the rule.
 */
export function parseTrainConfig(input: unknown, source = 'train options'): TrainConfig {
  const result = trainConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || '(root)';
  const got = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), input);
  const shown = typeof got === 'number' ? String(got) : JSON.stringify(got);
  throw new ConfigError({ file: source, field }, `${issue.message}${got !== undefined ? ` (got ${shown})` : ''}`);
}
