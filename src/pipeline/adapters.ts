/**
 * The pipeline's calls into the other modules (policy, search, store, data, train), each behind one
 * small function, so run-pipeline.ts reads as the stage list and nothing else.
 */
import { TreecotError } from '../core/errors.ts';
import type { Policy } from '../policy/types.ts';
import type { SearchSummary } from '../search/index.ts';
import type { Problem } from '../tasks/index.ts';
import { isSearchDone, readRun } from '../store/index.ts';
import type { PipelineConfig } from './config.ts';
import type { ModelRef } from './model-ref.ts';
import type { PipelineLog } from './stage.ts';
import type { TrainFolder } from './run-layout.ts';
import type { ProcessCheck } from './process-check.ts';
import type { ReflectionTags } from '../eval/index.ts';
import type { DataEntry, SearchEntry, TrainEntry } from './summary-types.ts';

/** What the pipeline needs from a search config: the prompt the search (and so the evaluation) uses. */
export interface SearchSettings {
  instruction: string;
  separator: string;
  /** The graph's reflection, check and answer tags, which the reflection accounting reads (eval/reflection-tags.ts). */
  reflectionTags: ReflectionTags;
}

/**
 * Instruction, separator and reflection tags of a search config. An instruction the config leaves out is the
 * task's default (as `runSearch` does).
 * @throws ConfigError from the search config loader (file, line, field).
 */
export async function loadSearchSettings(file: string, taskName: string): Promise<SearchSettings> {
  const { loadSearchConfig, searchInstruction } = await import('../search/index.ts');
  const { getTask } = await import('../tasks/index.ts');
  const { config } = loadSearchConfig(file);
  const { reflectionTagsOfGraph } = await import('../eval/index.ts');
  return {
    instruction: searchInstruction(config, getTask(taskName).defaultInstruction),
    separator: config.format.separator,
    reflectionTags: reflectionTagsOfGraph(config),
  };
}

/**
 * Open a policy for a model through the policy module's factory (`openPolicy`, shared with the
 * CLI): a GGUF run in-process by node-llama-cpp, or OpenAI-compatible endpoints (probed at start;
 * least-outstanding balancing, retries, fan-out where `n` is ignored).
 * `concurrency` bounds HTTP requests in flight (default: unbounded; callers bound their own calls).
 */
export async function openPolicy(model: ModelRef, options: { concurrency?: number } = {}): Promise<Policy> {
  const { openPolicy: open } = await import('../policy/index.ts');
  const spec =
    model.kind === 'http'
      ? { kind: 'http' as const, urls: model.urls, model: model.model, template: model.chatTemplate, apiKeyEnv: model.apiKeyEnv }
      : { kind: 'gguf' as const, file: model.path, threads: model.threads, contextSize: model.contextSize };
  // Chat mode, template variables and extra request fields are per-model settings of the config.
  const shared =
    model.kind === 'http' ? { ...options, mode: model.mode, templateKwargs: model.templateKwargs, extraBody: model.extraBody } : options;
  return (await open(spec, shared)).policy;
}

export interface SearchStageArgs {
  searchConfigPath: string;
  maxRollouts?: number;
  taskName: string;
  problems: Problem[];
  policy: Policy;
  specialPolicy?: Policy;
  dbPath: string;
  concurrency: number;
  /** Search seed of this round (config seed + round - 1); replaces the search config's `seed`. */
  seed: number;
  log: PipelineLog;
}

/**
 * Run (or resume) the search of a round into `dbPath`, logging progress about every 10% of the
 * questions. The config's `search.max_rollouts` is replaced by `maxRollouts` when given.
 */
export async function runSearchStage(args: SearchStageArgs): Promise<SearchSummary> {
  const { loadSearchConfig, runSearch } = await import('../search/index.ts');
  const { getTask } = await import('../tasks/index.ts');
  const task = getTask(args.taskName);
  const { config } = loadSearchConfig(args.searchConfigPath);
  // The round's seed replaces the config's, so each round draws its own tie-breaks and samples.
  const effective = {
    ...config,
    seed: args.seed,
    search: { ...config.search, ...(args.maxRollouts ? { max_rollouts: args.maxRollouts } : {}) },
  };
  const every = Math.max(1, Math.round(args.problems.length / 10));
  let lastLogged = -1;
  const summary = await runSearch({
    config: effective,
    task: task.name,
    defaultInstruction: task.defaultInstruction,
    problems: args.problems,
    dbPath: args.dbPath,
    policy: args.policy,
    specialPolicy: args.specialPolicy,
    verify: (output, problem) => task.verify(output, problem),
    concurrency: args.concurrency,
    onProgress: (p) => {
      if (p.finished !== lastLogged && (p.finished % every === 0 || p.finished === p.questions)) {
        lastLogged = p.finished;
        const rate = p.counters.rollouts / Math.max(1e-9, p.elapsedMs / 1000);
        args.log(
          `  search: ${p.finished}/${p.questions} questions done, ${p.solved} solved, ${p.counters.rollouts} rollouts (${rate.toFixed(1)}/s), ${p.counters.failedCalls} failed calls`,
        );
      }
    },
  });
  return summary;
}

/** Search statistics of a finished search database (read model of src/store). */
export function readSearchEntry(dbPath: string, round: number, wallS: number): SearchEntry {
  const { questions } = readRun(dbPath);
  let nodes = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  for (const q of questions) {
    nodes += q.nodes.length;
    for (const node of q.nodes) {
      promptTokens += node.promptTokens;
      completionTokens += node.completionTokens;
    }
  }
  return {
    round,
    questions: questions.length,
    finished: questions.filter((q) => isSearchDone(q.status)).length,
    solved: questions.filter((q) => q.correctRollouts > 0).length,
    rollouts: questions.reduce((s, q) => s + q.rollouts, 0),
    correct_rollouts: questions.reduce((s, q) => s + q.correctRollouts, 0),
    nodes,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    wall_s: wallS,
    rollouts_per_question: questions.map((q) => q.rollouts),
  };
}

/**
 * Context length and token counter of a GGUF written by treecot (its CharTokenizer), so the data
 * build can drop paths the trainer could not fit: sequence = BOS + prompt + response + EOS.
 */
export async function ggufTokenLimits(
  path: string,
  trainContext?: number,
): Promise<{ context: number; countTokens: (text: string) => number }> {
  const { loadGguf } = await import('../train/index.ts');
  const { model, tokenizer } = loadGguf(path);
  return { context: Math.max(model.config.context, trainContext ?? 0), countTokens: (text: string) => tokenizer.encode(text).length };
}

export interface BuildStageOptions {
  sft: 'longest' | 'shortest' | 'medium' | 'all' | 'random';
  chosen: 'shortest' | 'longest' | 'random';
  pairsPerQuestion: number;
  /** Drop paths longer than this (tokens with `countTokens`, else characters). */
  maxLength?: number;
  countTokens?: (text: string) => number;
  /** Drop correct paths whose process fails this check (see process-check.ts). */
  processCheck?: ProcessCheck;
  /** The task's answer extraction, to read a reflection's checked result (buildDataset `taskAnswer`). */
  taskAnswer?: (text: string) => string | null;
  seed: number;
  /** Receives each warning of the build (e.g. reflection tags assumed for a run that stores no graph). */
  warn?: (warning: string) => void;
}

/** A search database as read by the store (`readRun`). */
export type SearchedRun = ReturnType<typeof readRun>;

/**
 * Build sft.jsonl / dpo.jsonl / stats.json / card.md in `outDir` from a search run read from
 * `dbPath` (read by the caller, so several builds from one database read it once).
 */
export async function buildDataStage(
  run: SearchedRun,
  dbPath: string,
  outDir: string,
  options: BuildStageOptions,
): Promise<Omit<DataEntry, 'name' | 'dir'>> {
  const { buildDataset, writeDataset } = await import('../data/index.ts');
  let built: ReturnType<typeof buildDataset>;
  try {
    built = buildDataset(
      run,
      {
        sft: options.sft,
        chosen: options.chosen,
        pairsPerQuestion: options.pairsPerQuestion,
        maxLength: options.maxLength,
        seed: options.seed,
      },
      { source: dbPath, countTokens: options.countTokens, processCheck: options.processCheck, taskAnswer: options.taskAnswer },
    );
  } catch (error) {
    // A finished search is reused by every re-run, so without this hint a search that solved
    // nothing (e.g. a wrong server) fails the same way forever (issue 15 item 14).
    if (!TreecotError.isInstance(error)) throw error;
    const solved = run.questions.filter((q) => q.correctRollouts > 0).length;
    throw new TreecotError(
      `${error.message}. The search solved ${solved} of ${run.questions.length} questions; re-running reuses it as it is. ` +
        'Check the policy (server URL, model name) and search again with `treecot run --fresh` (deletes the run folder).',
      { cause: error },
    );
  }
  for (const warning of built.warnings) options.warn?.(warning);
  writeDataset(built, outDir);
  // Counts and lengths (what the report plots) of the rows just written, not read back.
  return {
    sft_rows: built.sft.length,
    dpo_pairs: built.dpo.length,
    sft_lengths: built.sft.map((r) => r.completion.length),
    chosen_lengths: built.dpo.map((p) => p.chosen.length),
    rejected_lengths: built.dpo.map((p) => p.rejected.length),
    common_prefix_chars: built.dpo.map((p) => p.common_prefix_chars),
    ...(options.processCheck ? { process_rejected: built.stats.paths.droppedProcessCheck } : {}),
  };
}

export interface TrainModelArgs {
  stage: string;
  kind: 'sft' | 'preference';
  initModel: string;
  dataDir: string;
  /** Where the model, log, checkpoints and reference log-probabilities go (RunLayout). */
  folder: TrainFolder;
  config: PipelineConfig;
  preference?: { eps: number; alpha: number; maskPrefix: boolean };
  /** SFT: move each row's failed attempts into the prompt, i.e. mask their loss (failed-attempts.ts). */
  maskFailedAttempts?: boolean;
  log: PipelineLog;
}

/**
 * SFT rows with their failed attempts masked (train.sft.mask_failed_attempts), read with the search
 * config's reflection tag and separator, so a renamed reflection node is masked too; logs how many
 * rows it masked.
 */
async function rowsWithFailedAttemptsMasked<T extends { prompt: string; completion: string }>(
  rows: readonly T[],
  args: TrainModelArgs,
): Promise<T[]> {
  const { loadSearchConfig } = await import('../search/index.ts');
  const { maskFailedAttempts } = await import('../train/index.ts');
  const { config: search } = loadSearchConfig(args.config.search.config);
  const tag = search.graph[search.search.reflection_type]!.tag;
  const masked = maskFailedAttempts(rows, { tag, separator: search.format.separator });
  const moved = masked.filter((row, i) => row !== rows[i]).length;
  args.log(`  train ${args.stage}: failed attempts masked in ${moved} of ${rows.length} rows (before their last <${tag}>)`);
  return masked;
}

/**
 * The trainer objective for (eps, alpha): eps = alpha = 0 is plain sigmoid DPO; alpha = 0 is
 * cDPO; alpha > 0 is the joint objective L_cDPO + alpha * L_SFT (eps = 0 inside it is DPO + SFT).
 */
export function objectiveFor(eps: number, alpha: number): 'dpo' | 'cdpo' | 'cdpo+sft' {
  if (alpha > 0) return 'cdpo+sft';
  return eps > 0 ? 'cdpo' : 'dpo';
}

/**
 * Train from `initModel` (GGUF) on the data folder's sft.jsonl (kind sft) or dpo.jsonl (kind
 * preference; the initial model is also the frozen reference model); writes folder.model,
 * folder.log and checkpoints under folder.checkpoint (an interrupted stage resumes there).
 * @throws DataError when the data set is empty (e.g. a search that found no correct path).
 */
export async function trainModel(args: TrainModelArgs): Promise<Omit<TrainEntry, 'data'>> {
  const { train, loadGguf, LlamaModel, readSftRows, readPreferenceRows, trainingDataFile } = await import('../train/index.ts');
  const started = Date.now();
  const config = args.config.train;
  const sft = args.kind === 'sft';
  const stage = sft ? config.sft : config.preference;
  const objective = sft ? 'sft' : objectiveFor(args.preference!.eps, args.preference!.alpha);
  // As `treecot train DIR` reads it: a build killed between its two renames is recovered first, and a
  // missing file is an error naming it.
  const dataFile = trainingDataFile(args.dataDir, { lossType: sft ? ['sft'] : ['sigmoid'] });
  const out = args.folder.model;
  const every = Math.max(1, Math.round(stage.steps / 5));
  // A longer training context keeps the weights (rotary positions, no learned position table).
  const loaded = loadGguf(args.initModel);
  const context = Math.max(loaded.model.config.context, config.context ?? 0);
  const model =
    context > loaded.model.config.context
      ? LlamaModel.fromWeights({ ...loaded.model.config, context }, loaded.model.toWeights())
      : loaded.model;
  const result = await train({
    objective,
    model,
    tokenizer: loaded.tokenizer,
    ...(sft
      ? { sftRows: args.maskFailedAttempts ? await rowsWithFailedAttemptsMasked(readSftRows(dataFile), args) : readSftRows(dataFile) }
      : {
          // Field-checked reader: a missing field is an error naming file, line and field, not "undefined".
          preferenceRows: readPreferenceRows(dataFile),
          beta: config.preference.beta,
          eps: args.preference!.eps,
          alpha: args.preference!.alpha,
          maskPrefix: args.preference!.maskPrefix,
        }),
    dataSource: dataFile,
    steps: stage.steps,
    batch: stage.batch_size,
    lr: stage.learning_rate,
    workers: config.workers,
    seed: args.config.seed,
    out,
    log: args.folder.log,
    checkpointDir: args.folder.checkpoint,
    checkpointEvery: Math.max(1, Math.round(stage.steps / 4)),
    resume: true,
    refCacheDir: args.folder.refLogps,
    name: `treecot-${args.stage}`,
    onStep: (record) => {
      if (record.step % every === 0 || record.step === stage.steps) {
        const extra =
          record['rewards/margins'] !== undefined
            ? `, margin ${record['rewards/margins'].toFixed(3)}, pref. acc ${((record['rewards/accuracies'] ?? 0) * 100).toFixed(0)}%`
            : '';
        args.log(
          `  train ${args.stage}: step ${record.step}/${stage.steps}, loss ${record.loss.toFixed(4)}${extra}, ${record.tokens_per_s.toFixed(0)} tok/s`,
        );
      }
    },
  });
  const last = result.records[result.records.length - 1];
  return {
    stage: args.stage,
    objective: sft
      ? 'sft'
      : `${objective} (beta ${config.preference.beta}, eps ${args.preference!.eps}, alpha ${args.preference!.alpha}${args.preference!.maskPrefix ? ', masked' : ''})`,
    steps: result.totalSteps,
    final_loss: last ? last.loss : null,
    wall_s: (Date.now() - started) / 1000,
    model: out,
  };
}
