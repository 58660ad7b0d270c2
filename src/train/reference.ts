/**
 * Reference-model log-probs for preference training: computed once with the frozen reference
 * model (the starting policy) and cached on disk, keyed by a SHA-256 of the reference
 * parameters, every pair's tokens and prefix length, and the masking/normalisation flags
 * (TRL's `precompute_ref_log_probs`, made persistent).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.ts';
import { bucketByLength, preferenceMicroBatch, targetLength, assignToWorkers, type EncodedPair, type MicroBatch } from './batching.ts';
import type { GradientEngine } from './engine.ts';

export interface ReferenceOptions {
  maskPrefix: boolean;
  lengthNormalize: boolean;
  /** Pairs per forward micro-batch. */
  batch: number;
  /** Cache folder; undefined = no cache. */
  cacheDir?: string;
}

/** Cache key of the reference log-probs (hex SHA-256). */
export function referenceCacheKey(params: Float32Array, pairs: readonly EncodedPair[], options: ReferenceOptions): string {
  const h = createHash('sha256');
  h.update(`v1 mask=${options.maskPrefix} norm=${options.lengthNormalize} n=${pairs.length}\n`);
  h.update(Buffer.from(params.buffer, params.byteOffset, params.byteLength));
  for (const p of pairs) {
    h.update(Buffer.from(p.chosen.tokens.buffer, p.chosen.tokens.byteOffset, p.chosen.tokens.byteLength));
    h.update(Buffer.from(p.rejected.tokens.buffer, p.rejected.tokens.byteOffset, p.rejected.tokens.byteLength));
    h.update(`|${p.chosen.responseStart},${p.rejected.responseStart},${p.prefixTokens}\n`);
  }
  return h.digest('hex');
}

/**
 * Reference sequence log-probs of every pair: Float32Array [2 * pairs], chosen of pair i at 2i,
 * rejected at 2i + 1. Reads the cache when present; otherwise computes and writes it.
 */
export async function referenceLogps(
  engine: GradientEngine,
  params: Float32Array,
  pairs: readonly EncodedPair[],
  options: ReferenceOptions,
): Promise<{ logps: Float32Array; cached: boolean; key: string }> {
  const key = referenceCacheKey(params, pairs, options);
  const file = options.cacheDir ? join(options.cacheDir, `${key}.f32`) : undefined;
  if (file && existsSync(file)) {
    const buf = readFileSync(file);
    if (buf.length === pairs.length * 8)
      return { logps: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)), cached: true, key };
  }
  const groups = bucketByLength(
    pairs.map((p) => Math.max(targetLength(p.chosen), targetLength(p.rejected))),
    options.batch,
  );
  const owner = new Map<MicroBatch, number[]>();
  const batches = groups.map((g) => {
    const mb = preferenceMicroBatch(
      g.map((i) => pairs[i]!),
      {
        beta: 1,
        lossType: 'sigmoid',
        labelSmoothing: 0,
        maskPrefix: options.maskPrefix,
        lengthNormalize: options.lengthNormalize,
        pairWeight: 0,
        sftWeight: 0,
        sftTokenWeight: 0,
      },
    );
    owner.set(mb, g);
    return mb;
  });
  const queues = assignToWorkers(batches, engine.workers);
  const results = await engine.sequenceLogProbs(params, queues);
  const logps = new Float32Array(pairs.length * 2);
  queues.flat().forEach((mb, k) => {
    const g = owner.get(mb)!;
    const r = results[k]!;
    g.forEach((pairIndex, j) => {
      logps[2 * pairIndex] = r[j]!;
      logps[2 * pairIndex + 1] = r[g.length + j]!;
    });
  });
  if (file) writeFileAtomic(file, new Uint8Array(logps.buffer));
  return { logps, cached: false, key };
}
