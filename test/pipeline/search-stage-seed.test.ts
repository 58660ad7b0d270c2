import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSearchStage } from '../../src/pipeline/adapters.ts';
import { readRun } from '../../src/store/index.ts';
import { hashedLetterCountPolicy, letterCountTask, LETTER_COUNT_DATA } from '../search/helpers.ts';

/** The sampling seeds a round's search sends to the policy, and the seed stored with its run. */
async function roundSeeds(seed: number): Promise<{ stored: unknown; callSeeds: (number | undefined)[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-round-seed-'));
  const policy = hashedLetterCountPolicy({ pCorrect: 0.5 });
  const dbPath = join(dir, 'run.db');
  await runSearchStage({
    searchConfigPath: 'configs/letter-count.yaml',
    maxRollouts: 2,
    taskName: 'letter-count',
    problems: letterCountTask.load(LETTER_COUNT_DATA).slice(0, 2),
    policy,
    dbPath,
    concurrency: 1,
    seed,
    log: () => {},
  });
  return { stored: (readRun(dbPath).run.config as { seed: number }).seed, callSeeds: policy.calls.map((c) => c.seed) };
}

test("runSearchStage searches with the round's seed, not the search config's (config seed 0)", async () => {
  const round1 = await roundSeeds(0);
  const round2 = await roundSeeds(1);
  const round2Again = await roundSeeds(1);
  assert.equal(round1.stored, 0);
  assert.equal(round2.stored, 1);
  assert.notDeepEqual(round2.callSeeds, round1.callSeeds, 'round 2 drew the same sampling seeds as round 1');
  assert.deepEqual(round2Again.callSeeds, round2.callSeeds, 'the same round seed gives the same search');
});
