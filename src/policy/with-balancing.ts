/**
 * Least-outstanding-requests balancing over several policies (one per endpoint): each call goes
 * to the policy with the fewest calls in flight through this balancer; ties go round-robin, so
 * equal endpoints share evenly and a slow endpoint, whose calls stay outstanding longer,
 * receives fewer. (The "least outstanding requests" rule of AWS ALB / Envoy's LEAST_REQUEST.)
 */
import { ConfigError } from '../core/index.ts';
import type { CompleteOptions, CompleteResult, EndpointStats, Policy } from './types.ts';

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

  async function doComplete(options: CompleteOptions): Promise<CompleteResult> {
    const i = pick();
    outstanding[i]!++;
    try {
      return await policies[i]!.doComplete(options);
    } finally {
      outstanding[i]!--;
    }
  }

  return {
    specificationVersion: 'v1',
    provider: policies[0]!.provider,
    modelId: policies[0]!.modelId,
    doComplete,
    async close() {
      await Promise.all(policies.map((p) => p.close?.()));
    },
    stats(): EndpointStats[] {
      return policies.flatMap((p) => p.stats?.() ?? []);
    },
  };
}
