/**
 * Search stage of one round: MCTS over the searched questions with the round's search policy into
 * `round-R/search/run.db` (resumes at node level), then the round's statistics read from the store.
 */
import { readSearchEntry, runSearchStage } from '../adapters.ts';
import { describeSource } from '../questions.ts';
import { describeModel, type ModelRef } from '../model-ref.ts';
import type { PipelineContext } from '../pipeline-context.ts';
import type { Stage } from '../stage.ts';
import type { SearchEntry } from '../summary-types.ts';

/** Round `round` searches with `model` (seed: config seed + round - 1). */
export function searchStage(ctx: PipelineContext, round: number, model: ModelRef): Stage<SearchEntry> {
  const { config, layout, log } = ctx;
  const dbPath = layout.searchDb(round);
  return {
    name: `search round ${round}`,
    dir: layout.searchDir(round),
    inputs: [layout.label(describeModel(model)), describeSource(config.search.questions)],
    outputs: [dbPath],
    run: async () => {
      const started = Date.now();
      const policy = await ctx.openPolicy(model);
      // An HTTP model may name separate endpoints for special (reflection) thoughts.
      const special =
        model.kind === 'http' && model.specialUrls?.length ? await ctx.openPolicy({ ...model, urls: model.specialUrls }) : undefined;
      try {
        await runSearchStage({
          searchConfigPath: ctx.searchConfigPath,
          maxRollouts: config.search.max_rollouts,
          taskName: config.task,
          problems: ctx.searchProblems,
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
    },
  };
}

/** Run round `round`'s search stage and record its statistics. */
export async function searchRound(ctx: PipelineContext, round: number, model: ModelRef): Promise<SearchEntry> {
  const entry = await ctx.runner.run(searchStage(ctx, round, model));
  ctx.record.search.push(entry);
  ctx.log(`  search round ${round}: ${entry.solved}/${entry.questions} solved, ${entry.rollouts} rollouts, ${entry.nodes} nodes`);
  return entry;
}
