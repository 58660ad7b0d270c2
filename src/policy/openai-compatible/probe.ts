/**
 * Capability probe of one OpenAI-compatible server, run once at start:
 * 1. GET /models: reachable, and the model id when none is given (the first listed).
 * 2. n: a 1-token request with n = 2 on the chosen endpoint; 2 choices back = `n` works.
 * 3. chat continue: a 1-token /chat/completions request with `continue_final_message: true,
 *    add_generation_prompt: false`; a 2xx answer = supported (a 4xx = not). A server that silently
 *    ignores unknown fields (Ollama) passes this check but starts a new turn: use `completions`
 *    mode with such servers.
 * 4. logprobs (optional): a 1-token completions request with `logprobs: 1`.
 * Probe requests are retried like normal calls (transient failures at start do not decide a
 * capability), with the same timeout.
 */
import { ConfigError, PolicyCallError } from '../../core/index.ts';
import { retryWithBackoff, type RetryOptions } from '../with-retries.ts';
import { createSender, type Transport } from './sender.ts';

export interface ProbeOptions {
  baseURL: string;
  apiKey?: string;
  /** Model to use; when absent the first model the server lists. */
  model?: string;
  /** Which generation endpoint the n check uses. */
  mode: 'completions' | 'chat';
  /** Check continue_final_message (always done in chat mode). */
  checkChatContinue?: boolean;
  checkLogprobs?: boolean;
  timeoutMs?: number;
  retry?: RetryOptions;
  transport?: Transport;
}

export interface ProbeResult {
  baseURL: string;
  models: string[];
  model: string;
  supportsN: boolean;
  /** undefined when not checked. */
  supportsChatContinue?: boolean;
  supportsLogprobs?: boolean;
  /** Probe requests sent (including retries). */
  requests: number;
}

/** A probe request the server refused (4xx other than 429): its status and the error object. */
class ProbeFailure {
  constructor(
    readonly status: number,
    readonly error: PolicyCallError,
  ) {}
}

/** Probe one server; see the module doc. @throws PolicyCallError when it cannot be reached. */
export async function probeEndpoint(options: ProbeOptions): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const send = createSender({ baseURL: options.baseURL, apiKey: options.apiKey, timeoutMs, transport: options.transport });
  let requests = 0;
  /** Run one probe request with retries; a non-retryable 4xx comes back as `{status, error}` (the error object kept). */
  async function attempt<T>(path: string, run: () => Promise<T>): Promise<T | ProbeFailure> {
    try {
      const { value } = await retryWithBackoff(
        async () => {
          requests++;
          return await run();
        },
        { maxRetries: 3, initialDelayMs: 200, ...options.retry },
      );
      return value;
    } catch (error) {
      const status = (error as PolicyCallError).status;
      if (PolicyCallError.isInstance(error) && status !== undefined && status >= 400 && status < 500 && status !== 429) {
        return new ProbeFailure(status, error as PolicyCallError);
      }
      throw error;
    }
  }
  const isFailure = (v: unknown): v is ProbeFailure => v instanceof ProbeFailure;

  const list = await attempt('/models', () => send('GET', '/models') as Promise<{ data?: { id?: string }[] }>);
  const models = isFailure(list) ? [] : (list.data ?? []).map((m) => String(m.id));
  const model = options.model ?? models[0];
  if (model === undefined) {
    throw new ConfigError({ file: '(command line)', field: 'model' }, `${options.baseURL} lists no models; pass --model`);
  }
  const result: ProbeResult = { baseURL: options.baseURL, models, model, supportsN: true, requests: 0 };

  const chatBody = {
    model,
    messages: [
      { role: 'user', content: 'Say OK.' },
      { role: 'assistant', content: 'O' },
    ],
    max_tokens: 1,
    temperature: 0,
    continue_final_message: true,
    add_generation_prompt: false,
  };
  const path = options.mode === 'completions' ? '/completions' : '/chat/completions';
  const nBody =
    options.mode === 'completions'
      ? { model, prompt: 'Say OK.', max_tokens: 1, temperature: 1, n: 2 }
      : { model, messages: [{ role: 'user', content: 'Say OK.' }], max_tokens: 1, temperature: 1, n: 2 };
  const nAnswer = await attempt(path, () => send('POST', path, nBody) as Promise<{ choices?: unknown[] }>);
  if (isFailure(nAnswer)) {
    throw new PolicyCallError(`capability probe failed: ${nAnswer.error.message}`, {
      url: options.baseURL,
      status: nAnswer.status,
      cause: nAnswer.error,
    });
  }
  result.supportsN = (nAnswer.choices?.length ?? 0) >= 2;

  if (options.mode === 'chat' || options.checkChatContinue) {
    const chat = await attempt('/chat/completions', () => send('POST', '/chat/completions', chatBody) as Promise<{ choices?: unknown[] }>);
    result.supportsChatContinue = !isFailure(chat) && Array.isArray(chat.choices);
  }
  if (options.checkLogprobs) {
    const lp = await attempt(
      '/completions',
      () =>
        send('POST', '/completions', { model, prompt: 'Say OK.', max_tokens: 1, logprobs: 1 }) as Promise<{
          choices?: { logprobs?: unknown }[];
        }>,
    );
    result.supportsLogprobs = !isFailure(lp) && lp.choices?.[0]?.logprobs != null;
  }
  result.requests = requests;
  return result;
}
