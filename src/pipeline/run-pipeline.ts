/**
 * `treecot run`: search -> build -> train (SFT, then cDPO + joint loss + masking) -> eval in one
 * run folder, every stage resumable (see stage.ts), optional rounds, ablation rows and an alpha
 * sweep; then summary.json, report.md and report.html.
 *
 * Run folder:
 *   pipeline.json                    effective config and its hash (a different config is refused)
 *   round-R/search/run.db            search store (resumes at node level)
 *   round-R/data/                    sft.jsonl, dpo.jsonl, stats.json, card.md
 *   round-R/sft/model.gguf           SFT on the longest correct paths
 *   round-R/final/model.gguf         cDPO + alpha * SFT with prefix masking, from the SFT model
 *   eval/STAGE/SET/                  questions.jsonl + summary.json per model stage and question set
 *   ablation/ROW/                    data variants and models of `--ablation` / `--alpha-sweep`
 *   summary.json, report.md, report.html
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { canonicalHash, ConfigError, userText, writeFileAtomic } from '../core/index.ts';
import { evaluate, evaluateWithSearch, summarize, type EvalQuestionRecord } from '../eval/index.ts';
import { getTask, type Problem } from '../tasks/index.ts';
import { buildDataStage, ggufTokenLimits, loadSearchSettings, openPolicy as openModelPolicy, readSearchEntry, runSearchStage, trainModel } from './adapters.ts';
import type { Policy } from '../policy/types.ts';
import { resolveConfigPath, type LoadedPipelineConfig, type PipelineConfig } from './config.ts';
import { baseModelRef, describeModel, type ModelRef } from './model-ref.ts';
import { describeSource, loadQuestions, stepScorerFor } from './questions.ts';
import { processCheckFor } from './process-check.ts';
import { renderReportHtml, renderReportMarkdown } from './report.ts';
import { readStageMarker, runStage, STAGE_MARKER, type PipelineLog } from './stage.ts';
import type { DataEntry, RunSummary, SearchEntry, SetResult, StageEntry, TrainEntry } from './summary-types.ts';

export interface RunPipelineOptions {
  loaded: LoadedPipelineConfig;
  outDir: string;
  /** Add the paper's ablation rows (docs/method.md section 5). */
  ablation?: boolean;
  /** Add one final-objective model per alpha. */
  alphaSweep?: number[];
  log: PipelineLog;
  /**
   * Open the policy of a model (default: adapters' openPolicy: GGUF via node-llama-cpp or HTTP).
   * Tests without a trained GGUF pass a scripted policy here.
   */
  openPolicy?: (model: ModelRef) => Promise<Policy>;
}

interface EvalSet {
  name: string;
  label: string;
  problems: Problem[];
}

/** Preference-training variant: which data, eps, alpha, masking. */
interface PreferenceVariant {
  stage: string;
  description: string;
  chosen: 'shortest' | 'longest' | 'random';
  eps: number;
  alpha: number;
  maskPrefix: boolean;
}


/** Refuse to reuse a run folder made with a different config; record the config otherwise. */
function claimRunFolder(outDir: string, config: PipelineConfig, file: string): string {
  const hash = canonicalHash(config);
  const record = join(outDir, 'pipeline.json');
  if (existsSync(record)) {
    const previous = JSON.parse(readFileSync(record, 'utf8')) as { config_hash?: string };
    if (previous.config_hash !== hash) {
      throw new ConfigError({ file }, `the run folder ${outDir} was made with a different config (hash ${previous.config_hash?.slice(0, 12)}, now ${hash.slice(0, 12)}); use another --out, or --fresh to delete the folder`);
    }
  } else {
    writeFileAtomic(record, JSON.stringify({ config_hash: hash, config }, null, 2) + '\n');
  }
  return hash;
}

/** Run the whole pipeline; returns the summary it wrote. */
export async function runPipeline(options: RunPipelineOptions): Promise<RunSummary> {
  const { loaded, outDir, log } = options;
  const openPolicy = options.openPolicy ?? openModelPolicy;
  const config = loaded.config;
  const runConfigHash = claimRunFolder(outDir, config, loaded.file);
  const resolvePath = (p: string) => resolveConfigPath(loaded, p);
  const task = getTask(config.task);
  const settings = await loadSearchSettings(resolvePath(config.search.config), config.task);
  const instruction = settings.instruction;
  const stepScorer = stepScorerFor(config.task);
  const base = baseModelRef(config.policy, resolvePath);
  const trainable = config.train.backend === 'treecot' && base.kind === 'gguf';
  if (config.train.backend === 'treecot' && base.kind !== 'gguf') {
    log('note: the TypeScript trainer trains GGUF models only; with HTTP policies the run stops after build (train with `treecot export-trl`).');
  }

  const evalSets: EvalSet[] = config.eval.sets.map((s, i) => ({
    name: s.name,
    label: describeSource(s),
    problems: loadQuestions(loaded, s, `eval.sets.${i}`, `eval-${s.name}`),
  }));
  const searchProblems = loadQuestions(loaded, config.search.questions, 'search.questions', 'search');
  const evalTexts = new Set(evalSets.flatMap((s) => s.problems.map((p) => p.question)));
  const overlap = searchProblems.filter((p) => evalTexts.has(p.question)).length;
  if (overlap > 0) log(`warning: ${overlap} searched questions also appear in an evaluation set (training would see evaluation questions)`);
  log(`task ${config.task}; base model ${describeModel(base)}; searching ${searchProblems.length} questions (${describeSource(config.search.questions)})`);
  for (const s of evalSets) log(`evaluation set "${s.name}": ${s.problems.length} questions (${s.label})`);

  const stageWall: Record<string, number> = {};
  const track = async <T>(name: string, dir: string, work: (dir: string) => Promise<T>): Promise<T> => {
    const result = await runStage(name, dir, log, work);
    stageWall[name] = readStageMarker(dir)?.wall_s ?? 0;
    return result;
  };

  const stages: StageEntry[] = [];
  const evalModel = async (stage: string, description: string, model: ModelRef): Promise<void> => {
    const sets: SetResult[] = [];
    for (const set of evalSets) {
      const dir = join(outDir, 'eval', stage, set.name);
      await track(`eval ${stage}/${set.name}`, dir, async () => {
        const policy = await openPolicy(model);
        try {
          const every = Math.max(1, Math.round(set.problems.length / 10));
          const evaluateOptions = {
            name: `${stage}/${set.name}`,
            task,
            problems: set.problems,
            policy,
            instruction,
            n: config.eval.n,
            temperature: config.eval.temperature,
            topP: config.eval.top_p,
            maxTokens: config.eval.max_tokens,
            k: config.eval.k,
            seed: config.seed,
            concurrency: config.eval.concurrency,
            outDir: dir,
            dataLabel: set.label,
            stepScorer,
            onProgress: (done: number, total: number) => {
              if (done % every === 0 || done === total) log(`  eval ${stage}/${set.name}: ${done}/${total} questions`);
            },
          };
          const result = config.eval.mcts_decode
            ? await evaluateWithSearch({ ...evaluateOptions, searchConfigPath: resolvePath(config.search.config), maxRollouts: config.eval.mcts_rollouts })
            : await evaluate(evaluateOptions);
          log(`  eval ${stage}/${set.name}: accuracy ${(result.summary.accuracy * 100).toFixed(1)}%, no-answer ${(result.summary.no_answer_rate * 100).toFixed(1)}%`);
          return { accuracy: result.summary.accuracy, no_answer_rate: result.summary.no_answer_rate };
        } finally {
          await policy.close?.();
        }
      });
      sets.push(setResultFromJsonl(outDir, dir, set.name, config));
    }
    stages.push({ stage, description, model: describeModel(model), accuracy: sets[0]!.accuracy, no_answer_rate: sets[0]!.no_answer_rate, n: sets[0]!.n, set: sets[0]!.set, sets });
  };

  const searchEntries: SearchEntry[] = [];
  const dataEntries: DataEntry[] = [];
  const trainEntries: TrainEntry[] = [];
  const preference = config.train.preference;
  const finalVariant: PreferenceVariant = {
    stage: 'final',
    description: `cDPO (eps ${preference.eps}) + ${preference.alpha} x SFT${preference.mask_prefix ? ', shared prefix masked' : ''}, chosen = ${preference.chosen} correct path`,
    chosen: preference.chosen,
    eps: preference.eps,
    alpha: preference.alpha,
    maskPrefix: preference.mask_prefix,
  };

  /** Preference trainings from the latest SFT model, by (chosen, eps, alpha, mask), so ablation rows equal to one are not trained twice. */
  const trainedVariants = new Map<string, string>();
  const variantKey = (v: PreferenceVariant) => JSON.stringify([v.chosen, v.eps, v.alpha, v.maskPrefix]);

  await evalModel('base', 'the base model before any training', base);
  let current: ModelRef = base;
  let sftModel: ModelRef | null = null;
  let roundData = '';
  for (let round = 1; round <= config.rounds; round++) {
    const suffix = config.rounds > 1 ? `-r${round}` : '';
    const roundDir = join(outDir, `round-${round}`);
    const searchDir = join(roundDir, 'search');
    const dbPath = join(searchDir, 'run.db');
    const searchModel = current;
    const searchStats = await track(`search round ${round}`, searchDir, async () => {
      const started = Date.now();
      const policy = await openPolicy(searchModel);
      const special = searchModel.kind === 'http' && searchModel.specialUrls?.length ? await openPolicy({ ...searchModel, urls: searchModel.specialUrls }) : undefined;
      try {
        await runSearchStage({
          searchConfigPath: resolvePath(config.search.config),
          maxRollouts: config.search.max_rollouts,
          taskName: config.task,
          problems: searchProblems,
          policy,
          specialPolicy: special,
          dbPath,
          concurrency: config.search.concurrency,
          seed: config.seed + round - 1,
          log,
        });
      } finally {
        await policy.close?.();
        await special?.close?.();
      }
      return readSearchEntry(dbPath, round, (Date.now() - started) / 1000);
    });
    searchEntries.push(searchStats);
    log(`  search round ${round}: ${searchStats.solved}/${searchStats.questions} solved, ${searchStats.rollouts} rollouts, ${searchStats.nodes} nodes`);

    // A GGUF trained here has a fixed context: drop paths that would not fit BOS + prompt + response + EOS.
    let maxLength = config.build.max_length;
    let countTokens: ((text: string) => number) | undefined;
    if (trainable && current.kind === 'gguf') {
      const limits = await ggufTokenLimits(current.path, config.train.context);
      countTokens = limits.countTokens;
      const longestPrompt = Math.max(...searchProblems.map((p) => limits.countTokens(userText(instruction, p.question))));
      const fit = limits.context - 2 - longestPrompt;
      maxLength = Math.min(maxLength ?? fit, fit);
      log(`  build: paths longer than ${maxLength} tokens are dropped (model context ${limits.context}, longest prompt ${longestPrompt} tokens)`);
    }
    const variants = new Set<'shortest' | 'longest' | 'random'>([preference.chosen]);
    if (options.ablation) variants.add('random').add('shortest');
    const dataDirs = new Map<string, string>();
    for (const chosen of variants) {
      const name = chosen === preference.chosen ? `round ${round}` : `round ${round} (chosen = ${chosen})`;
      const dir = chosen === preference.chosen ? join(roundDir, 'data') : join(outDir, 'ablation', `data-chosen-${chosen}`);
      const entry = await track(`build ${name}`, dir, () =>
        buildDataStage(dbPath, dir, {
          sft: config.train.sft.select,
          chosen,
          pairsPerQuestion: config.build.pairs_per_question,
          maxLength,
          countTokens,
          processCheck: config.build.process_check ? processCheckFor(config.task) : undefined,
          seed: config.seed,
        }),
      );
      dataEntries.push({ ...entry, name, dir: relative(outDir, dir) });
      dataDirs.set(chosen, dir);
      log(`  build ${name}: ${entry.sft_rows} SFT rows, ${entry.dpo_pairs} DPO pairs${entry.process_rejected ? `; ${entry.process_rejected} correct paths dropped by the process check` : ''}`);
    }
    roundData = dataDirs.get(preference.chosen)!;
    if (!trainable) continue;

    let afterSft: ModelRef = current;
    if (config.train.sft.enabled) {
      const dir = join(roundDir, 'sft');
      const init = current as Extract<ModelRef, { kind: 'gguf' }>;
      const entry = await track(`train SFT${suffix}`, dir, () =>
        trainModel({ stage: `sft${suffix}`, kind: 'sft', initModel: init.path, dataDir: roundData, outDir: dir, config, log }),
      );
      trainEntries.push(entry);
      afterSft = { kind: 'gguf', path: entry.model, threads: init.threads, contextSize: init.contextSize };
      await evalModel(`sft${suffix}`, `SFT on the ${config.train.sft.select} correct path per question (round ${round})`, afterSft);
    }
    sftModel = afterSft;
    trainedVariants.clear();
    if (preference.enabled) {
      const variant = finalVariant;
      const model = await trainPreference(variant, afterSft, dataDirs.get(variant.chosen)!, join(roundDir, 'final'), `final${suffix}`);
      current = model;
      await evalModel(`final${suffix}`, `${variant.description} (round ${round})`, model);
      trainedVariants.set(variantKey(variant), `final${suffix}`);
    } else {
      current = afterSft;
    }
  }

  async function trainPreference(variant: PreferenceVariant, init: ModelRef, dataDir: string, dir: string, stage: string): Promise<ModelRef> {
    const from = init as Extract<ModelRef, { kind: 'gguf' }>;
    const entry = await track(`train ${stage}`, dir, () =>
      trainModel({
        stage,
        kind: 'preference',
        initModel: from.path,
        dataDir,
        outDir: dir,
        config,
        preference: { eps: variant.eps, alpha: variant.alpha, maskPrefix: variant.maskPrefix },
        log,
      }),
    );
    trainEntries.push(entry);
    return { kind: 'gguf', path: entry.model, threads: from.threads, contextSize: from.contextSize };
  }

  if (trainable && sftModel && (options.ablation || options.alphaSweep?.length)) {
    const eps = config.ablation.eps;
    const rows: PreferenceVariant[] = [];
    if (options.ablation) {
      rows.push(
        { stage: 'dpo', description: '+DPO: plain sigmoid DPO from the SFT model, chosen = a random correct path', chosen: 'random', eps: 0, alpha: 0, maskPrefix: false },
        { stage: 'length-balance', description: '+length balance: chosen = the shortest correct path', chosen: 'shortest', eps: 0, alpha: 0, maskPrefix: false },
        { stage: 'cdpo', description: `+cDPO: label smoothing eps ${eps}`, chosen: 'shortest', eps, alpha: 0, maskPrefix: false },
        { stage: 'joint', description: '+joint loss: cDPO + 1 x SFT', chosen: 'shortest', eps, alpha: 1, maskPrefix: false },
        { stage: 'masking', description: '+masking: shared prefix masked in both responses', chosen: 'shortest', eps, alpha: 1, maskPrefix: true },
      );
    }
    for (const alpha of options.alphaSweep ?? []) {
      rows.push({ stage: `alpha-${alpha}`, description: `cDPO (eps ${eps}) + ${alpha} x SFT, masked`, chosen: 'shortest', eps, alpha, maskPrefix: true });
    }
    const lastRound = join(outDir, `round-${config.rounds}`);
    for (const row of rows) {
      const same = trainedVariants.get(variantKey(row));
      const sameEntry = same ? stages.find((s) => s.stage === same) : undefined;
      if (sameEntry) {
        // Same objective, data and starting model as an earlier stage: reuse its model and evaluation.
        stages.push({ ...sameEntry, stage: row.stage, description: `${row.description} (the same training as ${same}: its model and evaluation)` });
        log(`[${row.stage}] same training as ${same}; reusing its model and evaluation`);
        continue;
      }
      const dataDir = row.chosen === preference.chosen ? join(lastRound, 'data') : join(outDir, 'ablation', `data-chosen-${row.chosen}`);
      const model = await trainPreference(row, sftModel, dataDir, join(outDir, 'ablation', row.stage), row.stage);
      await evalModel(row.stage, row.description, model);
      trainedVariants.set(variantKey(row), row.stage);
    }
  }

  const summary: RunSummary = {
    name: config.name,
    task: config.task,
    config_hash: runConfigHash,
    written_at: new Date().toISOString(),
    stages,
    search: searchEntries,
    data: dataEntries,
    train: trainEntries,
    stage_wall_s: stageWall,
  };
  writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileAtomic(join(outDir, 'report.md'), renderReportMarkdown(summary));
  writeFileAtomic(join(outDir, 'report.html'), renderReportHtml(summary));
  log(`wrote ${join(outDir, 'summary.json')}, report.md and report.html`);
  return summary;
}

/** Recompute one set's numbers from its questions.jsonl (so the report always matches the JSONL). */
export function setResultFromJsonl(outDir: string, dir: string, set: string, config: PipelineConfig): SetResult {
  const file = join(dir, 'questions.jsonl');
  const records = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EvalQuestionRecord);
  const s = summarize(records, { name: set, task: config.task, policy: '', decode: config.eval.mcts_decode ? 'mcts' : 'sample', data: '', temperature: config.eval.temperature, maxTokens: config.eval.max_tokens, k: config.eval.k, wallS: 0 });
  const result: SetResult = {
    set,
    n: s.questions,
    samples_per_question: s.samples_per_question,
    accuracy: s.accuracy,
    no_answer_rate: s.no_answer_rate,
    pass_at_k: s.pass_at_k,
    majority_baseline: s.majority_baseline,
    mean_length_chars: s.mean_length_chars,
    median_length_chars: s.median_length_chars,
    reflection_markers_per_response: s.reflection_markers_per_response,
    repeated_line_rate: s.repeated_line_rate,
    questions_file: relative(outDir, file),
  };
  if (s.step_accuracy) result.step_accuracy = s.step_accuracy;
  return result;
}

