/**
 * Least-outstanding-requests balancing over several policies (one per endpoint): each call goes
 * to the policy with the fewest calls in flight through this balancer; ties go round-robin, so
 * equal endpoints share evenly and a slow endpoint, whose calls stay outstanding longer,
 * receives fewer. (The "least outstanding requests" rule of AWS ALB / Envoy's LEAST_REQUEST.)
 */
import { ConfigError } from '../core/index.ts';
import type { Policy } from './types.ts';
import { wrapPolicy } from './wrap-policy.ts';

export function withBalancing(policies: readonly Policy[]): Policy {
  if (policies.length === 0) throw new ConfigError({ file: '(command line)', field: 'policy' }, 'at least one policy endpoint is needed');
  if (policies.length === 1) return policies[0]!;
  const outstanding = policies.map(() => 0);
  let nextTie = 0;

  function pick(): number {
    let best = -1;
    for (let k = 0; k < policies.length; k++) {
      const i = (nextTie + k) % policies.length;
      if (best < 0 || outstanding[i]! < outstanding[best]!) best = i;
    }
    nextTie = (best + 1) % policies.length;
    return best;
  }

  return wrapPolicy(policies, async (options, next) => {
    const i = pick();
    outstanding[i]!++;
    try {
      return await next(options, i);
    } finally {
      outstanding[i]!--;
    }
  });
}
