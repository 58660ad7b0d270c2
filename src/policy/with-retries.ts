/**
 * Retries around a Policy: exponential backoff with jitter on retryable failures (429, 5xx,
 * timeouts, connection errors, invalid responses), honouring `retry-after`; never after an
 * abort; ending in one PolicyCallError that lists every attempt.
 * After vercel/ai `packages/ai/src/util/retry-with-exponential-backoff.ts` (delay doubles per
 * attempt; retry-after used when 0 <= it <= maxRetryAfterMs) and its `RetryError`.
 *
 * Delay before retry k (k = 1, 2, ...): `min(maxDelayMs, initialDelayMs * factor^(k-1))` scaled by a
 * jitter factor uniform in [1 - jitter, 1] ("equal jitter" for jitter = 0.5), or the server's
 * retry-after when larger and not above `maxRetryAfterMs`.
 */
import { PolicyCallError, Rng, TreecotError } from '../core/index.ts';
import { abortError, PolicyRequestError } from './request-error.ts';
import type { Policy } from './types.ts';
import { wrapPolicy } from './wrap-policy.ts';

export interface RetryOptions {
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** First backoff delay, ms. Default 250. */
  initialDelayMs?: number;
  /** Backoff multiplier per retry. Default 2. */
  backoffFactor?: number;
  /** Cap on one backoff delay, ms. Default 10,000. */
  maxDelayMs?: number;
  /** Share of the delay that is random, in [0, 1]. Default 0.5. */
  jitter?: number;
  /** A retry-after longer than this (ms) is ignored in favour of backoff. Default 60,000. */
  maxRetryAfterMs?: number;
  /** Jitter randomness (only timing depends on it). Default `new Rng(0)`. */
  rng?: Rng;
  /** Called before each wait (for logs and tests). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRetryable(error: unknown): boolean {
  return TreecotError.isInstance(error) && (error as PolicyCallError).isRetryable === true;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Run `run` with the retry rule above. Resolves with its value and the number of failed
 * attempts before it. Rejects with the abort reason after an abort, with the first error when it
 * is not retryable, else with one PolicyCallError whose `errors` holds every failed attempt's error
 * object (first to last; `cause` is the last) and `attempts` their messages.
 */
export async function retryWithBackoff<T>(
  run: () => Promise<T>,
  options: RetryOptions = {},
  signal?: AbortSignal,
): Promise<{ value: T; failedAttempts: number }> {
  const maxRetries = options.maxRetries ?? 5;
  const initialDelayMs = options.initialDelayMs ?? 250;
  const factor = options.backoffFactor ?? 2;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const jitter = options.jitter ?? 0.5;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const rng = options.rng ?? new Rng(0);
  const errors: unknown[] = [];
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    if (signal?.aborted) throw abortError(signal);
    try {
      return { value: await run(), failedAttempts: errors.length };
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      errors.push(error);
      if (!isRetryable(error)) {
        if (attempt === 0) throw error;
        break;
      }
      if (attempt === maxRetries) break;
      const backoff = Math.min(maxDelayMs, initialDelayMs * factor ** attempt) * (1 - jitter * rng.float());
      const retryAfter = (error as PolicyRequestError).retryAfterMs;
      const delayMs = retryAfter !== undefined && retryAfter <= maxRetryAfterMs ? Math.max(retryAfter, backoff) : backoff;
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
  const lastError = errors[errors.length - 1];
  const last = lastError as Partial<PolicyCallError> | undefined;
  throw new PolicyCallError(`policy call failed after ${errors.length} attempt(s): ${describe(lastError)}`, {
    url: last?.url,
    status: last?.status,
    isRetryable: false,
    attempts: errors.map((error, i) => `attempt ${i + 1}: ${describe(error)}`),
    errors,
    cause: lastError,
  });
}

/** Wrap `policy` so each call is retried as documented above. */
export function withRetries(policy: Policy, options: RetryOptions = {}): Policy {
  const shared = { ...options, rng: options.rng ?? new Rng(0) };
  return wrapPolicy(policy, async (call, next) => {
    const { value, failedAttempts } = await retryWithBackoff(() => next(call), shared, call.signal);
    return { ...value, requests: value.requests + failedAttempts };
  });
}
