/**
 * Build stage: SFT rows and DPO pairs from one search database into one data folder. Several builds
 * from the same database (the round's data and the ablation's `chosen` variants) share one read of
 * it (`SearchSource`), made only when a build actually runs.
 */
import { join } from 'node:path';
import { userText } from '../../core/index.ts';
import { readRun } from '../../store/index.ts';
import { getTask } from '../../tasks/index.ts';
import { buildDataStage, ggufTokenLimits, type SearchedRun } from '../adapters.ts';
import type { GgufModel } from '../model-ref.ts';
import type { PipelineContext } from '../pipeline-context.ts';
import { processCheckFor } from '../process-check.ts';
import type { Stage } from '../stage.ts';
import type { DataEntry } from '../summary-types.ts';

export type Chosen = 'shortest' | 'longest' | 'random';

/** A search database and its contents, read at most once. */
export interface SearchSource {
  /** The round that searched it. */
  round: number;
  dbPath: string;
  read: () => SearchedRun;
}

export function searchSource(ctx: PipelineContext, round: number): SearchSource {
  const dbPath = ctx.layout.searchDb(round);
  let run: SearchedRun | undefined;
  return { round, dbPath, read: () => (run ??= readRun(dbPath)) };
}

/** Path-length limits of a build: what the trained model's context holds (none when nothing is trained). */
export interface BuildLimits {
  maxLength?: number;
  countTokens?: (text: string) => number;
}

/**
 * A GGUF trained here has a fixed context: drop paths that would not fit BOS + prompt + response +
 * EOS, counted with the tokenizer of `student` (the model the data trains).
 */
export async function buildLimits(ctx: PipelineContext, student: GgufModel | undefined): Promise<BuildLimits> {
  const { config } = ctx;
  if (!student) return { maxLength: config.build.max_length };
  const limits = await ggufTokenLimits(student.path, config.train.context);
  const longestPrompt = Math.max(...ctx.searchProblems.map((p) => limits.countTokens(userText(ctx.instruction, p.question))));
  const fit = limits.context - 2 - longestPrompt;
  const maxLength = Math.min(config.build.max_length ?? fit, fit);
  ctx.log(
    `  build: paths longer than ${maxLength} tokens are dropped (model context ${limits.context}, longest prompt ${longestPrompt} tokens)`,
  );
  return { maxLength, countTokens: limits.countTokens };
}

export interface DataBuild {
  /** Name in logs and summary.json, e.g. "round 2" or "round 2 (chosen = random)". */
  name: string;
  dir: string;
  source: SearchSource;
  chosen: Chosen;
  limits: BuildLimits;
}

/** The stage value of one data build. */
export function buildStage(ctx: PipelineContext, build: DataBuild): Stage<Omit<DataEntry, 'name' | 'dir'>> {
  const { config, layout } = ctx;
  return {
    name: `build ${build.name}`,
    dir: build.dir,
    inputs: [layout.label(build.source.dbPath), `chosen = ${build.chosen}`],
    outputs: ['sft.jsonl', 'dpo.jsonl', 'stats.json'].map((f) => join(build.dir, f)),
    run: async () => {
      // Judged by the searched problems' own word and letters, whatever their phrasing.
      const task = getTask(config.task);
      const processCheck = config.build.process_check ? processCheckFor(config.task, ctx.searchProblems) : undefined;
      const entry = await buildDataStage(build.source.read(), build.source.dbPath, build.dir, {
        sft: config.train.sft.select,
        chosen: build.chosen,
        pairsPerQuestion: config.build.pairs_per_question,
        maxLength: build.limits.maxLength,
        countTokens: build.limits.countTokens,
        processCheck,
        // A reflection's checked result counts as an attempt's answer only when the task reads it as one.
        taskAnswer: (text) => task.extractAnswer(text),
        seed: config.seed,
        warn: (warning) => ctx.log(`  warning: ${warning}`),
      });
      if (processCheck?.unchecked.size)
        ctx.log(
          `  warning: the process check could not judge ${processCheck.unchecked.size} questions (word and letters unknown); their paths were kept`,
        );
      return entry;
    },
  };
}

/** Run one build and record it; returns the data folder. */
export async function buildData(ctx: PipelineContext, build: DataBuild): Promise<string> {
  const entry = await ctx.runner.run(buildStage(ctx, build));
  ctx.record.data.push({ ...entry, name: build.name, dir: ctx.layout.relative(build.dir) });
  ctx.log(
    `  build ${build.name}: ${entry.sft_rows} SFT rows, ${entry.dpo_pairs} DPO pairs${entry.process_rejected ? `; ${entry.process_rejected} correct paths dropped by the process check` : ''}`,
  );
  return build.dir;
}
