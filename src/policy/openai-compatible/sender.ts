/**
 * How an endpoint sends one JSON request: through the openai SDK (v6, `client.get/post` with a
 * custom baseURL, SDK retries off) or through the lean node:http transport (default; see
 * node-http-transport.ts for why). Both throw PolicyRequestError classified the same way:
 * retryable for 408/409/429/5xx, timeouts, connection errors and unparsable responses; the abort
 * reason after an abort. The API key stays inside the closure.
 */
import OpenAI from 'openai';
import { PolicyCallError } from '../../core/index.ts';
import { abortError, httpStatusError, parseRetryAfter, PolicyRequestError } from '../request-error.ts';
import { requestJson } from './node-http-transport.ts';

export type Transport = 'node-http' | 'sdk';

export interface SenderOptions {
  baseURL: string;
  apiKey?: string;
  timeoutMs: number;
  transport?: Transport;
}

/** Send `body` to `baseURL + path` (GET without a body) and return the parsed JSON. */
export type Sender = (method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal) => Promise<unknown>;

export function createSender(options: SenderOptions): Sender {
  if ((options.transport ?? 'node-http') === 'node-http') {
    const { baseURL, apiKey, timeoutMs } = options;
    return (method, path, body, signal) => requestJson({ url: `${baseURL}${path}`, method, body, apiKey, timeoutMs, signal });
  }
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey ?? 'no-key',
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: options.timeoutMs,
    ...(options.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
  });
  return async (method, path, body, signal) => {
    try {
      return await (method === 'GET' ? client.get(path, { signal }) : client.post(path, { body, signal }));
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw classify(error, `${options.baseURL}${path}`, options.timeoutMs);
    }
  };
}

/** Turn an SDK or network error into a PolicyRequestError (see the module doc for what retries). */
export function classify(error: unknown, url: string, timeoutMs: number): PolicyRequestError {
  if (error instanceof PolicyRequestError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new PolicyRequestError(`${url}: no response within ${timeoutMs} ms`, { url, isRetryable: true, cause: error });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = (error as { cause?: { message?: string; cause?: { code?: string } } }).cause;
    const detail = cause?.cause?.code ?? cause?.message ?? error.message;
    return new PolicyRequestError(`${url}: connection error (${detail})`, { url, isRetryable: true, cause: error });
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const status = error.status;
    const message = (error.error as { message?: string } | undefined)?.message ?? error.message;
    return httpStatusError(url, status, message, parseRetryAfter(error.headers), error);
  }
  if (error instanceof SyntaxError) {
    return new PolicyRequestError(`${url}: response is not valid JSON (${error.message})`, {
      url,
      status: 200,
      isRetryable: true,
      cause: error,
    });
  }
  if (error instanceof PolicyCallError) return new PolicyRequestError(error.message, { url, isRetryable: error.isRetryable, cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new PolicyRequestError(`${url}: ${message}`, { url, isRetryable: true, cause: error });
}
