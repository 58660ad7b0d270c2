/**
 * `runSearch`: the scheduler. Many questions in flight, one global bound on outstanding
 * policy calls, deterministic shards, resume from the store, and a summary.
 */
import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import { ConfigError, DataError, StoreError } from '../core/errors.ts';
import type { Policy } from '../policy/types.ts';
import { withConcurrencyLimit } from '../policy/with-concurrency-limit.ts';
import { SearchStore, type RunRow } from '../store/search-store.ts';
import { isSearchDone } from '../store/status.ts';
import { asStoreError } from '../store/sqlite-error.ts';
import { hasStoredWork, storedTotals, type SearchTotals } from '../store/selected-questions.ts';
import type { Problem } from '../tasks/types.ts';
import { uct, type SelectChild } from './action-selection.ts';
import { configHash, distanceToAnswer, searchInstruction, type SearchConfig } from './config.ts';
import { emptyCounters, type SearchContext, type SearchCounters, type VerifyFn, type ChildTypeFilter } from './context.ts';
import { searchQuestion } from './question-search.ts';

/** `--shard i/n`: this process takes the questions whose data-file row index % n === i (0-based i). */
export interface Shard {
  index: number;
  count: number;
}

/** Parse `i/n` (0 <= i < n). @throws ConfigError naming the flag. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index >= count) {
    throw new ConfigError({ file: '(command line)', field: 'shard' }, `expected i/n with 0 <= i < n, e.g. 0/4 (got "${text}")`);
  }
  return { index, count };
}

export interface RunSearchOptions {
  /** Validated config (see loadSearchConfig). */
  config: SearchConfig;
  /** Task name stored with the run. */
  task: string;
  /** Instruction used when the config has none (the task's `defaultInstruction`). */
  defaultInstruction: string;
  /** All problems of the data file, in file order (the row index is the shard key). */
  problems: readonly Problem[];
  /** Search database path (created, or resumed). */
  dbPath: string;
  /** Data file name, recorded with the run. */
  dataFile?: string;
  policy: Policy;
  /** Policy for `special_model` node types; default `policy`. */
  specialPolicy?: Policy;
  verify: VerifyFn;
  /** Max policy calls outstanding at once over all questions and both policies. Default 8. */
  concurrency?: number;
  /** Questions searched at once. Default `concurrency`. */
  questionsInFlight?: number;
  /** Concurrent iterations per tree with virtual loss; 1 (default) = ordered iterations. */
  virtualLoss?: number;
  shard?: Shard;
  /** Search only the first `limit` questions (after sharding). */
  limit?: number;
  /** Start a new run in the file when the stored config differs (else that is an error). */
  newRun?: boolean;
  /** Selection rule (see action-selection.ts). Default `uct(config.search.uct_c)`. */
  selectChild?: SelectChild;
  /** Narrow each expansion's child types (MCTS decode); default: the whole graph row. */
  childTypeFilter?: ChildTypeFilter;
  maxConsecutiveErrors?: number;
  signal?: AbortSignal;
  /** Called after each rollout and each finished question. */
  onProgress?: (progress: SearchProgress) => void;
}

export interface SearchProgress {
  questions: number;
  /** Questions done (solved, finished or gave up), including ones done by earlier runs. */
  finished: number;
  solved: number;
  errored: number;
  /** Failed attempts so far, counted as in the summary's `errors`. */
  errors: number;
  counters: SearchCounters;
  elapsedMs: number;
}

/** Stored totals of the selected questions (defined with the store's SQL). */
export type { SearchTotals };

/**
 * The `--json` summary (snake_case, one object). Two scopes, said field by field:
 * - stored: the state of the selected questions (after `--shard` and `--limit`) in the
 *   database at the end, counting the work of earlier invocations too (resume);
 * - this invocation: what this `runSearch` call did, nothing from earlier invocations.
 * `totals` gives the stored-scope counterparts of the per-invocation counts; on a first run
 * (`resumed` false) they agree with them (tokens: see `SearchTotals`).
 */
export interface SearchSummary {
  run_id: number;
  config_hash: string;
  /** Selected questions (after `--shard` and `--limit`); every other count is over these. */
  questions: number;
  /** Stored: questions done (solved or gave up), including those done before this invocation (`skipped`). */
  finished: number;
  /** Stored: questions solved, earlier invocations included. */
  solved: number;
  /** Stored: questions that gave up, earlier invocations included. */
  gave_up: number;
  /**
   * Questions left in status `error` at the end. This invocation retries every unfinished
   * question (earlier `error`s included), so this is both the stored state and this invocation's outcome.
   */
  errored: number;
  /** Questions already done before this invocation started (resume); they were not searched again. */
  skipped: number;
  /**
   * True when this invocation found committed work for the selected questions when it
   * started (done questions or stored nodes/rollouts): a resume. False on a first run.
   */
  resumed: boolean;
  /** This invocation: rollouts committed. Stored total: `totals.rollouts`. */
  rollouts: number;
  /** This invocation: rollouts with reward 1. Stored total: `totals.correct_rollouts`. */
  correct_rollouts: number;
  /** Stored: nodes of the selected questions (all invocations; = `totals.nodes`). */
  nodes: number;
  /** This invocation: nodes it created. */
  nodes_created: number;
  /** This invocation: policy calls (`doComplete`). */
  policy_calls: number;
  /** This invocation: HTTP (or equivalent) requests those calls made. */
  requests: number;
  /** This invocation: prompt tokens the policies reported. Stored total: `totals.prompt_tokens`. */
  prompt_tokens: number;
  /** This invocation: completion tokens the policies reported. Stored total: `totals.completion_tokens`. */
  completion_tokens: number;
  /**
   * This invocation: failed attempts: failed requests as the policies count them (each retry
   * attempt; from `Policy.stats`, when a policy has it, else calls that failed after all
   * retries) plus verifier timeouts.
   */
  errors: number;
  /** This invocation: policy calls that still failed after the policy's retries (the iteration was retried). */
  failed_calls: number;
  /** This invocation: verifications that ran past their time limit. */
  verifier_timeouts: number;
  /** This invocation: verdicts counted by `verdict: deciding rule` (e.g. `correct: ####: number`). */
  verdicts_by_rule: Record<string, number>;
  /** This invocation: expansions cut short because the path no longer fits the model context (dead ends, reward 0). */
  context_exceeded: number;
  /** This invocation: SQLite transactions that committed its writes (group commit: many writes each). */
  store_transactions: number;
  /** This invocation: wall-clock seconds. */
  wall_s: number;
  /** Stored: the selected questions' rollouts, nodes and tokens over all invocations (see `SearchTotals`). */
  totals: SearchTotals;
}

/** Sum of failed requests over the distinct policies that report stats; null when none does. */
function requestErrors(policies: Policy[]): number | null {
  let total: number | null = null;
  for (const policy of new Set(policies)) {
    const stats = policy.stats?.();
    if (stats) total = (total ?? 0) + stats.reduce((sum, s) => sum + s.errors, 0);
  }
  return total;
}

/**
 * Wrap policies so that all their calls share one bound (p-limit, FIFO). A policy given twice
 * (main = special) is wrapped once, so callers can still tell them apart by identity.
 */
function shareBound(policies: Policy[], limit: LimitFunction): Policy[] {
  const wrapped = new Map<Policy, Policy>();
  return policies.map((policy) => {
    if (!wrapped.has(policy)) wrapped.set(policy, withConcurrencyLimit(policy, limit));
    return wrapped.get(policy)!;
  });
}

/** Whether `problem` is stored in the run with another question text or reference. */
function storedQuestionDiffers(store: SearchStore, runId: number, problem: Problem): boolean {
  const stored = store.question(runId, problem.id);
  return stored !== null && (stored.question !== problem.question || stored.reference !== JSON.stringify(problem.reference ?? null));
}

function openRun(store: SearchStore, options: RunSearchOptions, config: SearchConfig, hash: string): RunRow {
  const latest = store.latestRun();
  if (latest && latest.config_hash === hash && latest.task === options.task) return latest;
  if (latest && !options.newRun) {
    const what =
      latest.task !== options.task
        ? `task "${latest.task}" (now "${options.task}")`
        : `config ${latest.config_hash.slice(0, 12)} (now ${hash.slice(0, 12)})`;
    throw new StoreError(
      store.file,
      `holds a run with another ${what}; pass --new-run to start a new run in this file, or use another --out`,
    );
  }
  return store.createRun({
    config,
    configHash: hash,
    task: options.task,
    separator: config.format.separator,
    dataFile: options.dataFile ?? '',
  });
}

/**
 * Run (or resume) a search. Finished questions are skipped; unfinished ones continue from
 * their committed nodes and rollouts.
 * @throws StoreError when the file holds another config and `newRun` is not set.
 */
export async function runSearch(options: RunSearchOptions): Promise<SearchSummary> {
  const started = Date.now();
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConfigError({ file: '(command line)', field: 'concurrency' }, `must be an integer >= 1 (got ${concurrency})`);
  const instruction = searchInstruction(options.config, options.defaultInstruction);
  const config: SearchConfig = { ...options.config, instruction };
  const hash = configHash(config);
  const firstSeen = new Map<string, Problem>();
  for (const problem of options.problems) {
    const earlier = firstSeen.get(problem.id);
    if (earlier) {
      const where = (p: Problem) => (p.source ? `${p.source.file}:${p.source.line}` : 'the data');
      throw new DataError(
        { file: problem.source?.file ?? options.dataFile ?? '(problems)', line: problem.source?.line, field: 'id' },
        `question id "${problem.id}" is used twice (first at ${where(earlier)}); ids must be unique`,
      );
    }
    firstSeen.set(problem.id, problem);
  }
  const store = SearchStore.open(options.dbPath);
  const policies = [options.policy, options.specialPolicy ?? options.policy];
  const requestErrorsBefore = requestErrors(policies);
  try {
    let run = openRun(store, options, config, hash);
    const indexed = options.problems.map((problem, idx) => ({ problem, idx }));
    let selected = options.shard ? indexed.filter(({ idx }) => idx % options.shard!.count === options.shard!.index) : indexed;
    if (options.limit !== undefined) selected = selected.slice(0, options.limit);
    // --new-run also covers a data file whose question text or reference changed under the
    // same config (issue 15 item 10); without it addQuestions refuses, naming the question.
    if (options.newRun && selected.some(({ problem }) => storedQuestionDiffers(store, run.run_id, problem))) {
      run = store.createRun({
        config,
        configHash: hash,
        task: options.task,
        separator: config.format.separator,
        dataFile: options.dataFile ?? '',
      });
    }
    store.addQuestions(
      run.run_id,
      selected.map(({ problem, idx }) => ({
        questionId: problem.id,
        idx,
        question: problem.question,
        reference: problem.reference,
        instruction,
      })),
    );
    const statusBefore = new Map(store.questions(run.run_id).map((q) => [q.question_id, q.status]));
    const todo = selected.filter(({ problem }) => !isSearchDone(statusBefore.get(problem.id) ?? 'pending'));
    const selectedIds = selected.map(({ problem }) => problem.id);
    const resumed = todo.length < selected.length || hasStoredWork(store, run.run_id, selectedIds);
    const limit = pLimit(concurrency);
    const [policy, specialPolicy] = shareBound([options.policy, options.specialPolicy ?? options.policy], limit);
    const counters = emptyCounters();
    // One failing question worker (a bug, a store failure, an abort) stops the others before
    // the store is closed, so nothing writes to a closed file.
    const stop = new AbortController();
    setMaxListeners(0, stop.signal); // every in-flight request listens to it
    const forward = () => stop.abort(options.signal!.reason);
    if (options.signal?.aborted) forward();
    options.signal?.addEventListener('abort', forward, { once: true });
    const ctx: SearchContext = {
      store,
      runId: run.run_id,
      config,
      instruction,
      policy: policy!,
      specialPolicy: specialPolicy!,
      verify: options.verify,
      selectChild: options.selectChild ?? uct(config.search.uct_c),
      childTypeFilter: options.childTypeFilter,
      distanceToAnswer: distanceToAnswer(config.graph),
      iterationsPerTree: Math.max(1, options.virtualLoss ?? 1),
      maxConsecutiveErrors: options.maxConsecutiveErrors ?? 3,
      counters,
      signal: stop.signal,
    };
    const outcome = {
      finished: selected.length - todo.length,
      solved: selected.filter(({ problem }) => statusBefore.get(problem.id) === 'solved').length,
      gaveUp: 0,
      errored: 0,
    };
    outcome.gaveUp = selected.filter(({ problem }) => statusBefore.get(problem.id) === 'gave_up').length;
    const errorsSoFar = () =>
      (requestErrorsBefore === null ? counters.failedCalls : requestErrors(policies)! - requestErrorsBefore) + counters.verifierTimeouts;
    const report = () =>
      options.onProgress?.({
        questions: selected.length,
        finished: outcome.finished,
        solved: outcome.solved,
        errored: outcome.errored,
        errors: errorsSoFar(),
        counters,
        elapsedMs: Date.now() - started,
      });
    const skipped = outcome.finished;
    report();
    let next = 0;
    const questionWorker = async () => {
      while (next < todo.length && !stop.signal.aborted) {
        const { problem } = todo[next++]!;
        const result = await searchQuestion(ctx, problem, report);
        if (result.status === 'error') outcome.errored++;
        else {
          outcome.finished++;
          if (result.status === 'solved') outcome.solved++;
          if (result.status === 'gave_up') outcome.gaveUp++;
        }
        report();
      }
    };
    const inFlight = Math.max(1, options.questionsInFlight ?? concurrency);
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(inFlight, Math.max(1, todo.length)) }, () =>
        questionWorker().catch((error: unknown) => {
          stop.abort(error);
          throw error;
        }),
      ),
    );
    options.signal?.removeEventListener('abort', forward);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw options.signal?.aborted ? options.signal.reason : failed.reason;
    if (options.signal?.aborted) throw options.signal.reason;
    store.flush(); // every write awaited already; totals must see all of them
    const totals = storedTotals(store, run.run_id, selectedIds);
    return {
      run_id: run.run_id,
      config_hash: hash,
      questions: selected.length,
      finished: outcome.finished,
      solved: outcome.solved,
      gave_up: outcome.gaveUp,
      errored: outcome.errored,
      skipped,
      resumed,
      rollouts: counters.rollouts,
      correct_rollouts: counters.correctRollouts,
      nodes: totals.nodes,
      nodes_created: counters.nodesCreated,
      policy_calls: counters.policyCalls,
      requests: counters.requests,
      prompt_tokens: counters.promptTokens,
      completion_tokens: counters.completionTokens,
      errors: errorsSoFar(),
      failed_calls: counters.failedCalls,
      verifier_timeouts: counters.verifierTimeouts,
      verdicts_by_rule: counters.verdictsByRule,
      context_exceeded: counters.contextExceeded,
      store_transactions: store.groupCommitStats.transactions,
      wall_s: (Date.now() - started) / 1000,
      totals,
    };
  } catch (error) {
    throw asStoreError(options.dbPath, error); // a damaged file or a full disk: one clear StoreError
  } finally {
    store.close();
  }
}
