/**
 * What the view serves of one search database: the read-only queries of store/view-queries.ts
 * with a cache keyed by `PRAGMA data_version` (recomputed only after another connection
 * commits, and then only for the questions that changed), root-to-answer paths linearised by data/ exactly as `treecot build` writes them,
 * and the annotation writer (the view's only write).
 */
import { AnnotationWriter, ViewQueries, type QuestionSummary, type ViewNode } from '../store/index.ts';
import { extractQuestionPaths } from '../data/index.ts';
import { getTask } from '../tasks/index.ts';

/** One root-to-answer path as the path and review pages show it. */
export interface ViewPath {
  leafId: number;
  /** Root first, answer leaf last. */
  nodeIds: number[];
  /** The response text the student is trained on (data/ linearisation, tags kept). */
  response: string;
  verdict: string | null;
  reward: number;
  /** The task's answer extraction on what the verifier judged; null when none or unknown task. */
  extractedAnswer: string | null;
  verdictReason: string | null;
  /** The leaf's own mark (the path review). */
  mark: 'accepted' | 'rejected' | null;
  /** Some node on the path is rejected, so `build` leaves this path out. */
  droppedByBuild: boolean;
  length: number;
  lengthUnit: string;
}

/**
 * A full recompute of the question summaries at most this often, ms, while a search writes; in
 * between only the questions with new nodes or a changed row are recomputed. It also bounds how
 * long a mark set outside the view (no annotations log entry) takes to show.
 */
export const FULL_SUMMARY_EVERY_MS = 60_000;

interface SummaryCache {
  version: number;
  rows: QuestionSummary[];
  /** The largest node rowid the rows include. */
  maxNodeId: number;
  annotations: string;
  fullAt: number;
}

export class ViewSource {
  readonly file: string;
  readonly queries: ViewQueries;
  private writer: AnnotationWriter | null = null;
  /** The writer is a second connection, so its commits change `data_version` here too. */
  private cached: SummaryCache | null = null;
  /** How the summaries were last brought up to date (tests and benchmarks read it). */
  readonly summaryStats = { full: 0, partial: 0, recomputedQuestions: 0 };
  private cachedTotals: { version: number; totals: ReturnType<ViewQueries['totals']> } | null = null;

  /** `runId`: which run of the file (default the latest, as every reader). */
  constructor(file: string, runId?: number) {
    this.file = file;
    this.queries = ViewQueries.open(file, runId);
  }

  close(): void {
    this.queries.close();
    this.writer?.close();
  }

  annotations(): AnnotationWriter {
    this.writer ??= AnnotationWriter.open(this.file, this.queries.run.run_id);
    return this.writer;
  }

  /**
   * Question summaries, recomputed only when the database changed, and then (between full
   * recomputes every FULL_SUMMARY_EVERY_MS, or after any annotation) only for the questions with
   * nodes added since (rowids above the last seen) or whose row changed (status, rollouts, time):
   * a running search touches a few questions, while a full recompute scans every node of the
   * run (0.6 s at 620,000 nodes). Nodes are never deleted and their counted columns (tokens,
   * verdict) never change after insert; the annotation column changes only with a log entry.
   */
  summaries(): QuestionSummary[] {
    const version = this.queries.dataVersion();
    if (this.cached && this.cached.version === version) return this.cached.rows;
    const previous = this.cached;
    this.cached = this.queries.snapshot(() => {
      // Read inside the snapshot, before the counts, so a later commit is seen as new next time.
      const cache = {
        version: this.queries.dataVersion(),
        maxNodeId: this.queries.maxNodeId(),
        annotations: this.queries.annotationSignature(),
      };
      const now = Date.now();
      if (!previous || previous.annotations !== cache.annotations || now - previous.fullAt >= FULL_SUMMARY_EVERY_MS) {
        this.summaryStats.full++;
        return { ...cache, rows: this.queries.questionSummaries(), fullAt: now };
      }
      const questions = this.queries.questionRows();
      const grown = this.queries.questionsWithNodesAfter(previous.maxNodeId);
      const before = new Map(previous.rows.map((r) => [r.questionId, r]));
      const stale = questions.filter((q) => {
        const old = before.get(q.question_id);
        return (
          !old ||
          grown.has(q.question_id) ||
          old.status !== q.status ||
          old.rollouts !== q.rollouts ||
          old.correctRollouts !== q.correct_rollouts ||
          old.updatedAt !== q.updated_at ||
          old.idx !== q.idx
        );
      });
      const fresh = new Map(this.queries.summariesOf(stale).map((s) => [s.questionId, s]));
      this.summaryStats.partial++;
      this.summaryStats.recomputedQuestions += stale.length;
      return { ...cache, rows: questions.map((q) => fresh.get(q.question_id) ?? before.get(q.question_id)!), fullAt: previous.fullAt };
    });
    return this.cached.rows;
  }

  /**
   * Run totals for the header, recomputed only when the database changed (the node count is a
   * scan of the run's index: about 0.2 s at 760,000 nodes, docs/robustness.md soak).
   */
  totals(): ReturnType<ViewQueries['totals']> {
    const version = this.queries.dataVersion();
    if (!this.cachedTotals || this.cachedTotals.version !== version) this.cachedTotals = { version, totals: this.queries.totals() };
    return this.cachedTotals.totals;
  }

  config(): { uctC: number; reflectionType: string; verifyOn: string } {
    const config = JSON.parse(this.queries.run.config) as { search?: { uct_c?: number; reflection_type?: string; verify_on?: string } };
    return {
      uctC: config.search?.uct_c ?? 1.414,
      reflectionType: config.search?.reflection_type ?? 'reflection',
      verifyOn: config.search?.verify_on ?? 'answer',
    };
  }

  /** Every scored root-to-answer path of a question (rejected ones included, flagged), or null. */
  paths(questionId: string): { nodes: ViewNode[]; paths: ViewPath[] } | null {
    const found = this.queries.question(questionId);
    if (!found) return null;
    const byId = new Map(found.nodes.map((n) => [n.id, n]));
    // Extract with marks cleared so rejected paths are shown too; `droppedByBuild` says what build does.
    const unmarked = { ...found.question, nodes: found.question.nodes.map((n) => ({ ...n, annotation: null })) };
    const extracted = extractQuestionPaths(unmarked, { separator: this.queries.run.separator, source: this.file });
    const task = safeTask(this.queries.run.task);
    const verifyOn = this.config().verifyOn;
    const paths = extracted.map((p): ViewPath => {
      const leaf = byId.get(p.nodeIds[p.nodeIds.length - 1]!)!;
      let extractedAnswer: string | null = null;
      try {
        extractedAnswer = task ? task.extractAnswer(verifyOn === 'path' ? p.response : leaf.content) : null;
      } catch {
        extractedAnswer = null;
      }
      return {
        leafId: leaf.id,
        nodeIds: p.nodeIds,
        response: p.response,
        verdict: p.verdict,
        reward: p.reward,
        extractedAnswer,
        verdictReason: leaf.verdictReason,
        mark: leaf.annotation,
        droppedByBuild: p.nodeIds.some((id) => byId.get(id)!.annotation === 'rejected'),
        length: p.length,
        lengthUnit: p.lengthUnit,
      };
    });
    return { nodes: found.nodes, paths };
  }
}

function safeTask(name: string): ReturnType<typeof getTask> | null {
  try {
    return getTask(name);
  } catch {
    return null;
  }
}
