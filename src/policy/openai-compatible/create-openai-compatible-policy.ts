/**
 * Several OpenAI-compatible endpoints as one Policy:
 *
 *   withFanOut?( withRetries( withConcurrencyLimit?( withBalancing([endpoint...]) ) ) )
 *
 * - Each endpoint is probed at start (unless `probe: false`): model id, `n` support, chat
 *   continue support (chat mode).
 * - Fan-out is on when any endpoint ignores `n` (a mixed fleet fans out everywhere, so that every
 *   single request can go to any endpoint); each sub-request is retried and balanced on its own.
 * - Retries pick the least-loaded endpoint again, so a failing server's work moves elsewhere.
 * - The API key comes from the environment variable named by `apiKeyEnv`; only its name is kept.
 */
import { ConfigError } from '../../core/index.ts';
import { resolveServedTemplate, type ChatTemplate } from '../chat-template.ts';
import type { EndpointStats, Policy } from '../types.ts';
import { withBalancing } from '../with-balancing.ts';
import { withConcurrencyLimit } from '../with-concurrency-limit.ts';
import { withFanOut } from '../with-fan-out.ts';
import { withRetries, type RetryOptions } from '../with-retries.ts';
import { OpenAICompatibleEndpoint, type EndpointMode } from './endpoint.ts';
import type { Transport } from './sender.ts';
import { probeEndpoint, type ProbeResult } from './probe.ts';

export interface OpenAICompatiblePolicyOptions {
  /** Base URLs, e.g. ['http://gpu1:8000/v1', 'http://gpu2:8000/v1']. A URL without a path gets '/v1'. */
  endpoints: string[];
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv?: string;
  /** Model id; default: the first model the first endpoint lists. */
  model?: string;
  /** Default 'completions'. */
  mode?: EndpointMode;
  /**
   * Completions mode: 'raw' | 'chatml' | 'llama3' | a chat_template.jinja / tokenizer_config.json
   * file | a model folder. Without it the model's own template is looked up (a local model folder or
   * the Hugging Face cache for the model id); none found is a ConfigError, never a guess.
   */
  template?: string;
  /** Template variables (`--template-kwargs`): rendered into a Jinja template, or sent as `chat_template_kwargs` in chat mode. */
  templateKwargs?: Record<string, unknown>;

  system?: string;
  /** Per-request timeout, ms. Default 120,000. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Bound on HTTP requests in flight over all endpoints; default unbounded (the search bounds it). */
  concurrency?: number;
  /** Probe each endpoint at start (default true). With false, `supportsN` is assumed true unless given. */
  probe?: boolean;
  /** Also probe whether `/v1/completions` returns logprobs (reported in `probes`). Default false. */
  probeLogprobs?: boolean;
  /** Without a probe: whether the servers honour `n`. */
  supportsN?: boolean;
  extraBody?: Record<string, unknown>;
  /** 'node-http' (default) or 'sdk' (the openai SDK); see sender.ts. */
  transport?: Transport;
  /** Where the environment comes from (API key, $HF_HUB_CACHE / $HF_HOME for the template lookup). Default process.env. */
  env?: Record<string, string | undefined>;
}

export interface OpenAICompatiblePolicy extends Policy {
  stats(): EndpointStats[];
  /** Probe results, one per endpoint (empty without a probe). */
  readonly probes: ProbeResult[];
  /** The effective configuration to store with a run: no secrets (only the key's variable name). */
  describe(): Record<string, unknown>;
}

/** Normalise a base URL: trim trailing '/', add '/v1' when there is no path. */
export function normalizeBaseURL(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError({ file: '(command line)', field: 'policy' }, `"${url}" is not a URL (expected e.g. http://127.0.0.1:8000/v1)`);
  }
  const trimmed = url.replace(/\/+$/, '');
  return parsed.pathname === '/' || parsed.pathname === '' ? `${trimmed}/v1` : trimmed;
}

function readApiKey(options: OpenAICompatiblePolicyOptions): string | undefined {
  if (options.apiKeyEnv === undefined) return undefined;
  const value = (options.env ?? process.env)[options.apiKeyEnv];
  if (value === undefined || value === '') {
    throw new ConfigError(
      { file: '(environment)', field: options.apiKeyEnv },
      `--api-key-env names ${options.apiKeyEnv}, but it is not set`,
    );
  }
  return value;
}

/** Build the composed policy; probes the endpoints first unless `probe: false`. */
export async function createOpenAICompatiblePolicy(options: OpenAICompatiblePolicyOptions): Promise<OpenAICompatiblePolicy> {
  if (options.endpoints.length === 0) throw new ConfigError({ file: '(command line)', field: 'policy' }, 'give at least one --policy URL');
  const mode = options.mode ?? 'completions';
  const urls = options.endpoints.map(normalizeBaseURL);
  const apiKey = readApiKey(options);
  // An explicit --template is checked before any request; a looked-up one needs the model id (maybe from the probe).
  const templateOptions = { system: options.system, kwargs: options.templateKwargs };
  let template: ChatTemplate | undefined =
    mode === 'completions' && (options.template !== undefined || options.model !== undefined)
      ? resolveServedTemplate({ template: options.template, model: options.model, env: options.env }, templateOptions)
      : undefined;

  const probes: ProbeResult[] = [];
  if (options.probe !== false) {
    for (const baseURL of urls) {
      probes.push(
        await probeEndpoint({
          baseURL,
          apiKey,
          model: options.model ?? probes[0]?.model,
          mode,
          timeoutMs: options.timeoutMs,
          retry: options.retry,
          transport: options.transport,
          checkLogprobs: options.probeLogprobs,
        }),
      );
    }
    if (mode === 'chat') {
      const bad = probes.find((p) => p.supportsChatContinue === false);
      if (bad) {
        throw new ConfigError(
          { file: '(command line)', field: 'mode' },
          `${bad.baseURL} rejects continue_final_message on /v1/chat/completions; use --mode completions with a --template`,
        );
      }
    }
  }
  const model = options.model ?? probes[0]?.model;
  if (model === undefined)
    throw new ConfigError({ file: '(command line)', field: 'model' }, 'no model id: pass --model (or let the probe read /v1/models)');
  if (mode === 'completions') template ??= resolveServedTemplate({ model, env: options.env }, templateOptions);
  // Chat mode: the server renders the template, so its variables travel in the request body
  // (vLLM and SGLang read `chat_template_kwargs`); --extra-body fields come last and win.
  const extraBody =
    mode === 'chat' && options.templateKwargs ? { chat_template_kwargs: options.templateKwargs, ...options.extraBody } : options.extraBody;

  const endpoints = urls.map(
    (baseURL, i) =>
      new OpenAICompatibleEndpoint({
        baseURL,
        model,
        mode,
        template,
        system: options.system,
        apiKey,
        timeoutMs: options.timeoutMs,
        supportsN: probes[i]?.supportsN ?? options.supportsN ?? true,
        extraBody,
        transport: options.transport,
      }),
  );
  let inner: Policy = withBalancing(endpoints);
  if (options.concurrency !== undefined) inner = withConcurrencyLimit(inner, options.concurrency);
  inner = withRetries(inner, options.retry);
  const fanOut = endpoints.some((e) => !e.supportsN);
  if (fanOut) inner = withFanOut(inner);
  const composed = inner;

  return {
    specificationVersion: 'v1',
    provider: 'openai-compatible',
    modelId: model,
    probes,
    doComplete: (call) => composed.doComplete(call),
    close: async () => {},
    stats: () => endpoints.flatMap((e) => e.stats()),
    describe: () => ({
      provider: 'openai-compatible',
      model,
      mode,
      template: template?.name,
      templateSource: template?.source,
      templateKwargs: options.templateKwargs,
      extraBody,
      endpoints: endpoints.map((e) => e.describe()),
      apiKeyEnv: options.apiKeyEnv,
      fanOut,
      timeoutMs: options.timeoutMs ?? 120_000,
      concurrency: options.concurrency,
      retry: options.retry ? { ...options.retry, rng: undefined, onRetry: undefined } : undefined,
    }),
  };
}
