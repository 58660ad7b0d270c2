/**
 * Trees -> SFT rows + DPO pairs + stats (issue 4 items 1-5; METHOD.md sections 2-3).
 * Pure: takes the read model of a run (store/readRun) and returns rows; writing is in
 * write-dataset.ts.
 */
import { pathHasStrayTag, strayTagPattern, thoughtTags } from './stray-thought-tags.ts';
import { canonicalHash } from '../core/canonical-json.ts';
import { z } from 'zod';
import { DataError } from '../core/errors.ts';
import { configErrorFromZod } from '../core/config-error-from-zod.ts';
import { Rng } from '../core/rng.ts';
import type { StoredQuestion, StoredRun } from '../store/types.ts';
import { isSearchDone } from '../store/status.ts';
import { buildQuestionPairs, CHOSEN_STRATEGIES } from './build-dpo-pairs.ts';
import { attemptAnswerReader, type ReflectionTags } from '../eval/index.ts';
import { runReflectionTags } from './run-reflection-tags.ts';
import { computeDatasetStats, type DatasetStats } from './dataset-stats.ts';
import { extractQuestionPaths, type ExtractCounts } from './extract-tree-paths.ts';
import { rankCorrectPaths, selectSftPaths, SFT_STRATEGIES, type RankedPath } from './length-balance.ts';
import type { CountTokens, DpoPair, SftRow, TreePath } from './types.ts';

/** Build options; defaults follow the paper (longest correct for SFT, shortest correct as chosen). */
export const BuildOptionsSchema = z
  .object({
    /** SFT paths per question: longest (paper), shortest, medium, all, random. */
    sft: z.enum(SFT_STRATEGIES).default('longest'),
    /** Cap of SFT rows per question (>= 1); default 1, or all for `sft: all`. */
    sftPerQuestion: z.number().int().min(1).optional(),
    /** DPO chosen: shortest correct (paper), longest, random. */
    chosen: z.enum(CHOSEN_STRATEGIES).default('shortest'),
    /** DPO pairs per question (>= 1). */
    pairsPerQuestion: z.number().int().min(1).default(1),
    /** Drop paths longer than this (in the length unit: tokens with a tokenizer, else characters). */
    maxLength: z.number().int().min(1).optional(),
    /** Write thoughts without their tags. */
    stripTags: z.boolean().default(false),
    /** Seed for ties and random strategies (split per question id). */
    seed: z.number().int().default(0),
  })
  .strict();

export type BuildOptions = z.output<typeof BuildOptionsSchema>;
export type BuildOptionsInput = z.input<typeof BuildOptionsSchema>;

/** Validate build options. @throws ConfigError naming the field. */
export function parseBuildOptions(input: unknown, source = 'build options'): BuildOptions {
  const parsed = BuildOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw configErrorFromZod(parsed.error, { file: source, input, docs: 'docs/data.md' });
  }
  return parsed.data;
}

export interface BuiltDataset {
  sft: SftRow[];
  dpo: DpoPair[];
  /** Every kept (scored, not annotation-rejected) path, for `paths.jsonl`. */
  paths: TreePath[];
  stats: DatasetStats;
  options: BuildOptions;
  /** What the caller should print: e.g. reflection tags assumed because the run stores no graph (run-reflection-tags.ts). */
  warnings: string[];
}

export { canonicalHash };

/**
 * Build SFT rows, DPO pairs and stats from a run.
 * @param source name for error messages (the database path).
 * @throws DataError for a run with no questions, no scored answers, or nothing to build.
 */
export function buildDataset(
  data: { run: StoredRun; questions: readonly StoredQuestion[] },
  optionsInput: BuildOptionsInput = {},
  extra: {
    countTokens?: CountTokens;
    source?: string;
    /**
     * Automatic review of correct paths: `false` keeps a correct path out of SFT and DPO `chosen`
     * (it stays in paths.jsonl), counted as `paths.droppedProcessCheck`, apart from human
     * annotations. Called with the question text, the path's response as written and the run's
     * thought tags (run-reflection-tags.ts), so a graph with renamed tags is judged by its own.
     */
    processCheck?: (question: string, response: string, tags: ReflectionTags) => boolean;
    /**
     * The task's answer extraction, to read each attempt's answer for the reflection accounting
     * (`stats.sft.reflection.rowsWithCorrectedReflection`); default: the answer thought's text.
     * Either way the last check thought's `= x` (the run's reflection ancestor, `<double-check>` in the
     * authors' graph) stands in for an attempt cut short by a reflection.
     */
    extractAnswer?: (text: string) => string | null;
    /**
     * The task's answer extraction, to read that check result as the task reads an answer (null: it
     * is none, so the attempt has no answer; attemptAnswerReader); default `extractAnswer`, else the
     * result as written.
     */
    taskAnswer?: (text: string) => string | null;
  } = {},
): BuiltDataset {
  const options = parseBuildOptions(optionsInput);
  const source = extra.source ?? `run ${data.run.runId}`;
  if (data.questions.length === 0) throw new DataError({ file: source }, 'the run has no questions: run `treecot search` first');
  const rng = new Rng(options.seed);
  const reflectionTypes = [reflectionTypeOf(data.run.config)];
  // The tags the run wrote its thoughts with: attempts are split and read by these, not by the authors' names.
  const { tags, note } = runReflectionTags(data);
  const lengthUnit = extra.countTokens ? ('tokens' as const) : ('chars' as const);
  const counts: ExtractCounts = { unscoredAnswers: 0, annotationRejected: 0 };
  const allPaths: TreePath[] = [];
  const allRanked: RankedPath[] = [];
  const sft: SftRow[] = [];
  const dpo: DpoPair[] = [];
  const q = { withScoredPaths: 0, withCorrectPath: 0, withIncorrectPath: 0, droppedNoCorrectPath: 0, withPairs: 0 };
  let droppedOverMaxLength = 0;
  let droppedStrayTags = 0;
  let duplicateCorrectResponses = 0;
  let searchTokens = 0;
  let timeoutsNotRejected = 0;
  let droppedProcessCheck = 0;
  for (const question of data.questions) {
    for (const node of question.nodes) searchTokens += node.promptTokens + node.completionTokens;
    const extracted = extractQuestionPaths(
      question,
      {
        separator: data.run.separator,
        stripTags: options.stripTags,
        countTokens: extra.countTokens,
        source,
        reflectionTypes,
        reflectionTag: tags.reflection,
      },
      counts,
    );
    const short = extracted.filter((p) => options.maxLength === undefined || p.length <= options.maxLength);
    droppedOverMaxLength += extracted.length - short.length;
    const strayPattern = strayTagPattern(thoughtTags(question));
    const paths = short.filter((p) => !pathHasStrayTag(question, p.nodeIds, strayPattern));
    droppedStrayTags += short.length - paths.length;
    allPaths.push(...paths);
    if (paths.length > 0) q.withScoredPaths++;
    const scoredCorrect = paths.filter((p) => p.correct);
    const check = extra.processCheck;
    const correct = check ? scoredCorrect.filter((p) => check(question.question, p.response, tags)) : scoredCorrect;
    droppedProcessCheck += scoredCorrect.length - correct.length;
    const incorrect = paths.filter((p) => !p.correct && !NOT_REJECTABLE_VERDICTS.includes(p.verdict ?? ''));
    timeoutsNotRejected += paths.filter((p) => !p.correct).length - incorrect.length;
    if (incorrect.length > 0) q.withIncorrectPath++;
    if (correct.length === 0) {
      if (paths.length > 0) q.droppedNoCorrectPath++;
      continue;
    }
    q.withCorrectPath++;
    const ranked = rankCorrectPaths(correct);
    duplicateCorrectResponses += correct.length - ranked.length;
    allRanked.push(...ranked);
    const questionRng = rng.split(question.questionId);
    for (const r of selectSftPaths(ranked, options.sft, questionRng.split('sft'), options.sftPerQuestion)) sft.push(toSftRow(r));
    const pairs = buildQuestionPairs(ranked, incorrect, {
      chosen: options.chosen,
      pairsPerQuestion: options.pairsPerQuestion,
      rng: questionRng.split('dpo'),
      countTokens: extra.countTokens,
    });
    if (pairs.length > 0) q.withPairs++;
    dpo.push(...pairs);
  }
  if (allPaths.length === 0 && counts.annotationRejected === 0 && droppedOverMaxLength === 0 && droppedStrayTags === 0) {
    throw new DataError({ file: source }, `the run has no scored answer paths (${data.questions.length} questions): nothing to build`);
  }
  const sftUnique = uniqueBy(sft, (r) => `${r.prompt}\u0000${r.completion}`);
  const dpoUnique = uniqueBy(dpo, (p) => `${p.prompt}\u0000${p.chosen}\u0000${p.rejected}`);
  if (sftUnique.length === 0 && dpoUnique.length === 0) {
    throw new DataError(
      { file: source },
      `no SFT row and no DPO pair could be built: ${q.withCorrectPath} questions have a correct path (after filters)`,
    );
  }
  const stats = computeDatasetStats({
    search: { runId: data.run.runId, task: data.run.task, configHash: data.run.configHash, separator: data.run.separator },
    build: { configHash: canonicalHash({ options, lengthUnit }), options: { ...options }, lengthUnit },
    questions: {
      total: data.questions.length,
      unfinished: data.questions.filter((question) => !isSearchDone(question.status)).length,
      ...q,
    },
    paths: allPaths,
    pathCounts: {
      droppedAnnotationRejected: counts.annotationRejected,
      droppedProcessCheck,
      unscoredAnswers: counts.unscoredAnswers,
      droppedOverMaxLength,
      droppedStrayTags,
      duplicateCorrectResponses,
      timeoutsNotRejected,
    },
    ranked: allRanked,
    sft: sftUnique,
    dpo: dpoUnique,
    sftDuplicatesRemoved: sft.length - sftUnique.length,
    dpoDuplicatesRemoved: dpo.length - dpoUnique.length,
    searchTokens,
    attemptAnswer: attemptAnswerReader(extra.extractAnswer, tags, extra.taskAnswer ?? extra.extractAnswer),
    reflectionTags: tags,
  });
  return { sft: sftUnique, dpo: dpoUnique, paths: allPaths, stats, options, warnings: note ? [note] : [] };
}

/**
 * Verdicts whose paths are never DPO `rejected`: a verifier that ran out of time says nothing
 * about the answer (our choice; the paper's rule-based rewards do not time out).
 */
export const NOT_REJECTABLE_VERDICTS: readonly string[] = ['timeout'];

/** The run's reflection node type (`search.reflection_type` of the stored config), default `reflection`. */
function reflectionTypeOf(config: unknown): string {
  const search = (config as { search?: { reflection_type?: unknown } } | null)?.search;
  return typeof search?.reflection_type === 'string' ? search.reflection_type : 'reflection';
}

function uniqueBy<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const k = key(row);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function toSftRow(r: RankedPath): SftRow {
  return {
    prompt: r.path.prompt,
    completion: r.path.response,
    question_id: r.path.questionId,
    length_bin: r.bin,
    length: r.path.length,
    length_unit: r.path.lengthUnit,
    length_rank: r.rank,
    correct_paths: r.count,
    reflection_count: r.path.reflectionCount,
    reflection_markers: r.path.reflectionMarkers,
    node_ids: r.path.nodeIds,
    path_tokens: r.path.promptTokens + r.path.completionTokens,
  };
}
