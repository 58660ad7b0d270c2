/**
 * Refuse a training run this machine cannot hold before any memory is allocated (issue 15
 * items 7 and 15): more data-parallel workers than CPU cores (each worker is a thread with
 * its own copy of the weights and gradients, about 230 MB for the built-in model, and adds
 * no speed past the core count), or a model whose fp32 weights, gradients and AdamW moments
 * do not fit in memory (`--init L64-d8192` is about 52 billion parameters).
 */
import { availableParallelism, totalmem } from 'node:os';
import { ConfigError } from '../core/errors.ts';
import { weightShapes, type LlamaConfig } from './model-config.ts';

/** Memory of one worker thread besides its weights: tfjs, buffers (measured: 16 workers took 3.8 GB). */
export const WORKER_OVERHEAD_BYTES = 230 * 2 ** 20;

/** Share of the machine's memory a run may plan to use. */
const MEMORY_SHARE = 0.8;

export function parameterCount(config: LlamaConfig): number {
  return weightShapes(config).reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/** Planned bytes: weights + gradients + two AdamW moments in fp32, and per worker its weights, gradients and overhead. */
export function plannedTrainingBytes(config: LlamaConfig, workers: number): number {
  const weightBytes = parameterCount(config) * 4;
  return weightBytes * 4 + workers * (weightBytes * 2 + WORKER_OVERHEAD_BYTES);
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;

/** @throws ConfigError naming --workers when it exceeds the CPU cores. */
export function checkWorkers(workers: number, source: string, cores = availableParallelism()): void {
  if (workers > cores) {
    throw new ConfigError(
      { file: source, field: '--workers' },
      `${workers} workers, but this machine has ${cores} CPU cores; each worker costs about ${Math.round(WORKER_OVERHEAD_BYTES / 2 ** 20)} MB and multiplies the rows per step (batch x accum x workers) without more speed past the core count; use --workers ${cores} or less`,
    );
  }
}

/** @throws ConfigError naming `field` when the planned memory exceeds 80% of this machine's. */
export function checkModelFits(config: LlamaConfig, workers: number, source: string, field: string, memory = totalmem()): void {
  const planned = plannedTrainingBytes(config, workers);
  if (planned > memory * MEMORY_SHARE) {
    throw new ConfigError(
      { file: source, field },
      `a model of ${(parameterCount(config) / 1e6).toFixed(1)}M parameters with ${workers} worker(s) needs about ${gb(planned)} for training, but this machine has ${gb(memory)}; choose a smaller model (e.g. L2-d64) or fewer --workers`,
    );
  }
}
