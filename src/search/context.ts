/**
 * What the search of one question needs from its surroundings, and the per-question
 * state. Shared by expand.ts, question-search.ts and run-search.ts.
 */
import type { Rng } from '../core/rng.ts';
import type { Policy } from '../policy/types.ts';
import type { SearchStore } from '../store/search-store.ts';
import type { Problem, Verdict } from '../tasks/types.ts';
import type { SelectChild } from './action-selection.ts';
import type { SearchConfig } from './config.ts';
import type { SearchTree } from './tree.ts';

/**
 * Judges one output against a problem (the task verifier, or a `VerifierPool`). A
 * `VerifierTimeoutError` counts as verdict 'timeout'; any other throw fails the question.
 */
export type VerifyFn = (output: string, problem: Problem) => Promise<Verdict> | Verdict;

/**
 * Narrows the child types the graph allows at a node before it is expanded: gets the question,
 * the node's linearised path (`''` at the root) and the graph row `[type, count][]` (after
 * `max_depth`), returns the row to expand. MCTS decode keeps the type the policy itself opens
 * there (src/eval/mcts-decode.ts); the data search uses none.
 */
export type ChildTypeFilter = (problem: Problem, pathText: string, types: [string, number][]) => Promise<[string, number][]>;

/** Counters of one `runSearch` call (this invocation only, not earlier resumed work). */
export interface SearchCounters {
  /** Policy calls (`doComplete`) made. */
  policyCalls: number;
  /** HTTP (or equivalent) requests those calls made (n-batching: 1 per call; fan-out: n). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  /** Policy calls that failed after the policy's own retries. */
  failedCalls: number;
  /** Expansions of a type that ended because the prompt no longer fits the context (dead ends). */
  contextExceeded: number;
  /** Verifications that ran past their time limit (verdict 'timeout'). */
  verifierTimeouts: number;
  /** Verdicts counted by `verdict: deciding rule` (Verdict.rule), so a bad reward rule shows up. */
  verdictsByRule: Record<string, number>;
  rollouts: number;
  correctRollouts: number;
  /** Nodes this invocation created. */
  nodesCreated: number;
}

export function emptyCounters(): SearchCounters {
  return {
    policyCalls: 0,
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    failedCalls: 0,
    contextExceeded: 0,
    verifierTimeouts: 0,
    verdictsByRule: {},
    rollouts: 0,
    correctRollouts: 0,
    nodesCreated: 0,
  };
}

export interface SearchContext {
  store: SearchStore;
  runId: number;
  config: SearchConfig;
  /** Resolved instruction text (config `instruction` or the task default). */
  instruction: string;
  /** Main policy (already behind the global concurrency bound). */
  policy: Policy;
  /** Policy for node types flagged `special_model` (defaults to `policy`). */
  specialPolicy: Policy;
  verify: VerifyFn;
  selectChild: SelectChild;
  /** Optional narrowing of each expansion's child types (see `ChildTypeFilter`). */
  childTypeFilter?: ChildTypeFilter;
  /** Fewest edges from each node type to `answer` (for `max_depth`). */
  distanceToAnswer: Record<string, number>;
  /** Concurrent iterations per tree; 1 = ordered (no virtual loss). */
  iterationsPerTree: number;
  /** Failed iterations in a row after which a question is marked 'error'. */
  maxConsecutiveErrors: number;
  counters: SearchCounters;
  signal?: AbortSignal;
}

export interface QuestionState {
  problem: Problem;
  tree: SearchTree;
  /** The question's own stream: `new Rng(seed).split(questionId)`. */
  rng: Rng;
  /** Committed rollouts and how many were correct (reward 1). */
  rollouts: number;
  correct: number;
  /** Iterations started (virtual-loss mode keys its randomness by this). */
  started: number;
  /** In-progress expansions by node (virtual-loss mode: a second visitor waits). */
  expanding: Map<number, Promise<void>>;
}
