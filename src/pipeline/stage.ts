/**
 * Resumable stages. A stage owns one folder; when its work is complete it writes the marker file
 * `.stage-done.json` there, atomically and last. A stage whose marker exists is skipped (its stored
 * result is returned); a stage without one (never run, or interrupted) runs again, and its own work
 * resumes where it can (the search store at node level, evaluation per question, training from its
 * checkpoint).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/index.ts';

export const STAGE_MARKER = '.stage-done.json';

export interface StageMarker<T = unknown> {
  stage: string;
  finished_at: string;
  /** Wall seconds of the run that completed the stage (not counting earlier interrupted tries). */
  wall_s: number;
  result: T;
}

/** Progress and log lines; the CLI prints them, tests collect them. */
export type PipelineLog = (line: string) => void;

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
 * Run `work` for stage `name` in `dir` unless its marker says it is done.
 * @returns the stored result (skipped) or the new one (after writing the marker).
 */
export async function runStage<T>(name: string, dir: string, log: PipelineLog, work: (dir: string) => Promise<T>): Promise<T> {
  const marker = readStageMarker<T>(dir);
  if (marker) {
    log(`[${name}] done earlier (${marker.finished_at}, ${marker.wall_s.toFixed(1)} s); skipped`);
    return marker.result;
  }
  mkdirSync(dir, { recursive: true });
  log(`[${name}] started`);
  const started = Date.now();
  const result = await work(dir);
  const wallS = (Date.now() - started) / 1000;
  const done: StageMarker<T> = { stage: name, finished_at: new Date().toISOString(), wall_s: wallS, result };
  writeFileAtomic(join(dir, STAGE_MARKER), JSON.stringify(done, null, 2) + '\n');
  log(`[${name}] finished in ${wallS.toFixed(1)} s`);
  return result;
}

