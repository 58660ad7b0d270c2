/**
 * `treecot run`: search -> build -> train (SFT, then cDPO + joint loss + masking) -> eval in one
 * run folder (run-layout.ts), every stage resumable (stage.ts), optional rounds, ablation rows and an
 * alpha sweep; then summary.json, report.md and report.html.
 *
 * This file only orders the stages (stages/*.ts); each stage declares its folder, inputs and outputs.
 */
import type { Policy } from '../policy/types.ts';
import { resolveConfigPath, type LoadedPipelineConfig } from './config.ts';
import { baseModelRef, describeModel, type GgufModel, type ModelRef } from './model-ref.ts';
import { openPipeline, type PipelineContext } from './pipeline-context.ts';
import { describeSource } from './questions.ts';
import { ablationRows, runAblation, type AblationStart } from './stages/ablation.ts';
import { buildData, buildLimits, searchSource } from './stages/build-data.ts';
import { evalModel } from './stages/eval-model.ts';
import { runLongCotBaseline } from './stages/long-cot.ts';
import { searchRound } from './stages/search-round.ts';
import { trainOn, type PreferenceVariant } from './stages/train-model.ts';
import type { PipelineLog } from './stage.ts';
import type { RunSummary } from './summary-types.ts';

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

/** The models of one round: `search` generates the trees; `student` (absent: nothing is trained) is trained on their data. */
export interface RoundModels {
  search: ModelRef;
  student?: GgufModel;
}

/** What a round leaves: the ablation's starting point, and the model the next round continues from. */
type RoundResult = AblationStart & { finalModel?: GgufModel };

/** Run the whole pipeline; returns the summary it wrote. */
export async function runPipeline(options: RunPipelineOptions): Promise<RunSummary> {
  const ctx = await openPipeline(options.loaded, options.outDir, options.log, options.openPolicy);
  const { config, log } = ctx;
  const policy = baseModelRef(config.policy, (p) => resolveConfigPath(options.loaded, p));
  // Two roles (config.student): the policy searches; the student is the base that is trained.
  const student: GgufModel | undefined = config.student
    ? {
        kind: 'gguf',
        path: resolveConfigPath(options.loaded, config.student.gguf),
        threads: config.student.threads,
        contextSize: config.student.context_size,
      }
    : undefined;
  const base: ModelRef = student ?? policy;
  const trainable = config.train.backend === 'treecot' && base.kind === 'gguf';
  if (config.train.backend === 'treecot' && base.kind !== 'gguf') {
    log(
      'note: the TypeScript trainer trains GGUF models only; with HTTP policies the run stops after build (train with `treecot export-trl`).',
    );
  }
  logPlan(ctx, base);
  if (student)
    log(
      `two models: the policy ${describeModel(policy)} searches; the student ${describeModel(student)} is evaluated as "base" and trained`,
    );

  await evalModel(ctx, 'base', student ? 'the student before any training' : 'the base model before any training', base);
  let current: ModelRef = base;
  let last: RoundResult | undefined;
  for (let round = 1; round <= config.rounds; round++) {
    // One model searches and is trained (round r > 1 continues from round r-1's model), or with a
    // student the policy searches every round and the student is trained.
    const trained = trainable && current.kind === 'gguf' ? current : undefined;
    last = await runRound(ctx, round, { search: student ? policy : current, student: trained });
    current = last.finalModel ?? last.sft ?? current;
  }
  // The distilled long-CoT row trains the student's base on the last round's questions, like its SFT.
  if (config.train.long_cot_baseline && last?.sft && base.kind === 'gguf')
    await runLongCotBaseline(ctx, { treeData: last.data, student: base, limits: last.limits });
  const rows = ablationRows(config, options);
  if (last && rows.length > 0) await runAblation(ctx, last, rows);
  // Last, so that every trained stage is compared with the student's base, and the policy with it too.
  if (student) await evalModel(ctx, 'policy', 'the search policy (not trained)', policy);

  // The models write the search graph's tags: the summary's reflection counts read those.
  const summary = ctx.record.write(ctx.layout, {
    name: config.name,
    task: config.task,
    configHash: ctx.configHash,
    reflectionTags: ctx.reflectionTags,
  });
  log(`wrote ${ctx.layout.summary}, report.md and report.html`);
  return summary;
}

/** Search, build, SFT, preference training of one round, each trained model evaluated. */
async function runRound(ctx: PipelineContext, round: number, models: RoundModels): Promise<RoundResult> {
  const { config, layout } = ctx;
  const suffix = config.rounds > 1 ? `-r${round}` : '';
  const preference = config.train.preference;
  await searchRound(ctx, round, models.search);
  const source = searchSource(ctx, round);
  const limits = await buildLimits(ctx, models.student);
  const data = await buildData(ctx, { name: `round ${round}`, dir: layout.roundData(round), source, chosen: preference.chosen, limits });
  const done = { round, source, limits, data };
  if (!models.student) return done;

  let sft = models.student;
  if (config.train.sft.enabled) {
    sft = await trainOn(ctx, {
      stage: `sft${suffix}`,
      name: `train SFT${suffix}`,
      init: models.student,
      dataDir: data,
      folder: layout.sft(round),
      maskFailedAttempts: config.train.sft.mask_failed_attempts,
    });
    const masked = config.train.sft.mask_failed_attempts ? ', failed attempts masked' : '';
    await evalModel(ctx, `sft${suffix}`, `SFT on the ${config.train.sft.select} correct path per question${masked} (round ${round})`, sft);
  }
  if (!preference.enabled) return { ...done, sft };

  const final: PreferenceVariant = {
    stage: `final${suffix}`,
    description: `cDPO (eps ${preference.eps}) + ${preference.alpha} x SFT${preference.mask_prefix ? ', shared prefix masked' : ''}, chosen = ${preference.chosen} correct path`,
    chosen: preference.chosen,
    eps: preference.eps,
    alpha: preference.alpha,
    maskPrefix: preference.mask_prefix,
  };
  const finalModel = await trainOn(ctx, {
    stage: final.stage,
    name: `train ${final.stage}`,
    init: sft,
    dataDir: data,
    folder: layout.final(round),
    preference: final,
  });
  await evalModel(ctx, final.stage, `${final.description} (round ${round})`, finalModel);
  return { ...done, sft, final, finalModel };
}

/** Log the base model, the searched questions and the evaluation sets, and warn when they overlap. */
function logPlan(ctx: PipelineContext, base: ModelRef): void {
  const { config, log, evalSets, searchProblems } = ctx;
  const evalTexts = new Set(evalSets.flatMap((s) => s.problems.map((p) => p.question)));
  const overlap = searchProblems.filter((p) => evalTexts.has(p.question)).length;
  if (overlap > 0) log(`warning: ${overlap} searched questions also appear in an evaluation set (training would see evaluation questions)`);
  log(
    `task ${config.task}; base model ${describeModel(base)}; searching ${searchProblems.length} questions (${describeSource(config.search.questions)})`,
  );
  for (const s of evalSets) log(`evaluation set "${s.name}": ${s.problems.length} questions (${s.label})`);
}
