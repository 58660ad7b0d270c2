/**
 * The lean HTTP transport of the OpenAI-compatible endpoint: one JSON POST/GET over node:http(s)
 * with keep-alive agents, a per-request timeout, abort, and failures classified as
 * PolicyRequestError exactly like the SDK path (see `classify` in endpoint.ts).
 *
 * Why besides the openai SDK: measured on the 2-core machine against the loopback server, the SDK
 * costs ~450 us of client CPU per request (~300 us more than this transport; Node's built-in fetch
 * alone costs ~1 ms), which caps one process far below the 5,120 requests/s that 256 requests in
 * flight at 50 ms latency need (docs/policy.md has the numbers). The SDK stays available
 * (`transport: 'sdk'`) and is what the tests compare against.
 */
import http from 'node:http';
import https from 'node:https';
import { abortError, httpStatusError, parseRetryAfter, PolicyRequestError } from '../request-error.ts';

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

export interface JsonRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: unknown;
  /** Sent as `Authorization: Bearer ...` when set. */
  apiKey?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

function headerGetter(headers: http.IncomingHttpHeaders): { get(name: string): string | null } {
  return {
    get(name: string) {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    if (typeof parsed.error === 'string') return parsed.error;
    return parsed.error?.message ?? parsed.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/**
 * Send one JSON request and parse the JSON answer.
 * @throws PolicyRequestError (HTTP status, timeout, connection error, invalid JSON), or the abort
 *   reason when `signal` aborts.
 */
export function requestJson<T>(request: JsonRequest): Promise<T> {
  const url = new URL(request.url);
  const isHttps = url.protocol === 'https:';
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (request.apiKey !== undefined) headers.authorization = `Bearer ${request.apiKey}`;
  const signal = request.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal));

  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const req = (isHttps ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        agent: isHttps ? httpsAgent : httpAgent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => finish(() => reject(connectionError(request.url, error))));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            finish(() => reject(httpStatusError(request.url, status, errorMessage(text), parseRetryAfter(headerGetter(res.headers)))));
            return;
          }
          let value: T;
          try {
            value = JSON.parse(text) as T;
          } catch (error) {
            finish(() =>
              reject(
                new PolicyRequestError(`${request.url}: response is not valid JSON (${(error as Error).message})`, {
                  url: request.url,
                  status,
                  isRetryable: true,
                  cause: error,
                }),
              ),
            );
            return;
          }
          finish(() => resolve(value));
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(() =>
        reject(
          new PolicyRequestError(`${request.url}: no response within ${request.timeoutMs} ms`, { url: request.url, isRetryable: true }),
        ),
      );
    }, request.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish(() => reject(abortError(signal)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish(() => reject(connectionError(request.url, error))));
    req.end(payload);
  });
}

function connectionError(url: string, error: Error & { code?: string }): PolicyRequestError {
  return new PolicyRequestError(`${url}: connection error (${error.code ?? error.message})`, { url, isRetryable: true, cause: error });
}
