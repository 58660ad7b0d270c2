/**
 * Evaluation stage: one model on every evaluation set, one stage folder per set
 * (`eval/STAGE/SET/`). The numbers recorded in summary.json are recomputed from each set's
 * questions.jsonl, so a skipped stage and a fresh one report alike.
 */
import { readFileSync } from 'node:fs';
import { evaluate, evaluateWithSearch, summarize, withError, type EvalQuestionRecord } from '../../eval/index.ts';
import type { PipelineConfig } from '../config.ts';
import { describeModel, type ModelRef } from '../model-ref.ts';
import type { EvalSet, PipelineContext } from '../pipeline-context.ts';
import type { RunLayout } from '../run-layout.ts';
import type { Stage } from '../stage.ts';
import type { SetResult, StageEntry } from '../summary-types.ts';

/** The stage value of evaluating `model` (named `stage` in the run) on one set. */
export function evalSetStage(
  ctx: PipelineContext,
  stage: string,
  model: ModelRef,
  set: EvalSet,
): Stage<{ accuracy: number; no_answer_rate: number }> {
  const { config, layout, log } = ctx;
  const dir = layout.evalSet(stage, set.name);
  return {
    name: `eval ${stage}/${set.name}`,
    dir,
    inputs: [layout.label(describeModel(model)), set.label],
    outputs: [layout.evalQuestions(stage, set.name)],
    run: async () => {
      const policy = await ctx.openPolicy(model);
      try {
        const every = Math.max(1, Math.round(set.problems.length / 10));
        const evaluateOptions = {
          name: `${stage}/${set.name}`,
          task: ctx.task,
          problems: set.problems,
          policy,
          instruction: ctx.instruction,
          n: config.eval.n,
          temperature: config.eval.temperature,
          topP: config.eval.top_p,
          maxTokens: config.eval.max_tokens,
          k: config.eval.k,
          seed: config.seed,
          concurrency: config.eval.concurrency,
          outDir: dir,
          dataLabel: set.label,
          stepScorer: ctx.stepScorer,
          reflectionTag: ctx.reflectionTags.reflection,
          onProgress: (done: number, total: number) => {
            if (done % every === 0 || done === total) log(`  eval ${stage}/${set.name}: ${done}/${total} questions`);
          },
        };
        const result = config.eval.mcts_decode
          ? await evaluateWithSearch({
              ...evaluateOptions,
              searchConfigPath: ctx.searchConfigPath,
              maxRollouts: config.eval.mcts_rollouts,
              searchTemperature: config.eval.mcts_temperature,
            })
          : await evaluate(evaluateOptions);
        log(
          `  eval ${stage}/${set.name}: accuracy ${withError(result.summary.accuracy, result.summary.accuracy_se, result.summary.accuracy_ci95)}, no-answer ${withError(result.summary.no_answer_rate, result.summary.no_answer_rate_se, result.summary.no_answer_rate_ci95)}`,
        );
        return { accuracy: result.summary.accuracy, no_answer_rate: result.summary.no_answer_rate };
      } finally {
        await policy.close?.();
      }
    },
  };
}

/** Evaluate `model` on every set and record it as model stage `stage`; the headline numbers are the first set's. */
export async function evalModel(ctx: PipelineContext, stage: string, description: string, model: ModelRef): Promise<StageEntry> {
  const sets: SetResult[] = [];
  for (const set of ctx.evalSets) {
    await ctx.runner.run(evalSetStage(ctx, stage, model, set));
    sets.push(setResultFromJsonl(ctx.layout, stage, set.name, ctx.config));
  }
  const first = sets[0]!;
  const entry: StageEntry = {
    stage,
    description,
    model: describeModel(model),
    accuracy: first.accuracy,
    no_answer_rate: first.no_answer_rate,
    n: first.n,
    set: first.set,
    sets,
  };
  ctx.record.stages.push(entry);
  return entry;
}

/** Recompute one set's numbers from its questions.jsonl (so the report always matches the JSONL). */
export function setResultFromJsonl(layout: RunLayout, stage: string, set: string, config: PipelineConfig): SetResult {
  const file = layout.evalQuestions(stage, set);
  const records = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EvalQuestionRecord);
  const s = summarize(records, {
    name: set,
    task: config.task,
    policy: '',
    decode: config.eval.mcts_decode ? 'mcts' : 'sample',
    data: '',
    temperature: config.eval.temperature,
    maxTokens: config.eval.max_tokens,
    k: config.eval.k,
    wallS: 0,
  });
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
    questions_file: layout.relative(file),
  };
  if (s.step_accuracy) result.step_accuracy = s.step_accuracy;
  return result;
}
