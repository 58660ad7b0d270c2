/**
 * Resumable stages. A stage owns one folder; when its work is complete it writes the marker file
 * `.stage-done.json` there, atomically and last. A stage whose marker exists is skipped (its stored
 * result is returned); a stage without one (never run, or interrupted) runs again, and its own work
 * resumes where it can (the search store at node level, evaluation per question, training from its
 * checkpoint).
 *
 * A stage is a value (`Stage`): its folder, the inputs it reads and the outputs it writes. The marker
 * records the inputs, so a folder that was completed from other inputs (a wiring mistake, or a run
 * folder of another run) is refused instead of silently reused.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, writeFileAtomic } from '../core/index.ts';

export const STAGE_MARKER = '.stage-done.json';

export interface StageMarker<T = unknown> {
  stage: string;
  finished_at: string;
  /** Wall seconds of the run that completed the stage (not counting earlier interrupted tries). */
  wall_s: number;
  /** What the stage read (run-folder paths relative to the run folder, models, question sources); absent in markers of older runs. */
  inputs?: string[];
  result: T;
}

/** Progress and log lines; the CLI prints them, tests collect them. */
export type PipelineLog = (line: string) => void;

/** One unit of the pipeline: where it writes, what it reads and writes, and its work. */
export interface Stage<T> {
  /** Log name and key in summary.json's `stage_wall_s`, e.g. "search round 2". */
  name: string;
  /** The folder it owns; its done-marker is written here. */
  dir: string;
  /** What it reads, as labels (run-folder paths relative to the run folder, model files or endpoints, question sources). */
  inputs: string[];
  /** Files it writes (absolute); each must exist when the stage is done. */
  outputs: string[];
  run: () => Promise<T>;
}

/** The marker of a completed stage, or null. */
export function readStageMarker<T>(dir: string): StageMarker<T> | null {
  const file = join(dir, STAGE_MARKER);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StageMarker<T>;
  } catch {
    return null; // a marker that does not parse was not written by writeFileAtomic: treat as not done
  }
}

/**
 * Run `work` for stage `name` in `dir` unless its marker says it is done. With `inputs`, a marker
 * that recorded other inputs is refused (ConfigError naming the marker).
 * @returns the stored result (skipped) or the new one (after writing the marker).
 */
export async function runStage<T>(
  name: string,
  dir: string,
  log: PipelineLog,
  work: (dir: string) => Promise<T>,
  inputs?: string[],
): Promise<T> {
  const marker = readStageMarker<T>(dir);
  if (marker) {
    if (inputs && marker.inputs && JSON.stringify(marker.inputs) !== JSON.stringify(inputs)) {
      throw new ConfigError(
        { file: join(dir, STAGE_MARKER), field: 'inputs' },
        `stage "${name}" was completed from ${JSON.stringify(marker.inputs)}, but this run reads ${JSON.stringify(inputs)}; the folder belongs to another run: use another --out, or --fresh`,
      );
    }
    log(`[${name}] done earlier (${marker.finished_at}, ${marker.wall_s.toFixed(1)} s); skipped`);
    return marker.result;
  }
  mkdirSync(dir, { recursive: true });
  log(`[${name}] started`);
  const started = Date.now();
  const result = await work(dir);
  const wallS = (Date.now() - started) / 1000;
  const done: StageMarker<T> = { stage: name, finished_at: new Date().toISOString(), wall_s: wallS, ...(inputs ? { inputs } : {}), result };
  writeFileAtomic(join(dir, STAGE_MARKER), JSON.stringify(done, null, 2) + '\n');
  log(`[${name}] finished in ${wallS.toFixed(1)} s`);
  return result;
}

/** Runs stages and keeps their wall times (summary.json `stage_wall_s`). */
export class StageRunner {
  /** Wall seconds per stage name, from the markers (so a skipped stage reports its original time). */
  readonly wallSeconds: Record<string, number> = {};
  constructor(private readonly log: PipelineLog) {}

  async run<T>(stage: Stage<T>): Promise<T> {
    const result = await runStage(
      stage.name,
      stage.dir,
      this.log,
      async () => {
        const value = await stage.run();
        const missing = stage.outputs.filter((f) => !existsSync(f));
        if (missing.length > 0) throw new Error(`stage "${stage.name}" finished without writing ${missing.join(', ')}`);
        return value;
      },
      stage.inputs,
    );
    const missing = stage.outputs.filter((f) => !existsSync(f));
    if (missing.length > 0) {
      throw new ConfigError(
        { file: join(stage.dir, STAGE_MARKER) },
        `stage "${stage.name}" is marked done but ${missing.join(', ')} is missing; delete ${stage.dir} to redo it`,
      );
    }
    this.wallSeconds[stage.name] = readStageMarker(stage.dir)?.wall_s ?? 0;
    return result;
  }
}
