/**
 * A bound on calls in flight through a policy (p-limit); later calls wait in FIFO order.
 * Placed inside retries, a call waiting out a backoff does not hold a slot. Pass one p-limit
 * `LimitFunction` to several policies to bound them together (the search's global bound).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { ConfigError } from '../core/index.ts';
import type { Policy } from './types.ts';
import { wrapPolicy } from './wrap-policy.ts';

/**
 * @param maxInFlight an integer >= 1, or a p-limit function shared with other policies.
 * @throws ConfigError (field `concurrency`) for a bound that is not an integer >= 1.
 */
export function withConcurrencyLimit(policy: Policy, maxInFlight: number | LimitFunction): Policy {
  if (typeof maxInFlight === 'number' && (!Number.isInteger(maxInFlight) || maxInFlight < 1)) {
    throw new ConfigError({ file: '(command line)', field: 'concurrency' }, `must be an integer >= 1 (got ${maxInFlight})`);
  }
  const limit = typeof maxInFlight === 'number' ? pLimit(maxInFlight) : maxInFlight;
  // `next` checks the signal when the slot is granted: a call aborted while queued never starts.
  return wrapPolicy(policy, (options, next) => limit(() => next(options)));
}
