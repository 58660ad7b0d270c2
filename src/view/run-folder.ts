/**
 * The run page of `treecot view RUN_FOLDER`: the headline numbers of a `treecot run` folder's
 * `summary.json` (pipeline/summary-types.ts): each model stage's accuracy with its binomial
 * standard error, the no-answer rate, each round's search and each data build, and whether the
 * folder has `report.html` (served apart, with scripts disabled by a CSP sandbox).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../core/index.ts';

/** Largest summary.json read, bytes (it holds per-question length lists, not texts). */
const MAX_SUMMARY_BYTES = 32 * 1024 * 1024;

export interface RunFolderView {
  folder: string;
  hasReport: boolean;
  stages: { stage: string; description: string; set: string; n: number; accuracy: number; accuracySe: number; noAnswerRate: number }[];
  search: { round: number; questions: number; solved: number; rollouts: number; nodes: number; wallS: number }[];
  data: { name: string; sftRows: number; dpoPairs: number; dir: string }[];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null) : []);

/** @throws DataError naming summary.json when it is not JSON or too large. */
export function readRunFolder(folder: string): RunFolderView {
  const file = join(folder, 'summary.json');
  const view: RunFolderView = { folder, hasReport: existsSync(join(folder, 'report.html')), stages: [], search: [], data: [] };
  if (!existsSync(file)) return view;
  if (statSync(file).size > MAX_SUMMARY_BYTES) throw new DataError({ file }, `larger than ${MAX_SUMMARY_BYTES} bytes`);
  let summary: Record<string, unknown>;
  try {
    summary = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new DataError({ file }, `not JSON: ${(error as Error).message}`);
  }
  view.stages = list(summary.stages).map((s) => {
    const n = num(s.n);
    const p = num(s.accuracy);
    // Binomial standard error of an accuracy over n questions: sqrt(p (1 - p) / n).
    return {
      stage: str(s.stage),
      description: str(s.description),
      set: str(s.set),
      n,
      accuracy: p,
      accuracySe: Math.sqrt((p * (1 - p)) / n),
      noAnswerRate: num(s.no_answer_rate),
    };
  });
  view.search = list(summary.search).map((s) => ({
    round: num(s.round),
    questions: num(s.questions),
    solved: num(s.solved),
    rollouts: num(s.rollouts),
    nodes: num(s.nodes),
    wallS: num(s.wall_s),
  }));
  view.data = list(summary.data).map((d) => ({ name: str(d.name), sftRows: num(d.sft_rows), dpoPairs: num(d.dpo_pairs), dir: str(d.dir) }));
  return view;
}
