/**
 * `stats.json` of a built data set (issue 4, item 5): counts per split, length histograms per
 * length class, reflection markers, prefix-length distribution, and the tokens the search spent
 * per kept row (from the store's prompt/completion token columns).
 */
import { holdsCorrectedReflection, type ReflectionTags } from '../eval/index.ts';
import type { RankedPath } from './length-balance.ts';
import { histogram, round, summarize, tally, type HistogramBucket, type NumberSummary } from './summaries.ts';
import type { DpoPair, LengthBin, LengthUnit, SftRow, TreePath } from './types.ts';

export const STATS_SCHEMA = 'treecot.data-stats/1';

export interface LengthClassStats {
  summary: NumberSummary;
  histogram: HistogramBucket[];
}

export interface DatasetStats {
  schema: typeof STATS_SCHEMA;
  search: { runId: number; task: string; configHash: string; separator: string };
  build: { configHash: string; options: Record<string, unknown>; lengthUnit: LengthUnit };
  questions: {
    total: number;
    /**
     * Questions whose search had not ended (status pending, running or error: an interrupted or
     * failed search). Their trees are used as they are; `treecot build` warns when this is > 0.
     */
    unfinished: number;
    withScoredPaths: number;
    withCorrectPath: number;
    withIncorrectPath: number;
    /** Dropped from SFT and DPO: no correct path (after filters). */
    droppedNoCorrectPath: number;
    withPairs: number;
  };
  paths: {
    total: number;
    correct: number;
    incorrect: number;
    byVerdict: Record<string, number>;
    droppedAnnotationRejected: number;
    /** Correct paths kept out of SFT and DPO chosen by the build's automatic process check. */
    droppedProcessCheck: number;
    unscoredAnswers: number;
    droppedOverMaxLength: number;
    /** Paths with a thought that writes a thought tag of the graph in its text (mismatched tags; stray-thought-tags.ts). */
    droppedStrayTags: number;
    duplicateCorrectResponses: number;
    /** Wrong-scored paths whose verdict is `timeout`: not used as DPO rejected. */
    timeoutsNotRejected: number;
  };
  /** Counts per split. */
  splits: { sft: number; dpo: number };
  sft: {
    rows: number;
    byLengthBin: Record<LengthBin, number>;
    duplicatesRemoved: number;
    length: NumberSummary;
    reflection: {
      rowsWithReflection: number;
      /** Rows holding a wrong attempt, a reflection and a correct re-think (eval/reflection.ts holdsCorrectedReflection). */
      rowsWithCorrectedReflection: number;
      /** rowsWithCorrectedReflection / rows. */
      correctedShare: number;
      summary: NumberSummary;
      byCount: Record<string, number>;
      markers: NumberSummary;
    };
    pathTokens: NumberSummary;
  };
  dpo: {
    pairs: number;
    chosenByLengthBin: Record<LengthBin, number>;
    duplicatesRemoved: number;
    commonPrefixChars: LengthClassStats;
    commonPrefixTokens?: NumberSummary;
    sharedThoughtsChars: NumberSummary;
    sharedNodes: Record<string, number>;
    /** common_prefix_chars / chosen length in characters. */
    prefixShareOfChosen: NumberSummary;
    rejectedByVerdict: Record<string, number>;
    reflection: {
      chosenWithReflection: number;
      rejectedWithReflection: number;
      /** Chosen paths holding a wrong attempt, a reflection and a correct re-think. */
      chosenWithCorrectedReflection: number;
      /** chosenWithCorrectedReflection / pairs. */
      chosenCorrectedShare: number;
      chosenMarkers: NumberSummary;
      rejectedMarkers: NumberSummary;
    };
    pathTokens: NumberSummary;
  };
  /** Lengths of all distinct correct paths per relative length class (METHOD.md section 2). */
  lengthByBin: Record<LengthBin, LengthClassStats>;
  tokens: {
    /** Prompt + completion tokens of every node of every question (the whole search). */
    searchTotal: number;
    perSftRow: number | null;
    perDpoPair: number | null;
    perKeptRow: number | null;
  };
}

export interface StatsInput {
  search: DatasetStats['search'];
  build: DatasetStats['build'];
  questions: DatasetStats['questions'];
  paths: readonly TreePath[];
  pathCounts: Omit<DatasetStats['paths'], 'total' | 'correct' | 'incorrect' | 'byVerdict'>;
  ranked: readonly RankedPath[];
  sft: readonly SftRow[];
  dpo: readonly DpoPair[];
  sftDuplicatesRemoved: number;
  dpoDuplicatesRemoved: number;
  searchTokens: number;
  /** Reads the answer of one attempt (the text between reflections); see eval/reflection.ts. */
  attemptAnswer: (attempt: string) => string | null;
  /** The run's thought tags; attempts are split at `reflection` (default: the authors' `<reflection>`). */
  reflectionTags?: Pick<ReflectionTags, 'reflection'>;
}

function byBin(bins: readonly LengthBin[]): Record<LengthBin, number> {
  const out: Record<LengthBin, number> = { short: 0, medium: 0, long: 0 };
  for (const b of bins) out[b]++;
  return out;
}

function lengthClass(values: readonly number[]): LengthClassStats {
  return { summary: summarize(values), histogram: histogram(values) };
}

function perRow(total: number, rows: number): number | null {
  return rows > 0 ? round(total / rows, 1) : null;
}

export function computeDatasetStats(input: StatsInput): DatasetStats {
  const { sft, dpo, paths, ranked } = input;
  const sftCorrected = sft.filter((r) => holdsCorrectedReflection(r.completion, input.attemptAnswer, input.reflectionTags)).length;
  const chosenCorrected = dpo.filter((p) => holdsCorrectedReflection(p.chosen, input.attemptAnswer, input.reflectionTags)).length;
  const prefixTokens = dpo.map((p) => p.common_prefix_tokens).filter((t): t is number => t !== undefined);
  const stats: DatasetStats = {
    schema: STATS_SCHEMA,
    search: input.search,
    build: input.build,
    questions: input.questions,
    paths: {
      total: paths.length,
      correct: paths.filter((p) => p.correct).length,
      incorrect: paths.filter((p) => !p.correct).length,
      byVerdict: tally(paths.map((p) => p.verdict)),
      ...input.pathCounts,
    },
    splits: { sft: sft.length, dpo: dpo.length },
    sft: {
      rows: sft.length,
      byLengthBin: byBin(sft.map((r) => r.length_bin)),
      duplicatesRemoved: input.sftDuplicatesRemoved,
      length: summarize(sft.map((r) => r.length)),
      reflection: {
        rowsWithReflection: sft.filter((r) => r.reflection_count > 0).length,
        rowsWithCorrectedReflection: sftCorrected,
        correctedShare: sft.length ? round(sftCorrected / sft.length, 4) : 0,
        summary: summarize(sft.map((r) => r.reflection_count)),
        byCount: tally(sft.map((r) => r.reflection_count)),
        markers: summarize(sft.map((r) => r.reflection_markers)),
      },
      pathTokens: summarize(sft.map((r) => r.path_tokens)),
    },
    dpo: {
      pairs: dpo.length,
      chosenByLengthBin: byBin(dpo.map((p) => p.chosen_length_bin)),
      duplicatesRemoved: input.dpoDuplicatesRemoved,
      commonPrefixChars: lengthClass(dpo.map((p) => p.common_prefix_chars)),
      sharedThoughtsChars: summarize(dpo.map((p) => p.shared_thoughts_chars)),
      sharedNodes: tally(dpo.map((p) => p.shared_nodes)),
      prefixShareOfChosen: summarize(dpo.map((p) => round(p.common_prefix_chars / p.chosen.length))),
      rejectedByVerdict: tally(dpo.map((p) => p.rejected_verdict)),
      reflection: {
        chosenWithReflection: dpo.filter((p) => p.chosen_reflection_count > 0).length,
        chosenWithCorrectedReflection: chosenCorrected,
        chosenCorrectedShare: dpo.length ? round(chosenCorrected / dpo.length, 4) : 0,
        rejectedWithReflection: dpo.filter((p) => p.rejected_reflection_count > 0).length,
        chosenMarkers: summarize(dpo.map((p) => p.chosen_reflection_markers)),
        rejectedMarkers: summarize(dpo.map((p) => p.rejected_reflection_markers)),
      },
      pathTokens: summarize(dpo.map((p) => p.path_tokens)),
    },
    lengthByBin: {
      short: lengthClass(ranked.filter((r) => r.bin === 'short').map((r) => r.path.length)),
      medium: lengthClass(ranked.filter((r) => r.bin === 'medium').map((r) => r.path.length)),
      long: lengthClass(ranked.filter((r) => r.bin === 'long').map((r) => r.path.length)),
    },
    tokens: {
      searchTotal: input.searchTokens,
      perSftRow: perRow(input.searchTokens, sft.length),
      perDpoPair: perRow(input.searchTokens, dpo.length),
      perKeptRow: perRow(input.searchTokens, sft.length + dpo.length),
    },
  };
  if (prefixTokens.length) stats.dpo.commonPrefixTokens = summarize(prefixTokens);
  return stats;
}
