/**
 * DPO pairs of one question for the pairs page, made by data/ exactly as `treecot build` makes
 * them with its default options (chosen = shortest correct path, seed 0), except that up to
 * PAIRS_SHOWN pairs are listed instead of one. Rejected (human-annotated) paths are left out,
 * as in build.
 */
import { Rng } from '../core/index.ts';
import { buildQuestionPairs, extractQuestionPaths, NOT_REJECTABLE_VERDICTS, rankCorrectPaths, type DpoPair } from '../data/index.ts';
import type { StoredQuestion } from '../store/index.ts';

/** The pairs page lists this many pairs of a question at most. */
export const PAIRS_SHOWN = 8;

export function pairsOfQuestion(question: StoredQuestion, separator: string, source: string): DpoPair[] {
  const paths = extractQuestionPaths(question, { separator, source });
  const ranked = rankCorrectPaths(paths.filter((p) => p.correct));
  const incorrect = paths.filter((p) => !p.correct && !NOT_REJECTABLE_VERDICTS.includes(p.verdict ?? ''));
  const rng = new Rng(0).split(question.questionId).split('dpo');
  return buildQuestionPairs(ranked, incorrect, { chosen: 'shortest', pairsPerQuestion: PAIRS_SHOWN, rng });
}
