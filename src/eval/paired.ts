/**
 * Paired comparison of two evaluations of the same questions (issue 10 item 3): per-question shares
 * of correct and of no-answer samples, matched by question id, through statistics.ts comparePaired
 * (exact McNemar with one sample per question, a seeded paired bootstrap otherwise).
 */
import type { VerdictKind } from '../tasks/index.ts';
import { comparePaired, type PairedComparison } from './statistics.ts';
import type { EvalQuestionRecord } from './types.ts';

/** Question id -> share of its samples with verdict `kind`. */
export function questionShares(records: readonly EvalQuestionRecord[], kind: VerdictKind): Map<string, number> {
  return new Map(
    records.map((r) => [r.question_id, r.samples.length ? r.samples.filter((s) => s.verdict === kind).length / r.samples.length : 0]),
  );
}

/** Change from `a` to `b` of accuracy and of no-answer rate. */
export interface RecordComparison {
  accuracy: PairedComparison;
  no_answer_rate: PairedComparison;
}

/** @throws RangeError when the two evaluations share no question id. */
export function compareRecords(a: readonly EvalQuestionRecord[], b: readonly EvalQuestionRecord[]): RecordComparison {
  return {
    accuracy: comparePaired(questionShares(a, 'correct'), questionShares(b, 'correct')),
    no_answer_rate: comparePaired(questionShares(a, 'no_answer'), questionShares(b, 'no_answer')),
  };
}
