/**
 * The policy spec: one interface every LLM back-end implements (OpenAI-compatible HTTP,
 * in-process GGUF via node-llama-cpp, scripted test policies). Types only.
 * Shape after vercel/ai `language-model-v4.ts` (docs/design.md `policy/`).
 */

/** The parts of a prompt; a policy renders them with its chat template. */
export interface PromptParts {
  /** Task instruction, sent before the question in the user turn ('' for none). */
  instruction: string;
  /** The question (user turn). */
  question: string;
  /**
   * Text the assistant turn already holds: the linearised path from the root, the new
   * node's opening tag and prefill phrase. The policy continues from here.
   */
  assistantPrefix: string;
}

export interface CompleteOptions {
  prompt: PromptParts;
  /** Number of completions wanted (one request when the back-end supports `n`). >= 1. */
  n: number;
  /** Stop strings; the completion text excludes them. */
  stop: string[];
  /** Max new tokens per completion. */
  maxTokens: number;
  /** Sampling temperature; 0 = greedy. */
  temperature: number;
  /** Nucleus sampling mass in (0, 1]. */
  topP: number;
  /** Seed for reproducible sampling where the back-end supports it (uint32). */
  seed?: number;
  /** Abort the call (no retry after an abort). */
  signal?: AbortSignal;
}

export type FinishReason = 'stop' | 'length' | 'error' | 'other';

export interface Completion {
  /** Generated text, stop string excluded. */
  text: string;
  finishReason: FinishReason;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** An unsupported option, reported once instead of thrown (vercel/ai style). */
export interface Warning {
  feature: string;
  details?: string;
}

export interface CompleteResult {
  /** Exactly `options.n` completions. */
  completions: Completion[];
  usage: TokenUsage;
  /** Requests this call made (1 with server-side `n`; n when fanned out). */
  requests: number;
  warnings: Warning[];
}

export interface Policy {
  readonly specificationVersion: 'v1';
  /** e.g. 'openai-compatible', 'llama-cpp', 'scripted'. */
  readonly provider: string;
  /** Model name or file; stored on every node the policy writes. */
  readonly modelId: string;
  doComplete(options: CompleteOptions): Promise<CompleteResult>;
  /** Release resources (model memory, sockets). */
  close?(): Promise<void>;
  /** Counters per endpoint (or model), for progress display. Optional; wrappers forward it. */
  stats?(): EndpointStats[];
}

/** Counters of one endpoint (an HTTP base URL or a model file) since the policy was created. */
export interface EndpointStats {
  /** Base URL or model file. */
  endpoint: string;
  /** Requests sent (HTTP requests, or generation calls in-process). */
  requests: number;
  /** Requests that failed (each retry attempt counts). */
  errors: number;
  /** Requests in flight now. */
  outstanding: number;
  promptTokens: number;
  completionTokens: number;
}
