/**
 * A bound on calls in flight through a policy (p-limit); later calls wait in FIFO order.
 * Placed inside retries, a call waiting out a backoff does not hold a slot.
 */
import pLimit from 'p-limit';
import { ConfigError } from '../core/index.ts';
import { abortError } from './request-error.ts';
import type { CompleteOptions, Policy } from './types.ts';

export function withConcurrencyLimit(policy: Policy, maxInFlight: number): Policy {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new ConfigError({ file: '(command line)', field: 'concurrency' }, `must be an integer >= 1 (got ${maxInFlight})`);
  }
  const limit = pLimit(maxInFlight);
  return {
    specificationVersion: 'v1',
    provider: policy.provider,
    modelId: policy.modelId,
    doComplete: (options: CompleteOptions) =>
      limit(() => {
        if (options.signal?.aborted) throw abortError(options.signal);
        return policy.doComplete(options);
      }),
    close: policy.close?.bind(policy),
    stats: policy.stats?.bind(policy),
  };
}
