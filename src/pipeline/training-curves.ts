/**
 * Training curves for the run report: each training stage's train-log.jsonl (the trainer's step
 * records, docs/train.md "Log") read into its summary.json train entry, so the report is still
 * rendered from the summary alone.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readRecords, requireField, type SourcedRecord } from '../core/files.ts';
import type { TrainEntry, TrainingCurve } from './summary-types.ts';

/** Most points kept per curve: a long training keeps every k-th step (and the last), so summary.json stays small. */
export const MAX_CURVE_POINTS = 400;

/**
 * The loss (and, where the log has it, `rewards/margins`) of each logged step of `logFile`.
 * @throws DataError naming the file, line and field of a record that is not a step record.
 */
export function readTrainingCurve(logFile: string): TrainingCurve {
  const records = readRecords(logFile).map((r) => ({
    step: requireField(r, logFile, 'step', 'number') as number,
    loss: lossValue(r, logFile, 'loss'),
    margin: r.record['rewards/margins'] === undefined ? undefined : lossValue(r, logFile, 'rewards/margins'),
  }));
  const every = Math.max(1, Math.ceil(records.length / MAX_CURVE_POINTS));
  const kept = records.filter((_, i) => i % every === 0 || i === records.length - 1);
  const curve: TrainingCurve = { log: logFile, every, step: kept.map((r) => r.step), loss: kept.map((r) => r.loss) };
  if (kept.length > 0 && kept.every((r) => r.margin !== undefined)) curve.reward_margin = kept.map((r) => r.margin!);
  return curve;
}

/**
 * A logged number; null is a NaN the trainer logged (JSON has no NaN), kept as NaN so a diverged
 * training still gets its curve (the chart leaves non-finite points out). Anything else is a DataError.
 */
function lossValue(r: SourcedRecord, file: string, field: string): number {
  if (r.record[field] === null) return Number.NaN;
  return requireField(r, file, field, 'number') as number;
}

/** The train entries with their curves; an entry whose folder has no train-log.jsonl (nothing logged) keeps none. */
export function addTrainingCurves(train: readonly TrainEntry[]): TrainEntry[] {
  return train.map((entry) => {
    // run-layout.ts trainFolder: a training's model.gguf and train-log.jsonl share its folder.
    const log = join(dirname(entry.model), 'train-log.jsonl');
    return existsSync(log) ? { ...entry, curve: readTrainingCurve(log) } : entry;
  });
}
