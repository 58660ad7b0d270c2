/**
 * `treecot eval --compare a b ...`: read several evaluation folders (or summary.json files) and
 * join them into one table. Reads only stored results (docs/design.md `eval/`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../core/index.ts';
import type { EvalSummary } from './types.ts';

/**
 * Load `summary.json` from an evaluation folder or a summary file path.
 * @throws DataError naming the file when it is missing or not a treecot eval summary.
 */
export function loadEvalSummary(path: string): EvalSummary {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  if (!existsSync(file)) throw new DataError({ file }, 'no evaluation summary here (expected the folder `treecot eval --out` wrote)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataError({ file }, `malformed JSON: ${(error as Error).message}`);
  }
  const summary = parsed as Partial<EvalSummary>;
  for (const field of ['accuracy', 'no_answer_rate', 'questions'] as const) {
    if (typeof summary[field] !== 'number') throw new DataError({ file, field }, 'missing number: not a treecot eval summary');
  }
  return summary as EvalSummary;
}

/** Percent with one decimal, e.g. 0.596 -> "59.6%". */
export function percent(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '-' : `${(value * 100).toFixed(1)}%`;
}

/** A Markdown table: one row per summary, columns for the shared metrics, every pass@k and every step score. */
export function compareTable(summaries: readonly EvalSummary[], labels?: readonly string[]): string {
  const ks = [...new Set(summaries.flatMap((s) => Object.keys(s.pass_at_k ?? {})))].sort((a, b) => Number(a) - Number(b));
  const steps = [...new Set(summaries.flatMap((s) => Object.keys(s.step_accuracy ?? {})))];
  const header = ['run', 'questions', 'n', 'accuracy', 'no-answer', ...ks.map((k) => `pass@${k}`), 'majority baseline', 'mean len', 'median len', 'reflection/resp', 'repeated lines', ...steps.map((s) => `step ${s}`)];
  const rows = summaries.map((s, i) => [
    labels?.[i] ?? s.name,
    String(s.questions),
    String(s.samples_per_question),
    percent(s.accuracy),
    percent(s.no_answer_rate),
    ...ks.map((k) => percent(s.pass_at_k?.[k])),
    s.majority_baseline ? `${percent(s.majority_baseline.accuracy)} (${s.majority_baseline.answer})` : '-',
    (s.mean_length_chars ?? 0).toFixed(1),
    (s.median_length_chars ?? 0).toFixed(1),
    (s.reflection_markers_per_response ?? 0).toFixed(2),
    percent(s.repeated_line_rate),
    ...steps.map((k) => percent(s.step_accuracy?.[k])),
  ]);
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}
