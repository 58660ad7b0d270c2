/**
 * The entries a run collects for summary.json (model stages, search rounds, data builds, trainings)
 * and the writing of summary.json, report.md and report.html.
 */
import { treecotProvenance, writeFileAtomic } from '../core/index.ts';
import { renderReportHtml, renderReportMarkdown } from './report.ts';
import type { RunLayout } from './run-layout.ts';
import { addRunStatistics } from './summary-statistics.ts';
import { addTrainingCurves } from './training-curves.ts';
import { getTask } from '../tasks/index.ts';
import type { ReflectionTags } from '../eval/index.ts';
import type { StageRunner } from './stage.ts';
import type { DataEntry, RunSummary, SearchEntry, StageEntry, TrainEntry } from './summary-types.ts';

export class RunRecord {
  readonly stages: StageEntry[] = [];
  readonly search: SearchEntry[] = [];
  readonly data: DataEntry[] = [];
  readonly train: TrainEntry[] = [];
  constructor(private readonly runner: StageRunner) {}

  /** Write summary.json, report.md and report.html; returns the summary. */
  write(layout: RunLayout, run: { name: string; task: string; configHash: string; reflectionTags?: ReflectionTags }): RunSummary {
    // Standard errors, paired changes between stages and reflection counts, from the stored JSONL.
    const task = getTask(run.task);
    const summary: RunSummary = addRunStatistics(
      {
        name: run.name,
        task: run.task,
        config_hash: run.configHash,
        written_at: new Date().toISOString(),
        // The code that produced it; the config itself is in pipeline.json, each evaluation's settings in its summary.json.
        produced_by: { treecot: treecotProvenance() },
        stages: this.stages,
        search: this.search,
        data: this.data,
        // Loss and reward-margin curves for the report, from each training's train-log.jsonl.
        train: addTrainingCurves(this.train),
        stage_wall_s: this.runner.wallSeconds,
      },
      layout.root,
      undefined,
      run.reflectionTags,
      // A reflection's checked result is an attempt's answer only when the task reads it as one.
      (text) => task.extractAnswer(text),
    );
    writeFileAtomic(layout.summary, JSON.stringify(summary, null, 2) + '\n');
    writeFileAtomic(layout.reportMarkdown, renderReportMarkdown(summary));
    writeFileAtomic(layout.reportHtml, renderReportHtml(summary));
    return summary;
  }
}
