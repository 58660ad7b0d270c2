/**
 * A deterministic, in-process Policy for tests and benchmarks (docs/design.md: "Scripted models
 * whose answers you can work out by hand"). A `respond` function maps each request and
 * sample index to the completion text; there is no network and no randomness of its own.
 *
 * Token usage is counted as characters / 4 (rounded up) of the rendered prompt and of
 * each completion: a stand-in so the usage plumbing can be tested, not a tokenizer.
 */
import type { CompleteOptions, CompleteResult, Completion, Policy } from './types.ts';

export interface ScriptedRequest extends CompleteOptions {
  /** 0-based number of this call on this policy instance. */
  callIndex: number;
}

export interface ScriptedPolicyOptions {
  /** Text (or full Completion) of sample `sampleIndex` (0-based) of a call. */
  respond: (request: ScriptedRequest, sampleIndex: number) => string | Completion;
  modelId?: string;
  /** Wait this long per call (ms) before answering; 0 answers in the same microtask turn. */
  latencyMs?: number;
  /** Keep every request in `calls` (default true; benchmarks turn it off to measure without it). */
  record?: boolean;
}

/** Approximate token count: ceil(chars / 4). */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export class ScriptedPolicy implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'scripted';
  readonly modelId: string;
  /** Every call received, in order (tests inspect prompts, n, stop strings). */
  readonly calls: ScriptedRequest[] = [];
  /** Calls received (also when not recorded). */
  callCount = 0;
  private readonly options: ScriptedPolicyOptions;

  constructor(options: ScriptedPolicyOptions) {
    this.options = options;
    this.modelId = options.modelId ?? 'scripted';
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const request: ScriptedRequest = {
      prompt: options.prompt,
      n: options.n,
      stop: options.stop,
      maxTokens: options.maxTokens,
      temperature: options.temperature,
      topP: options.topP,
      seed: options.seed,
      signal: options.signal,
      callIndex: this.callCount++,
    };
    if (this.options.record !== false) this.calls.push(request);
    if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    const completions: Completion[] = [];
    for (let i = 0; i < options.n; i++) {
      const out = this.options.respond(request, i);
      completions.push(typeof out === 'string' ? { text: out, finishReason: 'stop' } : out);
    }
    const prompt = options.prompt;
    return {
      completions,
      usage: {
        promptTokens: approximateTokens(prompt.instruction + prompt.question + prompt.assistantPrefix),
        completionTokens: completions.reduce((sum, c) => sum + approximateTokens(c.text), 0),
      },
      requests: 1,
      warnings: [],
    };
  }
}
