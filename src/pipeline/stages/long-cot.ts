/**
 * The "distilled long CoT" baseline (issue 10 item 5; the paper's Table 4 puts R1-distilled Sky-T1
 * data beside its tree data): the student is SFT'd, with the same settings, on as many rows of long,
 * over-thinking traces as the tree data has SFT rows, for the same questions in the same proportions,
 * and evaluated as stage `long-cot`.
 *
 * The traces come from src/train/builtin/long-cot.ts: each in the format of the tree row it stands
 * beside (the policy's compact or marked spelling, policyFormatOf), a first attempt (30%
 * of them wrong), then 2-3 "Wait, let me check again." reflections each followed by a complete,
 * correct re-think, then the right answer. Re-checks are dropped from the end until a row fits the
 * student's context. Letter counting only: the traces are written from each problem's word and letters.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DataError, readRecords, requireField, writeFileAtomic } from '../../core/index.ts';
import { letterCountParts } from '../../tasks/index.ts';
import type { PipelineContext } from '../pipeline-context.ts';
import type { GgufModel } from '../model-ref.ts';
import type { Stage } from '../stage.ts';
import type { BuildLimits } from './build-data.ts';
import { evalModel } from './eval-model.ts';
import { trainOn } from './train-model.ts';

/** What the long-CoT data stage records (summary.json and its stats.json). */
export interface LongCotDataEntry {
  rows: number;
  /** Mean tokens of prompt + completion (the student's tokenizer), next to the tree rows' mean. */
  mean_tokens: number;
  tree_mean_tokens: number;
  mean_rechecks: number;
  first_wrong_share: number;
}

/** The data stage: one long-CoT row per tree SFT row, on that row's question. */
export function longCotDataStage(
  ctx: PipelineContext,
  treeData: string,
  dir: string,
  limits: Required<BuildLimits>,
): Stage<LongCotDataEntry> {
  return {
    name: 'build long-cot baseline',
    dir,
    inputs: [ctx.layout.label(join(treeData, 'sft.jsonl')), 'src/train/builtin/long-cot.ts'],
    outputs: [join(dir, 'sft.jsonl'), join(dir, 'stats.json')],
    run: async () => {
      const { formatLongCotResponse } = await import('../../train/builtin/long-cot.ts');
      const { policyFormatOf } = await import('../../train/builtin/policy-format.ts');
      const { Rng } = await import('../../core/index.ts');
      const file = join(treeData, 'sft.jsonl');
      // The core reader: a malformed line or a missing field is a DataError naming file, line and field.
      const treeRows = readRecords(file).map((r) => ({
        prompt: requireField(r, file, 'prompt', 'string') as string,
        completion: requireField(r, file, 'completion', 'string') as string,
        question_id: requireField(r, file, 'question_id', 'string') as string,
        line: r.line,
      }));
      const problems = new Map(ctx.searchProblems.map((p) => [p.id, p]));
      const root = new Rng(ctx.config.seed);
      const count = (text: string): number => limits.countTokens(text);
      const rows = treeRows.map((tree, i) => {
        const problem = problems.get(tree.question_id);
        const parts = problem && letterCountParts(problem);
        if (!parts)
          throw new DataError(
            { file, line: tree.line, field: 'question_id' },
            `no word and letters known for question "${tree.question_id}"`,
          );
        return formatLongCotResponse(root.split(`long-cot:${i}`), tree.prompt, parts.word, parts.letters, {
          // limits.maxLength is the longest response that fits beside the longest prompt.
          maxTokens: limits.maxLength,
          countTokens: (_prompt, completion) => count(completion),
          format: policyFormatOf(tree.completion),
        });
      });
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(
        join(dir, 'sft.jsonl'),
        rows
          .map((r, i) => JSON.stringify({ prompt: r.prompt, completion: r.completion, question_id: treeRows[i]!.question_id }))
          .join('\n') + '\n',
      );
      const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      const entry: LongCotDataEntry = {
        rows: rows.length,
        mean_tokens: mean(rows.map((r) => count(r.prompt) + count(r.completion))),
        tree_mean_tokens: mean(treeRows.map((r) => count(r.prompt) + count(r.completion))),
        mean_rechecks: mean(rows.map((r) => r.rechecks)),
        first_wrong_share: mean(rows.map((r) => (r.firstWrong ? 1 : 0))),
      };
      writeFileAtomic(join(dir, 'stats.json'), JSON.stringify(entry, null, 2) + '\n');
      return entry;
    },
  };
}

/** Build the long-CoT rows beside round `round`'s tree data, train the student on them, evaluate it. */
export async function runLongCotBaseline(
  ctx: PipelineContext,
  args: { treeData: string; student: GgufModel; limits: BuildLimits },
): Promise<void> {
  const { layout, config } = ctx;
  if (config.task !== 'letter-count')
    throw new ConfigError(
      { file: ctx.configFile, field: 'train.long_cot_baseline' },
      'the long-CoT baseline exists for task letter-count only',
    );
  if (args.limits.maxLength === undefined || !args.limits.countTokens)
    throw new ConfigError(
      { file: ctx.configFile, field: 'train.long_cot_baseline' },
      'the long-CoT baseline needs a GGUF student (its tokenizer and context)',
    );
  const dir = layout.longCotData();
  const entry = await ctx.runner.run(longCotDataStage(ctx, args.treeData, dir, args.limits as Required<BuildLimits>));
  ctx.log(
    `  long-cot baseline: ${entry.rows} rows, ${entry.mean_tokens.toFixed(1)} tokens on average (tree SFT rows ${entry.tree_mean_tokens.toFixed(1)}), ${entry.mean_rechecks.toFixed(2)} re-checks per row`,
  );
  const model = await trainOn(ctx, {
    stage: 'long-cot',
    name: 'train long-cot baseline',
    init: args.student,
    dataDir: dir,
    folder: layout.longCotModel(),
  });
  await evalModel(
    ctx,
    'long-cot',
    `SFT on ${entry.rows} distilled long-CoT rows (the tree SFT rows' questions; 2-3 "Wait" re-checks each)`,
    model,
  );
}
