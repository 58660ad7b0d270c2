/**
 * One OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp server, hosted APIs) as a Policy,
 * over a lean node:http transport (default) or the maintained `openai` SDK (v6, custom baseURL,
 * SDK retries off); see sender.ts. Retries, balancing and fan-out are wrappers (see ../with-*.ts). Each call
 * makes one HTTP request, except when the server returns fewer choices than `n`: then the missing
 * ones are requested with n = 1 in parallel (and `supportsN` becomes false for later calls).
 *
 * Modes:
 * - `completions`: POST /v1/completions with the prompt rendered client-side by a ChatTemplate
 *   (assistant turn open).
 * - `chat`: POST /v1/chat/completions with the assistant prefix as the final assistant message and
 *   `continue_final_message: true, add_generation_prompt: false` (vLLM / SGLang extension).
 *
 * Failures become PolicyRequestError (retryable for 408/409/429/5xx, timeouts, connection errors
 * and unparsable responses), with `retry-after` parsed. The API key lives only inside the SDK
 * client; it is not a field of this object and never appears in errors or `describe()`.
 */
import type { ChatTemplate } from '../chat-template.ts';
import { chatMessages } from '../chat-template.ts';
import { abortError, PolicyRequestError } from '../request-error.ts';
import { createSender, type Sender, type Transport } from './sender.ts';
import type { Completion, CompleteOptions, CompleteResult, EndpointStats, FinishReason, Policy, Warning } from '../types.ts';

export type EndpointMode = 'completions' | 'chat';

export interface EndpointOptions {
  /** e.g. 'http://127.0.0.1:8000/v1' */
  baseURL: string;
  /** Model id sent in each request. */
  model: string;
  mode: EndpointMode;
  /** Client-side template for `completions` mode. */
  template?: ChatTemplate;
  /** System message for `chat` mode. */
  system?: string;
  /** API key value (read from the environment by the caller); undefined sends no Authorization. */
  apiKey?: string;
  /** Per-request timeout, ms. Default 120,000. */
  timeoutMs?: number;
  /** Whether the server honours `n`. Default true (corrected on the first short answer). */
  supportsN?: boolean;
  /** Extra JSON fields merged into every generation request body (server quirks). */
  extraBody?: Record<string, unknown>;
  /** 'node-http' (default, lean) or 'sdk' (the openai SDK). */
  transport?: Transport;
}

interface RawChoice {
  index?: number;
  text?: string;
  message?: { content?: string | null };
  finish_reason?: string | null;
}

interface RawResponse {
  choices?: RawChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** Map a server finish_reason to ours ('stop' also for 'eos'/'stop_sequence' spellings). */
export function mapFinishReason(raw: string | null | undefined): FinishReason {
  if (raw === 'stop' || raw === 'eos' || raw === 'stop_sequence' || raw === 'end_turn') return 'stop';
  if (raw === 'length' || raw === 'max_tokens') return 'length';
  return 'other';
}

/** Cut `text` at the first stop string (a guard for servers that return it). */
export function cutAtStop(text: string, stop: readonly string[]): { text: string; cut: boolean } {
  let first = -1;
  for (const s of stop) {
    if (s === '') continue;
    const at = text.indexOf(s);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first < 0 ? { text, cut: false } : { text: text.slice(0, first), cut: true };
}

export class OpenAICompatibleEndpoint implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'openai-compatible';
  readonly modelId: string;
  readonly baseURL: string;
  readonly mode: EndpointMode;
  supportsN: boolean;
  readonly #send: Sender;
  readonly #options: EndpointOptions;
  readonly #stats: EndpointStats;

  constructor(options: EndpointOptions) {
    if (options.mode === 'completions' && !options.template) throw new TypeError('completions mode needs a template');
    this.#options = options;
    this.modelId = options.model;
    this.baseURL = options.baseURL;
    this.mode = options.mode;
    this.supportsN = options.supportsN ?? true;
    this.#send = createSender({
      baseURL: options.baseURL,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 120_000,
      transport: options.transport,
    });
    this.#stats = { endpoint: options.baseURL, requests: 0, errors: 0, outstanding: 0, promptTokens: 0, completionTokens: 0 };
  }

  stats(): EndpointStats[] {
    return [{ ...this.#stats }];
  }

  /** What to store about this endpoint (no secrets). */
  describe(): Record<string, unknown> {
    return {
      provider: this.provider,
      baseURL: this.baseURL,
      model: this.modelId,
      mode: this.mode,
      template: this.#options.template?.name,
      supportsN: this.supportsN,
      transport: this.#options.transport ?? 'node-http',
      timeoutMs: this.#options.timeoutMs ?? 120_000,
    };
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const warnings: Warning[] = [];
    const first = await this.#request(options, options.n, warnings);
    let parts = [first];
    if (first.completions.length < options.n) {
      this.supportsN = false;
      const missing = options.n - first.completions.length;
      const extra = await Promise.all(
        Array.from({ length: missing }, (_, i) =>
          this.#request({ ...options, seed: options.seed === undefined ? undefined : (options.seed + i + 1) >>> 0 }, 1, warnings),
        ),
      );
      parts = parts.concat(extra);
    }
    const completions = parts.flatMap((p) => p.completions).slice(0, options.n);
    if (completions.length < options.n) {
      throw new PolicyRequestError(`${this.baseURL}: got ${completions.length} of ${options.n} completions`, {
        url: this.baseURL,
        isRetryable: true,
      });
    }
    return {
      completions,
      usage: {
        promptTokens: parts.reduce((a, p) => a + p.promptTokens, 0),
        completionTokens: parts.reduce((a, p) => a + p.completionTokens, 0),
      },
      requests: parts.length,
      warnings,
    };
  }

  #body(options: CompleteOptions, n: number): Record<string, unknown> {
    const common: Record<string, unknown> = {
      model: this.modelId,
      max_tokens: options.maxTokens,
      temperature: options.temperature,
      top_p: options.topP,
      ...(n !== 1 ? { n } : {}),
      ...(options.stop.length > 0 ? { stop: options.stop } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...this.#options.extraBody,
    };
    if (this.mode === 'completions') return { ...common, prompt: this.#options.template!.render(options.prompt) };
    return {
      ...common,
      messages: chatMessages(options.prompt, this.#options.system),
      continue_final_message: true,
      add_generation_prompt: false,
    };
  }

  #hasText(choice: RawChoice | null | undefined): boolean {
    if (typeof choice !== 'object' || choice === null) return false;
    // Chat: OpenAI's schema allows `content: null` (nothing generated); a missing message is malformed.
    if (this.mode === 'chat')
      return (
        typeof choice.message === 'object' &&
        choice.message !== null &&
        (typeof choice.message.content === 'string' || choice.message.content === null)
      );
    return typeof choice.text === 'string';
  }

  async #request(
    options: CompleteOptions,
    n: number,
    warnings: Warning[],
  ): Promise<{ completions: Completion[]; promptTokens: number; completionTokens: number }> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const body = this.#body(options, n);
    const path = this.mode === 'completions' ? '/completions' : '/chat/completions';
    const url = `${this.baseURL}${path}`;
    this.#stats.requests++;
    this.#stats.outstanding++;
    let raw: RawResponse;
    try {
      raw = (await this.#send('POST', path, body, options.signal)) as RawResponse;
    } catch (error) {
      this.#stats.errors++;
      if (options.signal?.aborted) throw abortError(options.signal);
      throw error;
    } finally {
      this.#stats.outstanding--;
    }
    // A 200 without usable samples is a failed request (counted, retried), never "zero
    // samples": an empty `choices` would otherwise silently shrink the tree (issue 15 item 4).
    const malformed =
      !raw || !Array.isArray(raw.choices)
        ? 'response has no choices array'
        : raw.choices.length === 0
          ? 'HTTP 200 with an empty choices array'
          : raw.choices.some((c) => !this.#hasText(c))
            ? `a choice without ${this.mode === 'completions' ? 'a string `text`' : 'a `message` with string or null `content`'}`
            : null;
    if (malformed) {
      this.#stats.errors++;
      throw new PolicyRequestError(`${url}: ${malformed}`, { url, status: 200, isRetryable: true });
    }
    const completions: Completion[] = [...raw!.choices!]
      .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      .map((choice) => {
        const text = this.mode === 'completions' ? (choice.text ?? '') : (choice.message?.content ?? '');
        const guarded = cutAtStop(text, options.stop);
        return { text: guarded.text, finishReason: guarded.cut ? 'stop' : mapFinishReason(choice.finish_reason) };
      });
    const promptTokens = raw.usage?.prompt_tokens ?? 0;
    const completionTokens = raw.usage?.completion_tokens ?? 0;
    if (!raw.usage && !warnings.some((w) => w.feature === 'usage')) {
      warnings.push({ feature: 'usage', details: `${this.baseURL} returned no usage; token counts are 0` });
    }
    this.#stats.promptTokens += promptTokens;
    this.#stats.completionTokens += completionTokens;
    return { completions, promptTokens, completionTokens };
  }
}
