/**
 * What every stage of one run shares: the config, the run folder's layout, the loaded question sets,
 * the policy factory, the stage runner and the record that becomes summary.json. Built once by
 * `openPipeline`; stages receive it and add nothing to it but their entries in `record`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { canonicalHash, ConfigError, writeFileAtomic } from '../core/index.ts';
import type { ReflectionTags, StepScorer } from '../eval/index.ts';
import type { Policy } from '../policy/types.ts';
import { getTask, type Problem, type Task } from '../tasks/index.ts';
import { loadSearchSettings, openPolicy as openModelPolicy } from './adapters.ts';
import { resolveConfigPath, type LoadedPipelineConfig, type PipelineConfig } from './config.ts';
import type { ModelRef } from './model-ref.ts';
import { describeSource, loadQuestions, stepScorerFor } from './questions.ts';
import { RunLayout } from './run-layout.ts';
import { RunRecord } from './run-record.ts';
import { StageRunner, type PipelineLog } from './stage.ts';

/** One evaluation set: its name in the run folder, a label of its source, its questions. */
export interface EvalSet {
  name: string;
  label: string;
  problems: Problem[];
}

export interface PipelineContext {
  config: PipelineConfig;
  /** Config file (for error messages) and the hash recorded in pipeline.json. */
  configFile: string;
  configHash: string;
  layout: RunLayout;
  log: PipelineLog;
  runner: StageRunner;
  record: RunRecord;
  task: Task;
  /** The prompt the search uses, and so the evaluation and training. */
  instruction: string;
  stepScorer: StepScorer | undefined;
  evalSets: EvalSet[];
  searchProblems: Problem[];
  /** The search config file, resolved. */
  searchConfigPath: string;
  /** The tags of the search graph, which every model of the run writes (reflection counts read them). */
  reflectionTags: ReflectionTags;
  openPolicy: (model: ModelRef) => Promise<Policy>;
}

/**
 * Refuse to reuse a run folder made with a different config. Returns `record`, which writes
 * pipeline.json: called only once the config has passed every check, so a config refused
 * for a typo (unknown task, missing file) never claims the folder (issue 15 item 8).
 */
function claimRunFolder(layout: RunLayout, config: PipelineConfig, file: string): { hash: string; record: () => void } {
  const hash = canonicalHash(config);
  const record = layout.pipelineRecord;
  if (existsSync(record)) {
    const previous = JSON.parse(readFileSync(record, 'utf8')) as { config_hash?: string };
    if (previous.config_hash !== hash) {
      throw new ConfigError(
        { file },
        `the run folder ${layout.root} was made with a different config (hash ${previous.config_hash?.slice(0, 12)}, now ${hash.slice(0, 12)}); use another --out, or --fresh to delete the folder`,
      );
    }
    return { hash, record: () => {} };
  }
  return { hash, record: () => writeFileAtomic(record, JSON.stringify({ config_hash: hash, config }, null, 2) + '\n') };
}

/** Claim the run folder, load the search settings and every question set, and log what will run. */
export async function openPipeline(
  loaded: LoadedPipelineConfig,
  outDir: string,
  log: PipelineLog,
  openPolicy: ((model: ModelRef) => Promise<Policy>) | undefined,
): Promise<PipelineContext> {
  const config = loaded.config;
  const layout = new RunLayout(outDir);
  const { hash: configHash, record: recordRunFolder } = claimRunFolder(layout, config, loaded.file);
  const searchConfigPath = resolveConfigPath(loaded, config.search.config);
  const settings = await loadSearchSettings(searchConfigPath, config.task);
  const evalSets: EvalSet[] = config.eval.sets.map((s, i) => ({
    name: s.name,
    label: describeSource(s),
    problems: loadQuestions(loaded, s, `eval.sets.${i}`, `eval-${s.name}`),
  }));
  const searchProblems = loadQuestions(loaded, config.search.questions, 'search.questions', 'search');
  const task = getTask(config.task);
  recordRunFolder(); // every input has been checked
  const runner = new StageRunner(log);
  return {
    config,
    configFile: loaded.file,
    configHash,
    layout,
    log,
    runner,
    record: new RunRecord(runner),
    task,
    instruction: settings.instruction,
    stepScorer: stepScorerFor(config.task, settings.reflectionTags),
    evalSets,
    searchProblems,
    searchConfigPath,
    reflectionTags: settings.reflectionTags,
    openPolicy: openPolicy ?? openModelPolicy,
  };
}
