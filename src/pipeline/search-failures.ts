/**
 * Searched questions that a finished run left out because their search stopped on errors (the
 * policy failed `maxConsecutiveErrors` iterations in a row after its retries). The search stage
 * still completes, so the run goes on with the other questions; `treecot run` reports these and
 * exits 2, the partial-failure code of docs/cli.md, so a script does not take the run for whole.
 */
import { SearchStore } from '../store/index.ts';
import { RunLayout } from './run-layout.ts';
import type { RunSummary } from './summary-types.ts';

export interface SearchFailure {
  round: number;
  /** The round's search database. */
  db: string;
  questionId: string;
  /** The error the search stored for the question. */
  error: string;
}

/** The failed questions of every searched round of the run folder `outDir`, in round and question order. */
export function searchFailures(summary: RunSummary, outDir: string): SearchFailure[] {
  const layout = new RunLayout(outDir);
  const failures: SearchFailure[] = [];
  for (const { round } of summary.search) {
    const db = layout.searchDb(round);
    const store = SearchStore.open(db, { readonly: true });
    try {
      const run = store.latestRun();
      if (!run) continue;
      for (const q of store.questions(run.run_id)) {
        if (q.status === 'error') failures.push({ round, db, questionId: q.question_id, error: q.error ?? '(no error recorded)' });
      }
    } finally {
      store.close();
    }
  }
  return failures;
}
