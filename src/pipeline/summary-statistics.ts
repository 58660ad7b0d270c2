/**
 * Uncertainty and paired tests for a run summary (issue 10 item 3): every set result gets the
 * standard error and 95% interval of its accuracy and no-answer rate, and its change against the
 * first stage evaluated on that set (the base) and against the previous such stage, each with a
 * paired test (exact McNemar for one sample per question, a paired bootstrap otherwise). Computed
 * from the stored questions.jsonl, so summary.json and the reports agree with the per-question data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import {
  attemptAnswerReader,
  compareRecords,
  DEFAULT_REFLECTION_TAGS,
  proportionStandardError,
  questionShares,
  readQuestionRecords,
  rateWithError,
  splitAttempts,
  type EvalQuestionRecord,
  type ReflectionTags,
} from '../eval/index.ts';
import type { DataEntry } from './summary-types.ts';
import type { RunSummary, SetResult } from './summary-types.ts';

/**
 * Reflection at inference over a set's samples: a sample reflected when it has two attempts or
 * more; it was fixed when its first attempt's answer is not the reference and its verdict is correct,
 * broken when the first attempt's answer equals the reference and its verdict is not correct.
 * `tags`: the thought tags of the search config the models learned (reflection, check, answer);
 * `taskAnswer`: the task's answer extraction, to read a checked result (attemptAnswerReader).
 */
export function inferenceReflection(
  records: readonly EvalQuestionRecord[],
  extractAnswer?: (text: string) => string | null,
  tags: ReflectionTags = DEFAULT_REFLECTION_TAGS,
  taskAnswer?: (text: string) => string | null,
): NonNullable<SetResult['reflection']> {
  const read = attemptAnswerReader(extractAnswer, tags, taskAnswer ?? extractAnswer);
  const out = { samples: 0, reflected: 0, fixed: 0, broke: 0 };
  for (const r of records) {
    for (const s of r.samples) {
      out.samples++;
      const attempts = splitAttempts(s.text, read, tags);
      if (attempts.length < 2) continue;
      out.reflected++;
      const firstRight = attempts[0]!.answer !== null && attempts[0]!.answer.trim() === r.reference.trim();
      if (!firstRight && s.verdict === 'correct') out.fixed++;
      if (firstRight && s.verdict !== 'correct') out.broke++;
    }
  }
  return out;
}

/** The reflection counts of a build's stats.json, when the folder has one. */
export function dataReflection(entry: DataEntry, runDir: string): DataEntry {
  const file = join(isAbsolute(entry.dir) ? entry.dir : join(runDir, entry.dir), 'stats.json');
  if (!existsSync(file)) return entry;
  const stats = JSON.parse(readFileSync(file, 'utf8')) as {
    sft?: { reflection?: { rowsWithReflection?: number; rowsWithCorrectedReflection?: number } };
    dpo?: { reflection?: { chosenWithCorrectedReflection?: number } };
  };
  return {
    ...entry,
    sft_with_reflection: stats.sft?.reflection?.rowsWithReflection,
    sft_corrected_reflection: stats.sft?.reflection?.rowsWithCorrectedReflection,
    chosen_corrected_reflection: stats.dpo?.reflection?.chosenWithCorrectedReflection,
  };
}

/** The error fields of one set from its records (pure). */
export function setErrors(records: readonly EvalQuestionRecord[], result: SetResult): SetResult {
  const accuracy = rateWithError([...questionShares(records, 'correct').values()]);
  const noAnswer = rateWithError([...questionShares(records, 'no_answer').values()]);
  return {
    ...result,
    accuracy_se: accuracy.se,
    accuracy_ci95: accuracy.ci95,
    no_answer_rate_se: noAnswer.se,
    no_answer_rate_ci95: noAnswer.ci95,
    majority_baseline: {
      ...result.majority_baseline,
      se: proportionStandardError(Math.round(result.majority_baseline.accuracy * records.length), records.length),
    },
  };
}

/**
 * Add standard errors and paired comparisons to every set of every stage. `load` reads a set's
 * records (default: its `questions_file` under `runDir`). Stages keep their order; a set's base is
 * the first stage that evaluated it. `tags`: the run's search config's thought tags, which the
 * trained models write (reflection-tags.ts); default the authors' graph. `taskAnswer`: the task's
 * answer extraction, to read a reflection's checked result (attemptAnswerReader).
 */
export function addRunStatistics(
  summary: RunSummary,
  runDir: string,
  load: (result: SetResult) => EvalQuestionRecord[] = (r) => readQuestionRecords(join(runDir, r.questions_file)),
  tags: ReflectionTags = DEFAULT_REFLECTION_TAGS,
  taskAnswer?: (text: string) => string | null,
): RunSummary {
  const seen = new Map<string, { stage: string; records: EvalQuestionRecord[] }[]>();
  const stages = summary.stages.map((stage) => {
    const sets = stage.sets.map((result) => {
      const records = load(result);
      let out: SetResult = { ...setErrors(records, result), reflection: inferenceReflection(records, undefined, tags, taskAnswer) };
      const earlier = seen.get(result.set) ?? [];
      if (earlier.length > 0) {
        const base = earlier[0]!;
        const previous = earlier.at(-1)!;
        out = {
          ...out,
          vs_base: compareRecords(base.records, records),
          base_stage: base.stage,
          vs_previous: compareRecords(previous.records, records),
          previous_stage: previous.stage,
        };
      }
      seen.set(result.set, [...earlier, { stage: stage.stage, records }]);
      return out;
    });
    return { ...stage, sets };
  });
  return { ...summary, stages, data: summary.data.map((d) => dataReflection(d, runDir)) };
}
