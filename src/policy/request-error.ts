/**
 * One failed request to a policy back-end, classified for the retry wrapper.
 * Retryable (vercel/ai `api-call-error.ts` and `handle-fetch-error.ts`): HTTP 408, 409, 429, 5xx,
 * timeouts, connection errors and unparsable responses. Not retryable: other 4xx, aborts.
 */
import { ContextLengthError, PolicyCallError, looksLikeContextLengthMessage } from '../core/index.ts';

export class PolicyRequestError extends PolicyCallError {
  /** Server-requested wait before the next attempt, ms (from `retry-after-ms` / `retry-after`). */
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    details: { url?: string; status?: number; isRetryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * The error for a non-2xx HTTP answer: a ContextLengthError when a 400/413 body says the
 * prompt is too long (so the search can end that path instead of failing the question),
 * else a PolicyRequestError classified by status.
 */
export function httpStatusError(
  url: string,
  status: number,
  message: string,
  retryAfterMs: number | undefined,
  cause?: unknown,
): PolicyCallError {
  if ((status === 400 || status === 413) && looksLikeContextLengthMessage(message)) {
    return new ContextLengthError(`${url}: HTTP ${status}: ${message}`, { url, status, cause });
  }
  return new PolicyRequestError(`${url}: HTTP ${status}: ${message}`, {
    url,
    status,
    isRetryable: isRetryableStatus(status),
    retryAfterMs,
    cause,
  });
}

/** HTTP statuses worth retrying: 408, 409, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The wait a response asks for, ms: `retry-after-ms` (OpenAI), else `retry-after` in seconds or
 * as an HTTP date. undefined when absent or unparsable.
 */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (Number.isFinite(Number(value))) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error to throw for an aborted call: the signal's reason, or a standard AbortError. */
export function abortError(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
