/**
 * Thoughts Length Balance (METHOD.md section 2): correct paths are ranked by length *within
 * their question* and split into short / medium / long by relative rank (no fixed token
 * thresholds, since length depends on difficulty). The paper trains SFT on the longest
 * correct paths and uses the shortest correct paths as DPO `chosen`.
 */
import type { Rng } from '../core/rng.ts';
import type { LengthBin, TreePath } from './types.ts';

/** A correct path with its place in the question's length order. */
export interface RankedPath {
  path: TreePath;
  /** 0-based rank by length (0 = shortest); ties by answer node id. */
  rank: number;
  /** Number of distinct correct paths of the question. */
  count: number;
  bin: LengthBin;
}

/** How SFT paths are picked per question. */
export const SFT_STRATEGIES = ['longest', 'shortest', 'medium', 'all', 'random'] as const;
export type SftStrategy = (typeof SFT_STRATEGIES)[number];

/**
 * Length class of rank `rank` among `count` paths: thirds of the rank range, taken at the rank's
 * centre, `floor(3 * (rank + 0.5) / count)` -> 0 short, 1 medium, 2 long. So 1 path is medium,
 * 2 paths are short + long, 3 paths are one of each, 4 paths are 1 / 2 / 1.
 * Our choice: the paper only says "short / medium / long by relative rank".
 */
export function lengthBinOf(rank: number, count: number): LengthBin {
  if (!(count > 0) || rank < 0 || rank >= count) throw new RangeError(`lengthBinOf: rank ${rank} outside [0, ${count})`);
  const third = Math.floor((3 * (rank + 0.5)) / count);
  return third === 0 ? 'short' : third === 1 ? 'medium' : 'long';
}

/** Drop paths whose response text equals an earlier one (lowest answer node id kept). */
export function dropDuplicateResponses(paths: readonly TreePath[]): TreePath[] {
  const seen = new Set<string>();
  const out: TreePath[] = [];
  for (const path of [...paths].sort((a, b) => answerId(a) - answerId(b))) {
    if (seen.has(path.response)) continue;
    seen.add(path.response);
    out.push(path);
  }
  return out;
}

function answerId(path: TreePath): number {
  return path.nodeIds[path.nodeIds.length - 1]!;
}

/**
 * Rank the correct paths of one question by length (ascending; ties by answer node id) after
 * removing exact-duplicate responses.
 */
export function rankCorrectPaths(correctPaths: readonly TreePath[]): RankedPath[] {
  const distinct = dropDuplicateResponses(correctPaths).sort((a, b) => a.length - b.length || answerId(a) - answerId(b));
  return distinct.map((path, rank) => ({ path, rank, count: distinct.length, bin: lengthBinOf(rank, distinct.length) }));
}

/**
 * Order in which a question's ranked paths are offered for SFT under `strategy`:
 * longest first (`longest`, `all`), shortest first (`shortest`), closest to the median rank
 * first (`medium`), or a seeded shuffle (`random`).
 */
export function sftPreferenceOrder(ranked: readonly RankedPath[], strategy: SftStrategy, rng: Rng): RankedPath[] {
  switch (strategy) {
    case 'longest':
    case 'all':
      return [...ranked].reverse();
    case 'shortest':
      return [...ranked];
    case 'medium': {
      const centre = (ranked.length - 1) / 2;
      return [...ranked].sort((a, b) => Math.abs(a.rank - centre) - Math.abs(b.rank - centre) || a.rank - b.rank);
    }
    case 'random':
      return rng.shuffle(ranked);
  }
}

/**
 * Paths selected for SFT from one question: the first `perQuestion` of the preference order.
 * `perQuestion` defaults to 1, or to every path for `all`.
 */
export function selectSftPaths(ranked: readonly RankedPath[], strategy: SftStrategy, rng: Rng, perQuestion?: number): RankedPath[] {
  const cap = perQuestion ?? (strategy === 'all' ? Infinity : 1);
  return sftPreferenceOrder(ranked, strategy, rng).slice(0, cap);
}
