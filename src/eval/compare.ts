/**
 * `treecot eval --compare a b ...`: read several evaluation folders (or summary.json files) and
 * join them into one table. Reads only stored results (docs/design.md `eval/`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataError, readUserText } from '../core/index.ts';
import { compareRecords } from './paired.ts';
import { formatComparison } from './statistics.ts';
import type { EvalQuestionRecord, EvalSummary } from './types.ts';

/**
 * Load `summary.json` from an evaluation folder or a summary file path.
 * @throws DataError naming the file when it is missing or not a treecot eval summary.
 */
export function loadEvalSummary(path: string): EvalSummary {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  if (!existsSync(file)) throw new DataError({ file }, 'no evaluation summary here (expected the folder `treecot eval --out` wrote)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readUserText(file));
  } catch (error) {
    if (DataError.isInstance(error)) throw error;
    throw new DataError({ file }, `malformed JSON: ${(error as Error).message}`);
  }
  const summary = parsed as Partial<EvalSummary>;
  for (const field of ['accuracy', 'no_answer_rate', 'questions'] as const) {
    if (typeof summary[field] !== 'number') throw new DataError({ file, field }, 'missing number: not a treecot eval summary');
  }
  return summary as EvalSummary;
}

/** Read a questions.jsonl. @throws DataError naming file and line for a malformed line. */
export function readQuestionRecords(file: string): EvalQuestionRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, i }) => {
      try {
        return JSON.parse(line) as EvalQuestionRecord;
      } catch (error) {
        throw new DataError({ file, line: i + 1 }, `malformed JSON: ${(error as Error).message}`);
      }
    });
}

/**
 * Load `questions.jsonl` next to a summary (an evaluation folder, or the folder of a summary file);
 * undefined when there is none (a summary copied on its own).
 * @throws DataError naming file and line for a malformed line.
 */
export function loadEvalRecords(path: string): EvalQuestionRecord[] | undefined {
  const dir = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
  const file = join(dir, 'questions.jsonl');
  return existsSync(file) ? readQuestionRecords(file) : undefined;
}

/**
 * A Markdown table of each run's change against the first (the base) and against the previous one,
 * paired over the questions both answered: accuracy and no-answer rate, each with its paired test.
 * Runs without per-question records are listed as such.
 */
export function pairedTable(runs: readonly { label: string; records: readonly EvalQuestionRecord[] | undefined }[]): string {
  const header = ['run', 'accuracy vs first', 'accuracy vs previous', 'no-answer vs first', 'no-answer vs previous'];
  const rows = runs.slice(1).map((run, i) => {
    const against = (other: (typeof runs)[number]): [string, string] => {
      if (!run.records || !other.records) return ['- (no questions.jsonl)', '- (no questions.jsonl)'];
      try {
        const c = compareRecords(other.records, run.records);
        return [formatComparison(c.accuracy), formatComparison(c.no_answer_rate)];
      } catch (error) {
        return [`- (${(error as Error).message})`, '-'];
      }
    };
    const [accFirst, naFirst] = against(runs[0]!);
    const [accPrev, naPrev] = against(runs[i]!);
    return [run.label, accFirst, accPrev, naFirst, naPrev];
  });
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}

/** Percent with one decimal, e.g. 0.596 -> "59.6%". */
export function percent(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '-' : `${(value * 100).toFixed(1)}%`;
}

/**
 * Why the rows of a comparison may not be comparable: evaluations of another task, another
 * data file or another number of questions (issue 15 item 14). Empty when all agree.
 */
export function compareWarnings(summaries: readonly EvalSummary[], labels?: readonly string[]): string[] {
  const warnings: string[] = [];
  const name = (i: number) => labels?.[i] ?? summaries[i]!.name;
  for (const field of ['task', 'data', 'questions'] as const) {
    const values = new Set(summaries.map((s) => String(s[field])));
    if (values.size > 1) {
      warnings.push(
        `the evaluations differ in ${field} (${summaries.map((s, i) => `${name(i)}: ${String(s[field])}`).join('; ')}); their rows measure different things and are not a paired comparison`,
      );
    }
  }
  return warnings;
}

/** A Markdown table: one row per summary, columns for the shared metrics, every pass@k and every step score. */
export function compareTable(summaries: readonly EvalSummary[], labels?: readonly string[]): string {
  const ks = [...new Set(summaries.flatMap((s) => Object.keys(s.pass_at_k ?? {})))].sort((a, b) => Number(a) - Number(b));
  const steps = [...new Set(summaries.flatMap((s) => Object.keys(s.step_accuracy ?? {})))];
  const header = [
    'run',
    'questions',
    'n',
    'accuracy ± SE (95% CI)',
    'no-answer ± SE (95% CI)',
    ...ks.map((k) => `pass@${k}`),
    'majority baseline',
    'mean len',
    'median len',
    'reflection/resp',
    'repeated lines',
    ...steps.map((s) => `step ${s}`),
  ];
  const rows = summaries.map((s, i) => [
    labels?.[i] ?? s.name,
    String(s.questions),
    String(s.samples_per_question),
    withError(s.accuracy, s.accuracy_se, s.accuracy_ci95),
    withError(s.no_answer_rate, s.no_answer_rate_se, s.no_answer_rate_ci95),
    ...ks.map((k) => percent(s.pass_at_k?.[k])),
    s.majority_baseline ? `${withError(s.majority_baseline.accuracy, s.majority_baseline.se)} (always ${s.majority_baseline.answer})` : '-',
    (s.mean_length_chars ?? 0).toFixed(1),
    (s.median_length_chars ?? 0).toFixed(1),
    (s.reflection_markers_per_response ?? 0).toFixed(2),
    percent(s.repeated_line_rate),
    ...steps.map((k) => percent(s.step_accuracy?.[k])),
  ]);
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}

/** "64.6% ± 2.1 (60.4-68.7)"; summaries written before standard errors existed show the rate alone. */
export function withError(value: number | undefined, se: number | undefined, ci95?: readonly [number, number]): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (se === undefined) return percent(value);
  const interval = ci95 ? ` (${(ci95[0] * 100).toFixed(1)}-${(ci95[1] * 100).toFixed(1)})` : '';
  return `${percent(value)} ± ${(se * 100).toFixed(1)}${interval}`;
}
