/**
 * When a question's search has ended: the stop rule said `solved` or `gave_up` (`finished` is
 * accepted for databases that use it). `pending`, `running` and `error` are unfinished: a re-run
 * of the same search command continues them. One definition for search, merge, data and reports.
 */
import type { QuestionStatus } from './types.ts';

const DONE: ReadonlySet<string> = new Set<QuestionStatus>(['solved', 'finished', 'gave_up']);

/** True when the question's search has ended (see module doc). */
export function isSearchDone(status: QuestionStatus | string): boolean {
  return DONE.has(status);
}
