/**
 * The one way to build a Policy around other policies (retries, balancing, fan-out, concurrency
 * bounds, the search's shared bound), after vercel/ai `wrapLanguageModel({ model, middleware })`:
 * a wrapper supplies only its `doComplete`; identity, `close` and `stats` are forwarded here, so
 * no wrapper can forget one (a hand-copied forwarder once dropped `close` and the abort check).
 *
 * Forwarding rules, for `inner` = one policy or several (balancing):
 * - `provider` and `modelId` are the first inner policy's;
 * - `close` closes every distinct inner policy that has `close` (absent when none has);
 * - `stats` concatenates the inner policies' stats (absent when none reports any), so the
 *   search can tell "no failed requests" from "this back-end does not count them";
 * - `next` (the call into an inner policy) rejects with the abort reason when the call's signal
 *   is already aborted, so a call that waited in a queue or a backoff never starts after an abort.
 */
import { abortError } from './request-error.ts';
import type { CompleteOptions, CompleteResult, EndpointStats, Policy } from './types.ts';

/** Calls inner policy `index` (default 0) with `options`, after the abort check. */
export type CallInner = (options: CompleteOptions, index?: number) => Promise<CompleteResult>;

/** What a wrapper adds: its own call, given the options and `next` into the wrapped policies. */
export type WrapComplete = (options: CompleteOptions, next: CallInner) => Promise<CompleteResult>;

/**
 * Wrap `inner` (one policy, or a non-empty list of them) so that `doComplete` runs `wrap`.
 * @throws Error when `inner` is an empty list (callers check their own input first).
 */
export function wrapPolicy(inner: Policy | readonly Policy[], wrap: WrapComplete): Policy {
  const policies: readonly Policy[] = Array.isArray(inner) ? inner : [inner as Policy];
  if (policies.length === 0) throw new Error('wrapPolicy: no policy to wrap');
  const distinct = [...new Set(policies)];
  const next: CallInner = async (options, index = 0) => {
    if (options.signal?.aborted) throw abortError(options.signal);
    return policies[index]!.doComplete(options);
  };
  const closers = distinct.filter((p) => p.close !== undefined);
  const reporters = distinct.filter((p) => p.stats !== undefined);
  return {
    specificationVersion: 'v1',
    provider: policies[0]!.provider,
    modelId: policies[0]!.modelId,
    doComplete: (options) => wrap(options, next),
    ...(closers.length > 0 && {
      async close(): Promise<void> {
        await Promise.all(closers.map((p) => p.close!()));
      },
    }),
    ...(reporters.length > 0 && {
      stats(): EndpointStats[] {
        return reporters.flatMap((p) => p.stats!());
      },
    }),
  };
}
