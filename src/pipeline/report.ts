/**
 * The run report: `report.md` and a self-contained `report.html` (inline SVG plots, no scripts,
 * no external files), both rendered from the run summary only, so every number in them is a number
 * of summary.json (which is itself recomputed from the evaluation JSONL and the training logs).
 */
import { formatComparison, percent, withError, type PairedComparison } from '../eval/index.ts';
import { barChart, escapeXml, histogram, lineChart } from './svg.ts';
import type { RunSummary, StageEntry, TrainingCurve } from './summary-types.ts';

const fmt = (v: number) => `${(v * 100).toFixed(1)}%`;

/** All set names in stage order of first appearance. */
function setNames(summary: RunSummary): string[] {
  return [...new Set(summary.stages.flatMap((s) => s.sets.map((x) => x.set)))];
}

function stepNames(summary: RunSummary): string[] {
  return [...new Set(summary.stages.flatMap((s) => s.sets.flatMap((x) => Object.keys(x.step_accuracy ?? {}))))];
}

/** Rows of the main results table, one per stage: accuracy / no-answer per set, baseline, steps, length. */
function resultRows(summary: RunSummary): { header: string[]; rows: string[][] } {
  const sets = setNames(summary);
  const steps = stepNames(summary);
  const ks = [...new Set(summary.stages.flatMap((s) => s.sets.flatMap((x) => Object.keys(x.pass_at_k))))].filter((k) => k !== '1');
  const header = ['stage'];
  for (const name of sets) {
    const set = escapeMarkdown(name);
    header.push(
      `${set} accuracy ± SE (95% CI)`,
      `${set} no-answer ± SE (95% CI)`,
      `${set} majority baseline`,
      ...ks.map((k) => `${set} pass@${k}`),
    );
  }
  header.push(...steps.map((s) => `${escapeMarkdown(sets[0] ?? '')} step: ${s}`), 'mean length (chars)', 'n');
  const rows = summary.stages.map((stage) => {
    const row = [stage.stage];
    for (const set of sets) {
      const r = stage.sets.find((x) => x.set === set);
      row.push(
        withError(r?.accuracy, r?.accuracy_se, r?.accuracy_ci95),
        withError(r?.no_answer_rate, r?.no_answer_rate_se, r?.no_answer_rate_ci95),
        r
          ? `${withError(r.majority_baseline.accuracy, r.majority_baseline.se)} (always ${escapeMarkdown(String(r.majority_baseline.answer))})`
          : '-',
        ...ks.map((k) => percent(r?.pass_at_k[k])),
      );
    }
    const first = stage.sets[0];
    row.push(...steps.map((s) => percent(first?.step_accuracy?.[s])), first ? first.mean_length_chars.toFixed(1) : '-', String(stage.n));
    return row;
  });
  return { header, rows };
}

/**
 * Rows of the paired-changes table: per set and stage, accuracy and no-answer change against the
 * base and the previous stage with the paired test's p-value (only where addRunStatistics ran).
 */
function changeRows(summary: RunSummary): { header: string[]; rows: string[][] } {
  const header = ['set', 'stage', 'accuracy vs base', 'accuracy vs previous', 'no-answer vs base', 'no-answer vs previous'];
  const cell = (c: PairedComparison | undefined, against: string | undefined): string =>
    c ? `${formatComparison(c)} [vs ${against}]` : '-';
  const rows: string[][] = [];
  for (const set of setNames(summary)) {
    for (const stage of summary.stages) {
      const r = stage.sets.find((x) => x.set === set);
      if (!r?.vs_base) continue;
      rows.push([
        escapeMarkdown(set),
        stage.stage,
        cell(r.vs_base.accuracy, r.base_stage),
        cell(r.vs_previous?.accuracy, r.previous_stage),
        cell(r.vs_base.no_answer_rate, r.base_stage),
        cell(r.vs_previous?.no_answer_rate, r.previous_stage),
      ]);
    }
  }
  return { header, rows };
}

const CHANGES_NOTE =
  'Changes are paired over the questions both stages answered: exact McNemar test for one sample per question, a seeded paired bootstrap (10,000 resamples) otherwise; "better on / worse on" count the questions. Standard errors are over questions; intervals are Wilson score intervals (one sample per question) or mean ± 1.96 SE.';

/**
 * Text from a config, a data set or a model path as literal Markdown: every character a renderer
 * reads as markup inside a line (inline HTML, link brackets, code spans, emphasis, table cells) is
 * backslash-escaped, `&` becomes `&amp;` and line breaks become spaces, so `<script>` or `|` in a
 * name shows as itself.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_{}[\]|<>~]/g, (c) => `\\${c}`);
}

function markdownTable(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n';
}

function searchRows(summary: RunSummary): { header: string[]; rows: string[][] } {
  const header = [
    'round',
    'questions',
    'finished',
    'solved',
    'share solved',
    'rollouts',
    'rollouts / question',
    'correct rollouts',
    'nodes',
    'prompt tokens',
    'completion tokens',
    'wall s',
  ];
  const rows = summary.search.map((s) => [
    String(s.round),
    String(s.questions),
    String(s.finished),
    String(s.solved),
    percent(s.questions ? s.solved / s.questions : 0),
    String(s.rollouts),
    (s.questions ? s.rollouts / s.questions : 0).toFixed(1),
    String(s.correct_rollouts),
    String(s.nodes),
    String(s.prompt_tokens),
    String(s.completion_tokens),
    s.wall_s.toFixed(1),
  ]);
  return { header, rows };
}

function dataRows(summary: RunSummary): { header: string[]; rows: string[][] } {
  const mean = (v: number[]) => (v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1) : '-');
  const share = (k: number | undefined, n: number) => (k === undefined ? '-' : `${k} (${n ? ((100 * k) / n).toFixed(1) : '0.0'}%)`);
  const header = [
    'data',
    'SFT rows',
    'DPO pairs',
    'correct paths dropped by the process check',
    'SFT rows with a reflection',
    'SFT rows with a corrected reflection',
    'chosen with a corrected reflection',
    'mean SFT length',
    'mean chosen length',
    'mean rejected length',
    'mean common prefix',
  ];
  const rows = summary.data.map((d) => [
    escapeMarkdown(d.name),
    String(d.sft_rows),
    String(d.dpo_pairs),
    d.process_rejected === undefined ? '-' : String(d.process_rejected),
    share(d.sft_with_reflection, d.sft_rows),
    share(d.sft_corrected_reflection, d.sft_rows),
    share(d.chosen_corrected_reflection, d.dpo_pairs),
    mean(d.sft_lengths),
    mean(d.chosen_lengths),
    mean(d.rejected_lengths),
    mean(d.common_prefix_chars),
  ]);
  return { header, rows };
}

/** Reflection at inference per stage and set: samples that reflect, and what their reflection did. */
function reflectionRows(summary: RunSummary): { header: string[]; rows: string[][] } {
  const header = ['stage', 'set', 'samples', 'reflected', 'fixed a wrong first attempt', 'broke a right first attempt'];
  const rows = summary.stages.flatMap((stage) =>
    stage.sets
      .filter((x) => x.reflection)
      .map((x) => [
        stage.stage,
        escapeMarkdown(x.set),
        String(x.reflection!.samples),
        String(x.reflection!.reflected),
        String(x.reflection!.fixed),
        String(x.reflection!.broke),
      ]),
  );
  return { header, rows };
}

const REFLECTION_NOTE =
  'An attempt is the text before the first reflection or after one; a corrected reflection is a wrong first attempt (its answer, or its last double-check result, differs) followed by a right final answer. At inference, "fixed" counts samples whose first attempt missed the reference and whose verdict is correct.';

function trainRows(summary: RunSummary): { header: string[]; rows: string[][] } {
  const header = ['stage', 'objective', 'data', 'steps', 'final loss', 'wall s'];
  // The data build's name says which round's search it came from; summaries of older runs have no `data`.
  const dataName = (dir: string | undefined) =>
    dir === undefined ? '-' : escapeMarkdown(summary.data.find((d) => d.dir === dir)?.name ?? dir);
  const rows = summary.train.map((t) => [
    t.stage,
    t.objective,
    dataName(t.data),
    String(t.steps),
    t.final_loss === null ? '-' : t.final_loss.toFixed(4),
    t.wall_s.toFixed(1),
  ]);
  return { header, rows };
}

/** Rows of a training's curve at up to `count` evenly spaced points (first and last included), for report.md. */
function curveRows(curve: TrainingCurve, count = 11): string[][] {
  const n = curve.step.length;
  const picked = [
    ...new Set(Array.from({ length: Math.min(count, n) }, (_, i) => Math.round((i * (n - 1)) / Math.max(1, Math.min(count, n) - 1)))),
  ];
  return picked.map((i) => [
    String(curve.step[i]),
    curve.loss[i]!.toFixed(4),
    ...(curve.reward_margin ? [curve.reward_margin[i]!.toFixed(4)] : []),
  ]);
}

const CURVE_NOTE =
  "Loss per optimiser step as train-log.jsonl logged it (the step mean over its rows or pairs; for the joint objective the preference loss plus alpha x the SFT term); the reward margin is TRL's rewards/margins, beta x (policy - reference log-prob of chosen minus that of rejected), mean over the step's pairs.";

/** The curve's title suffix when the log was thinned to MAX_CURVE_POINTS. */
const strideNote = (curve: TrainingCurve) => (curve.every > 1 ? ` (every ${curve.every}th step)` : '');

function stageDescriptions(stages: StageEntry[]): string {
  return stages.map((s) => `- **${s.stage}**: ${escapeMarkdown(s.description)} (model: ${escapeMarkdown(s.model)})`).join('\n') + '\n';
}

/** `report.md`: the same tables as the HTML report, without plots. */
export function renderReportMarkdown(summary: RunSummary): string {
  const parts: string[] = [];
  parts.push(`# treecot run report: ${escapeMarkdown(summary.name)}\n`);
  parts.push(`Task ${escapeMarkdown(summary.task)}; config hash \`${summary.config_hash.slice(0, 12)}\`; written ${summary.written_at}.\n`);
  parts.push(
    'Accuracy is the share of correct samples (greedy accuracy when one sample at temperature 0); the no-answer rate is the share of responses without a valid final answer; the majority baseline always answers the most common reference of the set.\n',
  );
  parts.push('## Results per stage\n');
  parts.push(stageDescriptions(summary.stages));
  const results = resultRows(summary);
  parts.push(markdownTable(results.header, results.rows));
  const changes = changeRows(summary);
  if (changes.rows.length) {
    parts.push('\n## Changes between stages (paired tests)\n');
    parts.push(`${CHANGES_NOTE}\n`);
    parts.push(markdownTable(changes.header, changes.rows));
  }
  const reflections = reflectionRows(summary);
  if (reflections.rows.length) {
    parts.push('\n## Reflection at inference\n');
    parts.push(`${REFLECTION_NOTE}\n`);
    parts.push(markdownTable(reflections.header, reflections.rows));
  }
  if (summary.search.length) {
    parts.push('\n## Search\n');
    const s = searchRows(summary);
    parts.push(markdownTable(s.header, s.rows));
  }
  if (summary.data.length) {
    parts.push('\n## Training data (lengths in characters)\n');
    const d = dataRows(summary);
    parts.push(markdownTable(d.header, d.rows));
  }
  if (summary.train.length) {
    parts.push('\n## Training\n');
    const t = trainRows(summary);
    parts.push(markdownTable(t.header, t.rows));
    const curves = summary.train.filter((x) => x.curve && x.curve.step.length > 0);
    if (curves.length) parts.push(`\n${CURVE_NOTE}\n`);
    for (const { stage, curve } of curves) {
      parts.push(`\n### Training curve: ${escapeMarkdown(stage)}${strideNote(curve!)}\n`);
      parts.push(markdownTable(['step', 'loss', ...(curve!.reward_margin ? ['reward margin'] : [])], curveRows(curve!)));
    }
  }
  parts.push('\n## Wall time per pipeline stage\n');
  parts.push(
    markdownTable(
      ['stage', 'wall s'],
      Object.entries(summary.stage_wall_s).map(([k, v]) => [k, v.toFixed(1)]),
    ),
  );
  return parts.join('\n');
}

function htmlTable(header: string[], rows: string[][]): string {
  const head = header.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** `report.html`: self-contained page with tables and inline SVG plots. */
export function renderReportHtml(summary: RunSummary): string {
  const sections: string[] = [];
  const sets = setNames(summary);
  const results = resultRows(summary);
  sections.push(
    `<h2>Results per stage</h2><ul>${summary.stages.map((s) => `<li><b>${escapeXml(s.stage)}</b>: ${escapeXml(s.description)} (model <code>${escapeXml(s.model)}</code>)</li>`).join('')}</ul>`,
  );
  sections.push(htmlTable(results.header, results.rows));
  const changes = changeRows(summary);
  if (changes.rows.length)
    sections.push(
      `<h2>Changes between stages (paired tests)</h2><p>${escapeXml(CHANGES_NOTE)}</p>`,
      htmlTable(changes.header, changes.rows),
    );
  const reflections = reflectionRows(summary);
  if (reflections.rows.length)
    sections.push(`<h2>Reflection at inference</h2><p>${escapeXml(REFLECTION_NOTE)}</p>`, htmlTable(reflections.header, reflections.rows));
  for (const set of sets) {
    const groups = summary.stages
      .map((stage) => ({ stage, r: stage.sets.find((x) => x.set === set) }))
      .filter((x) => x.r)
      .map(({ stage, r }) => ({ label: stage.stage, values: { accuracy: r!.accuracy, 'no-answer rate': r!.no_answer_rate } }));
    const baseline = summary.stages.flatMap((s) => s.sets).find((x) => x.set === set)?.majority_baseline;
    sections.push(
      barChart(groups, {
        title: `Accuracy and no-answer rate per stage: ${set}`,
        yMax: 1,
        format: fmt,
        lines: baseline ? [{ label: `majority baseline (always ${baseline.answer})`, value: baseline.accuracy }] : [],
        width: Math.max(640, 90 * groups.length),
      }),
    );
  }
  const steps = stepNames(summary);
  if (steps.length) {
    const groups = summary.stages.map((stage) => ({
      label: stage.stage,
      values: Object.fromEntries(steps.map((s) => [s, stage.sets[0]?.step_accuracy?.[s] ?? 0])),
    }));
    sections.push(`<h2>Per-step accuracy (${escapeXml(sets[0]!)})</h2>`);
    sections.push(
      barChart(groups, { title: `Per-step accuracy: ${sets[0]}`, yMax: 1, format: fmt, width: Math.max(640, 120 * groups.length) }),
    );
  }
  if (summary.search.length) {
    sections.push('<h2>Search</h2>');
    const s = searchRows(summary);
    sections.push(htmlTable(s.header, s.rows));
    sections.push(
      histogram(Object.fromEntries(summary.search.map((x) => [`round ${x.round}`, x.rollouts_per_question])), {
        title: 'Rollouts per question',
        xLabel: 'rollouts',
        bins: 16,
      }),
    );
    sections.push(
      barChart(
        summary.search.map((x) => ({ label: `round ${x.round}`, values: { 'share solved': x.questions ? x.solved / x.questions : 0 } })),
        { title: 'Share of searched questions with a correct rollout', yMax: 1, format: fmt },
      ),
    );
  }
  if (summary.data.length) {
    sections.push('<h2>Training data</h2>');
    const d = dataRows(summary);
    sections.push(htmlTable(d.header, d.rows));
    for (const data of summary.data) {
      sections.push(
        histogram(
          { 'SFT completion': data.sft_lengths, 'DPO chosen': data.chosen_lengths, 'DPO rejected': data.rejected_lengths },
          {
            title: `Response lengths: ${data.name}`,
            xLabel: 'characters',
            bins: 20,
          },
        ),
      );
    }
  }
  if (summary.train.length) {
    sections.push('<h2>Training</h2>');
    const t = trainRows(summary);
    sections.push(htmlTable(t.header, t.rows));
    const curves = summary.train.filter((x) => x.curve && x.curve.step.length > 0);
    if (curves.length) sections.push(`<p>${escapeXml(CURVE_NOTE)}</p>`);
    for (const { stage, curve } of curves) {
      sections.push(lineChart(curve!.step, curve!.loss, 'loss', { title: `Training loss: ${stage}${strideNote(curve!)}`, xLabel: 'step' }));
      if (curve!.reward_margin) {
        sections.push(
          lineChart(curve!.step, curve!.reward_margin, 'reward margin', {
            title: `Reward margin (rewards/margins): ${stage}${strideNote(curve!)}`,
            xLabel: 'step',
            zeroLine: true,
          }),
        );
      }
    }
  }
  sections.push('<h2>Wall time per pipeline stage</h2>');
  sections.push(
    htmlTable(
      ['stage', 'wall s'],
      Object.entries(summary.stage_wall_s).map(([k, v]) => [k, v.toFixed(1)]),
    ),
  );
  const style =
    'body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}svg{display:block;margin:1em 0}';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>treecot report: ${escapeXml(summary.name)}</title><style>${style}</style></head>
<body><h1>treecot run report: ${escapeXml(summary.name)}</h1>
<p>Task <code>${escapeXml(summary.task)}</code>; config hash <code>${escapeXml(summary.config_hash.slice(0, 12))}</code>; written ${escapeXml(summary.written_at)}.
Accuracy is the share of correct samples (greedy accuracy for one sample at temperature 0); the no-answer rate is the share of responses without a valid final answer; the dashed line is the majority-answer baseline.</p>
${sections.join('\n')}
</body></html>
`;
}
