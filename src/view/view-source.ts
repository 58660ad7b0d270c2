/**
 * What the view serves of one search database: the read-only queries of store/view-queries.ts
 * with a cache keyed by `PRAGMA data_version` (recomputed only after another connection
 * commits), root-to-answer paths linearised by data/ exactly as `treecot build` writes them,
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

export class ViewSource {
  readonly file: string;
  readonly queries: ViewQueries;
  private writer: AnnotationWriter | null = null;
  /** The writer is a second connection, so its commits change `data_version` here too. */
  private cached: { version: number; rows: QuestionSummary[] } | null = null;
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

  /** Question summaries, recomputed only when the database changed. */
  summaries(): QuestionSummary[] {
    const version = this.queries.dataVersion();
    if (!this.cached || this.cached.version !== version) {
      this.cached = { version, rows: this.queries.questionSummaries() };
    }
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
