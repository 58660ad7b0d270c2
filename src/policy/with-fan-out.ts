/**
 * Fan-out for back-ends that ignore `n`: a call for n completions becomes n parallel calls with
 * n = 1, each with its own seed (`seed + i`, so seeded sub-calls differ from each other). Usage,
 * request counts and warnings are summed. Place it outside retries and balancing so each
 * sub-request is retried and balanced on its own.
 */
import type { CompleteOptions, CompleteResult, Policy, Warning } from './types.ts';
import { wrapPolicy, type CallInner } from './wrap-policy.ts';

export function withFanOut(policy: Policy): Policy {
  return wrapPolicy(policy, fanOut);
}

async function fanOut(options: CompleteOptions, next: CallInner): Promise<CompleteResult> {
  if (options.n <= 1) return next(options);
  const parts = await Promise.all(
    Array.from({ length: options.n }, (_, i) =>
      next({ ...options, n: 1, seed: options.seed === undefined ? undefined : (options.seed + i) >>> 0 }),
    ),
  );
  const warnings: Warning[] = [];
  const seen = new Set<string>();
  for (const w of parts.flatMap((p) => p.warnings)) {
    const key = `${w.feature}\u0000${w.details ?? ''}`;
    if (!seen.has(key)) {
      seen.add(key);
      warnings.push(w);
    }
  }
  return {
    completions: parts.flatMap((p) => p.completions),
    usage: {
      promptTokens: parts.reduce((a, p) => a + p.usage.promptTokens, 0),
      completionTokens: parts.reduce((a, p) => a + p.usage.completionTokens, 0),
    },
    requests: parts.reduce((a, p) => a + p.requests, 0),
    warnings,
  };
}
