/**
 * Seeded randomness. Every random choice in treecot (search tie-breaks, prefill picks,
 * generators, data shuffles, training) goes through `Rng`; never `Math.random`.
 * Backed by pure-rand's xoroshiro128+; `split(key)` derives an independent stream per
 * question or worker, as mctx splits `rng_key`, so one question's randomness does not
 * depend on which other questions run beside it.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/** FNV-1a 32-bit hash of a string; used to derive stream seeds from names. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private readonly generator: ReturnType<typeof xoroshiro128plus>;
  readonly seed: number;

  /** @param seed any integer; the same seed gives the same stream. */
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.generator = xoroshiro128plus(this.seed);
  }

  /** An independent stream for `key` (e.g. a question id); does not advance this one. */
  split(key: string | number): Rng {
    return new Rng(hashString(`${this.seed}:${key}`));
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }

  /** Uniform float in [0, 1), 53-bit. */
  float(): number {
    const hi = uniformInt(this.generator, 0, (1 << 26) - 1);
    const lo = uniformInt(this.generator, 0, (1 << 27) - 1);
    return (hi * 134217728 + lo) / 9007199254740992;
  }

  /** One element of a non-empty array, uniformly. Throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty array');
    return items[this.int(0, items.length - 1)]!;
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Index drawn with probability proportional to `weights[i]` (non-negative, sum > 0). */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new RangeError('Rng.weighted: weights must sum to > 0');
    let r = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}
