/**
 * The search's global request bound is a policy wrapper like the others (wrapPolicy): a call
 * still queued for a slot when the search is aborted never reaches the policy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSearchConfig, runSearch } from '../../src/search/index.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from './helpers.ts';

test('abort: calls queued behind the shared bound are not sent; the one in flight is the only call made', async () => {
  const policy = hashedLetterCountPolicy({ latencyMs: 300 });
  const controller = new AbortController();
  const search = runSearch({
    config: loadSearchConfig('configs/letter-count.yaml').config,
    task: 'letter-count',
    defaultInstruction: '',
    problems: letterCountTask.load(LETTER_COUNT_DATA).slice(0, 4),
    dbPath: join(mkdtempSync(join(tmpdir(), 'treecot-bound-')), 'run.db'),
    policy,
    verify: verifyLetterCount,
    concurrency: 1,
    questionsInFlight: 4,
    signal: controller.signal,
  });
  // Four root expansions wait for the one slot; abort as soon as the first call is in flight.
  const watch = setInterval(() => {
    if (policy.callCount === 0) return;
    clearInterval(watch);
    controller.abort(new Error('stopped by the test'));
  }, 1);
  await assert.rejects(search, /stopped by the test/);
  assert.equal(policy.callCount, 1);
});
