/**
 * A real loopback HTTP server (node:http on 127.0.0.1, random port) that speaks the OpenAI wire
 * format, for wire tests, integration tests and benchmarks. Shape after vercel/ai
 * `packages/test-server`: every request is recorded (body, headers, time) and counted, and the
 * responses are scripted.
 *
 * Endpoints (non-streaming JSON only):
 * - `GET  /v1/models` -> `{object:'list', data:[{id, object:'model', ...}]}`
 * - `POST /v1/completions` -> `{choices:[{index, text, finish_reason}], usage}`
 * - `POST /v1/chat/completions` -> `{choices:[{index, message:{role:'assistant', content}, finish_reason}], usage}`.
 *   `continue_final_message: true` (vLLM extension) is accepted only when `supportsContinueFinalMessage`;
 *   otherwise the server answers 400 like a strict server that rejects unknown arguments.
 *
 * Behaviour of a generation request:
 * - The responder gives texts; choice i is `texts[i % texts.length]`. The server returns `n` choices
 *   when `supportsN`, else exactly 1 (as servers that ignore `n` do).
 * - Each text is cut at the first `stop` string (excluded, finish_reason 'stop'), then at
 *   `max_tokens * charsPerToken` characters (finish_reason 'length'). Token counts are
 *   `ceil(chars / charsPerToken)`.
 * - Faults (generation requests only, never GET /v1/models): first the `failureSchedule` by
 *   generation-request number (0-based), then `failureRate` with a seeded RNG over `failureKinds`.
 *
 * Usage:
 * ```ts
 * const server = await startOpenAITestServer({ supportsN: false, latencyMs: 50 });
 * // ... point a client at server.baseURL ('http://127.0.0.1:PORT/v1')
 * server.requestCount('/v1/completions'); server.requests[0].body;
 * await server.close();
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Rng, hashString } from '../../src/core/rng.ts';

export type FailureKind = '500' | '429' | 'stall' | 'reset' | 'invalid-json' | 'empty-choices';

/** The kinds drawn by default. `empty-choices` (HTTP 200, `choices: []`) is opt-in through `failureKinds`. */
export const ALL_FAILURE_KINDS: readonly FailureKind[] = ['500', '429', 'stall', 'reset', 'invalid-json'];

export interface ChatMessage {
  role: string;
  content: string;
}

/** What a responder sees of one generation request. */
export interface GenerationRequest {
  endpoint: 'completions' | 'chat';
  /**
   * The prompt text. For `/v1/completions` the `prompt` field as sent. For chat, the messages
   * rendered in ChatML (`<|im_start|>role\ncontent<|im_end|>\n`...), with the final assistant turn
   * left open when `continue_final_message` is set, or an open `<|im_start|>assistant\n` otherwise;
   * so in both cases the prompt ends with the text the model continues.
   */
  prompt: string;
  messages?: ChatMessage[];
  /** Choices the client asked for (`n`, default 1). */
  n: number;
  /** Choices this server will return (n, or 1 without `supportsN`). */
  choices: number;
  stop: string[];
  maxTokens: number;
  temperature?: number;
  seed?: number;
  /** How many generation requests with this same prompt (and seed) came before this one. */
  repeat: number;
  /** The raw JSON body. */
  body: Record<string, unknown>;
}

export type Responder = (request: GenerationRequest) => string[];

export interface OpenAITestServerOptions {
  /** Honour `n` (true) or always return one choice (false). Default true. */
  supportsN?: boolean;
  /** Delay before each response, ms (also for GET /v1/models). Default 0. */
  latencyMs?: number;
  /** Accept `continue_final_message` on chat (true) or answer 400 (false). Default true. */
  supportsContinueFinalMessage?: boolean;
  /** Include `logprobs` in completions choices when asked. Default false. */
  supportsLogprobs?: boolean;
  /** Fault per generation request number (0-based); null or missing = no fault. */
  failureSchedule?: (FailureKind | null)[];
  /** Probability of a fault for requests past the schedule. Default 0. */
  failureRate?: number;
  /** Kinds drawn (uniformly) when `failureRate` fires. Default all kinds. */
  failureKinds?: readonly FailureKind[];
  /** Seed of the fault RNG. Default 0. */
  seed?: number;
  /** Value of `retry-after-ms` on 429 (and `retry-after` = ceil(ms/1000) s). Default 0. */
  retryAfterMs?: number;
  /** How long a stalled request hangs before the socket is destroyed, ms. Default: until close. */
  stallMs?: number;
  /** Model ids listed by GET /v1/models. Default ['test-model']. */
  models?: string[];
  /** Characters per simulated token. Default 4. */
  charsPerToken?: number;
  /** Scripted texts for a request. Default: `defaultResponder` (deterministic in the prompt). */
  responder?: Responder;
}

export interface RecordedRequest {
  method: string;
  /** Path without query string, e.g. '/v1/completions'. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined for GET or unparsable bodies). */
  body: Record<string, unknown> | undefined;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** Date.now() when the response was sent (or the fault applied); undefined while in flight. */
  finishedAt?: number;
  /** The fault applied, if any. */
  failure?: FailureKind;
  /** 0-based number among generation requests; undefined for others. */
  generationIndex?: number;
}

export interface OpenAITestServer {
  /** e.g. 'http://127.0.0.1:43121/v1' */
  readonly baseURL: string;
  readonly port: number;
  /** Every request in arrival order. */
  readonly requests: RecordedRequest[];
  /** Mutable: later requests see changes. */
  readonly options: OpenAITestServerOptions;
  /** Requests to `path` (all paths when omitted). */
  requestCount(path?: string): number;
  /** Generation requests that got a fault, by kind. */
  failureCounts(): Record<FailureKind, number>;
  /** Most requests in flight at once so far. */
  readonly maxInFlight: number;
  /** Clear the record (not the options). */
  reset(): void;
  close(): Promise<void>;
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'so', 'then', 'count', 'the', 'letter', 'is', 'we', 'check', 'one', 'two'];

/**
 * The default responder: for each choice, 3-8 words drawn by an RNG keyed on
 * (prompt, seed or repeat number, choice index). Same request -> same texts.
 */
export const defaultResponder: Responder = (request) => {
  const key = `${request.prompt}\u0000${request.seed ?? `r${request.repeat}`}`;
  const texts: string[] = [];
  for (let i = 0; i < request.choices; i++) {
    const rng = new Rng(hashString(`${key}\u0000${i}`));
    const count = rng.int(3, 8);
    const words: string[] = [];
    for (let w = 0; w < count; w++) words.push(rng.pick(WORDS));
    texts.push(words.join(' '));
  }
  return texts;
};

/** Render chat messages the way `GenerationRequest.prompt` documents. */
export function renderChatForResponder(messages: ChatMessage[], continueFinal: boolean): string {
  let out = '';
  messages.forEach((m, i) => {
    const last = i === messages.length - 1;
    out += `<|im_start|>${m.role}\n${m.content}`;
    if (!(last && continueFinal && m.role === 'assistant')) out += '<|im_end|>\n';
  });
  if (!continueFinal) out += '<|im_start|>assistant\n';
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function errorBody(message: string, type: string): unknown {
  return { error: { message, type, param: null, code: null } };
}

function asStopList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string');
  return [];
}

/** Cut a text at the first stop string, then at the token budget. */
function finishText(text: string, stop: string[], maxChars: number): { text: string; finishReason: 'stop' | 'length' } {
  let cut = text;
  let stopped = false;
  let first = -1;
  for (const s of stop) {
    if (s === '') continue;
    const at = cut.indexOf(s);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  if (first >= 0) {
    cut = cut.slice(0, first);
    stopped = true;
  }
  if (cut.length > maxChars) return { text: cut.slice(0, maxChars), finishReason: 'length' };
  return { text: cut, finishReason: stopped || cut.length < maxChars ? 'stop' : 'length' };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Start the server on 127.0.0.1 with a random free port. */
export async function startOpenAITestServer(initial: OpenAITestServerOptions = {}): Promise<OpenAITestServer> {
  const options: OpenAITestServerOptions = { ...initial };
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const stallTimers = new Set<NodeJS.Timeout>();
  const promptRepeats = new Map<string, number>();
  const failureRng = new Rng(options.seed ?? 0);
  let generationCount = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let closed = false;

  function pickFailure(index: number): FailureKind | undefined {
    const scheduled = options.failureSchedule?.[index];
    if (scheduled) return scheduled;
    if (options.failureSchedule && index < options.failureSchedule.length) return undefined;
    const rate = options.failureRate ?? 0;
    if (rate <= 0) return undefined;
    if (failureRng.float() >= rate) return undefined;
    return failureRng.pick(options.failureKinds ?? ALL_FAILURE_KINDS);
  }

  function applyFailure(kind: FailureKind, res: ServerResponse, record: RecordedRequest): void {
    record.failure = kind;
    switch (kind) {
      case '500':
        sendJson(res, 500, errorBody('injected internal error', 'server_error'));
        return;
      case '429': {
        const ms = options.retryAfterMs ?? 0;
        sendJson(res, 429, errorBody('injected rate limit', 'rate_limit_error'), {
          'retry-after-ms': String(ms),
          'retry-after': String(Math.ceil(ms / 1000)),
        });
        return;
      }
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"cmpl-broken","choices":[{"index":0,"te');
        return;
      case 'empty-choices':
        // A 200 whose body is well-formed but holds no sample (seen from overloaded proxies).
        sendJson(res, 200, {
          id: 'cmpl-empty',
          object: 'text_completion',
          choices: [],
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        });
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'stall': {
        if (options.stallMs !== undefined) {
          const timer = setTimeout(() => {
            stallTimers.delete(timer);
            res.socket?.destroy();
          }, options.stallMs);
          stallTimers.add(timer);
        }
        return; // otherwise hang until the client gives up or the server closes
      }
    }
  }

  function generationRequest(endpoint: 'completions' | 'chat', body: Record<string, unknown>): GenerationRequest | string {
    const n = typeof body.n === 'number' ? body.n : 1;
    if (!Number.isInteger(n) || n < 1) return '`n` must be an integer >= 1';
    let prompt: string;
    let messages: ChatMessage[] | undefined;
    if (endpoint === 'completions') {
      if (typeof body.prompt !== 'string') return '`prompt` must be a string';
      prompt = body.prompt;
    } else {
      if (!Array.isArray(body.messages)) return '`messages` must be an array';
      messages = body.messages.map((m) => ({ role: String((m as ChatMessage).role), content: String((m as ChatMessage).content) }));
      const continueFinal = body.continue_final_message === true;
      if (continueFinal && messages.at(-1)?.role !== 'assistant') return 'continue_final_message needs a final assistant message';
      prompt = renderChatForResponder(messages, continueFinal);
    }
    const seed = typeof body.seed === 'number' ? body.seed : undefined;
    const repeatKey = `${endpoint}\u0000${prompt}\u0000${seed ?? ''}`;
    const repeat = promptRepeats.get(repeatKey) ?? 0;
    promptRepeats.set(repeatKey, repeat + 1);
    return {
      endpoint,
      prompt,
      messages,
      n,
      choices: options.supportsN === false ? 1 : n,
      stop: asStopList(body.stop),
      maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : 16,
      temperature: typeof body.temperature === 'number' ? body.temperature : undefined,
      seed,
      repeat,
      body,
    };
  }

  function respondGeneration(res: ServerResponse, request: GenerationRequest): void {
    const charsPerToken = options.charsPerToken ?? 4;
    const texts = (options.responder ?? defaultResponder)(request);
    if (texts.length === 0) throw new Error('responder returned no texts');
    const maxChars = request.maxTokens * charsPerToken;
    let completionTokens = 0;
    const choices = Array.from({ length: request.choices }, (_, index) => {
      const { text, finishReason } = finishText(texts[index % texts.length]!, request.stop, maxChars);
      completionTokens += Math.ceil(text.length / charsPerToken);
      if (request.endpoint === 'completions') {
        const logprobs =
          options.supportsLogprobs && typeof request.body.logprobs === 'number'
            ? { tokens: [text], token_logprobs: [-0.5], top_logprobs: null, text_offset: [0] }
            : null;
        return { index, text, logprobs, finish_reason: finishReason };
      }
      return { index, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: finishReason };
    });
    const promptTokens = Math.ceil(request.prompt.length / charsPerToken);
    sendJson(res, 200, {
      id: `${request.endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-${generationCount}`,
      object: request.endpoint === 'chat' ? 'chat.completion' : 'text_completion',
      created: 1,
      model: String(request.body.model ?? ''),
      choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: { ...req.headers },
      body: undefined,
      receivedAt: Date.now(),
    };
    requests.push(record);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight--;
      record.finishedAt ??= Date.now();
    });
    const raw = await readBody(req);
    if (raw !== '') {
      try {
        record.body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        record.body = undefined;
      }
    }
    const isGeneration = req.method === 'POST' && (path === '/v1/completions' || path === '/v1/chat/completions');
    if (isGeneration) record.generationIndex = generationCount++;
    if (options.latencyMs) await sleep(options.latencyMs);
    if (closed) return;

    if (req.method === 'GET' && path === '/v1/models') {
      const models = options.models ?? ['test-model'];
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1, owned_by: 'treecot-test' })) });
      return;
    }
    if (!isGeneration) {
      sendJson(res, 404, errorBody(`no route ${req.method} ${path}`, 'not_found'));
      return;
    }
    const failure = pickFailure(record.generationIndex!);
    if (failure) {
      applyFailure(failure, res, record);
      record.finishedAt = Date.now();
      return;
    }
    if (record.body === undefined) {
      sendJson(res, 400, errorBody('body is not valid JSON', 'invalid_request_error'));
      return;
    }
    const endpoint = path === '/v1/completions' ? 'completions' : 'chat';
    if (endpoint === 'chat' && options.supportsContinueFinalMessage === false) {
      for (const key of ['continue_final_message', 'add_generation_prompt']) {
        if (key in record.body) {
          sendJson(res, 400, errorBody(`Unrecognized request argument supplied: ${key}`, 'invalid_request_error'));
          return;
        }
      }
    }
    const request = generationRequest(endpoint, record.body);
    if (typeof request === 'string') {
      sendJson(res, 400, errorBody(request, 'invalid_request_error'));
      return;
    }
    respondGeneration(res, request);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(`test server error: ${(error as Error).message}`, 'server_error'));
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    options,
    get maxInFlight() {
      return maxInFlight;
    },
    requestCount(path?: string) {
      return path === undefined ? requests.length : requests.filter((r) => r.path === path).length;
    },
    failureCounts() {
      const counts = Object.fromEntries(ALL_FAILURE_KINDS.map((k) => [k, 0])) as Record<FailureKind, number>;
      for (const r of requests) if (r.failure) counts[r.failure] = (counts[r.failure] ?? 0) + 1;
      return counts;
    },
    reset() {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    close() {
      closed = true;
      for (const t of stallTimers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
