/**
 * The search summary's two scopes after a resume: `rollouts`, `nodes_created` and the token
 * counts are this invocation's; `totals` (and `nodes`, `finished`, ...) are what the SQLite
 * file holds for the selected questions over every invocation; `resumed` says which case it is.
 * Counts are checked against plain SQL on the database file, not against the code under test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadSearchConfig, runSearch, type SearchConfig } from '../../src/search/index.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from './helpers.ts';

const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), 'treecot-summary-')), name);
const problems = letterCountTask.load(LETTER_COUNT_DATA).slice(0, 4);

function smallConfig(): SearchConfig {
  const { config } = loadSearchConfig('configs/letter-count.yaml');
  return { ...config, search: { ...config.search, max_rollouts: 5, reward_thresholds: [2, 3] as [number, number] } };
}

/** Whole-file counts straight from SQLite (optionally for some question ids only). */
function stored(db: string, ids?: string[]) {
  const conn = new Database(db, { readonly: true });
  try {
    const where = ids ? `WHERE question_id IN (${ids.map(() => '?').join(', ')})` : '';
    const args = ids ?? [];
    const r = conn.prepare(`SELECT count(*) AS n, coalesce(sum(reward > 0), 0) AS correct FROM rollouts ${where}`).get(...args) as {
      n: number;
      correct: number;
    };
    const n = conn
      .prepare(`SELECT count(*) AS n, coalesce(sum(prompt_tokens), 0) AS p, coalesce(sum(completion_tokens), 0) AS c FROM nodes ${where}`)
      .get(...args) as { n: number; p: number; c: number };
    return { rollouts: r.n, correct_rollouts: r.correct, nodes: n.n, prompt_tokens: n.p, completion_tokens: n.c };
  } finally {
    conn.close();
  }
}

const base = (db: string) => ({
  config: smallConfig(),
  task: 'letter-count',
  defaultInstruction: letterCountTask.defaultInstruction,
  problems,
  dbPath: db,
  policy: hashedLetterCountPolicy(),
  verify: verifyLetterCount,
  concurrency: 2,
});

test('summary after a resume: totals come from the database (all sessions), rollouts and tokens are this session only, resumed says which', async () => {
  const db = tmp('limit.db');
  // Session 1 stops part-way through the data: only the first 2 of 4 questions.
  const first = await runSearch({ ...base(db), limit: 2 });
  assert.equal(first.resumed, false, 'a fresh file is not a resume');
  assert.equal(first.questions, 2);
  assert.equal(first.finished, 2);
  const afterFirst = stored(db);
  assert.ok(afterFirst.rollouts > 0);
  // First run: both scopes agree, and both agree with the file.
  assert.deepEqual(first.totals, afterFirst);
  assert.equal(first.rollouts, afterFirst.rollouts);
  assert.equal(first.nodes_created, afterFirst.nodes);
  assert.equal(first.prompt_tokens, afterFirst.prompt_tokens);
  // verdicts by deciding rule: one count per judged answer node of this session, keyed `verdict: rule`
  const judged = new Database(db, { readonly: true }).prepare('SELECT count(*) AS n FROM nodes WHERE verdict IS NOT NULL').get() as {
    n: number;
  };
  assert.equal(
    Object.values(first.verdicts_by_rule).reduce((a, b) => a + b, 0),
    judged.n,
  );
  for (const key of Object.keys(first.verdicts_by_rule))
    assert.match(key, /^(correct|wrong|no_answer|timeout): (integer|not an integer|no-answer)$/);

  // Session 2: the same command without the limit resumes (2 done, 2 new).
  const second = await runSearch(base(db));
  const afterSecond = stored(db);
  assert.equal(second.resumed, true);
  assert.equal(second.skipped, 2);
  assert.equal(second.finished, 4, 'finished counts the stored state');
  assert.deepEqual(second.totals, afterSecond, 'totals = what the database holds for the selected questions');
  assert.equal(second.totals.rollouts, first.rollouts + second.rollouts, 'totals = session 1 + session 2');
  assert.equal(second.totals.correct_rollouts, first.correct_rollouts + second.correct_rollouts);
  assert.equal(second.rollouts, afterSecond.rollouts - afterFirst.rollouts, 'rollouts = this session only');
  assert.ok(second.rollouts > 0 && second.rollouts < second.totals.rollouts);
  assert.equal(second.nodes, afterSecond.nodes, 'nodes is the stored count');
  assert.equal(second.nodes, first.nodes_created + second.nodes_created);
  assert.equal(second.prompt_tokens, afterSecond.prompt_tokens - afterFirst.prompt_tokens, 'tokens = this session only');
  assert.equal(second.completion_tokens, afterSecond.completion_tokens - afterFirst.completion_tokens);
  assert.equal(second.totals.prompt_tokens, first.prompt_tokens + second.prompt_tokens);

  // Session 3: nothing left; still a resume, no work, totals unchanged.
  const third = await runSearch(base(db));
  assert.equal(third.resumed, true);
  assert.equal(third.rollouts, 0);
  assert.equal(third.prompt_tokens, 0);
  assert.deepEqual(third.totals, afterSecond);
});

test('summary after an interrupted session: resumed from stored nodes alone; totals = stored before + this session', async () => {
  const db = tmp('interrupted.db');
  const controller = new AbortController();
  await assert.rejects(
    runSearch({
      ...base(db),
      problems: problems.slice(0, 2),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.counters.rollouts >= 2) controller.abort(new Error('stop'));
      },
    }),
    /stop/,
  );
  const before = stored(db);
  assert.ok(before.rollouts >= 2 && before.nodes > 0);
  const resumed = await runSearch({ ...base(db), problems: problems.slice(0, 2) });
  const after = stored(db);
  assert.equal(resumed.resumed, true, 'stored nodes make it a resume even when no question was done');
  assert.deepEqual(resumed.totals, after);
  assert.equal(resumed.totals.rollouts, before.rollouts + resumed.rollouts);
  assert.equal(resumed.rollouts, after.rollouts - before.rollouts);
  assert.ok(resumed.rollouts < resumed.totals.rollouts);
});

test('totals and resumed cover the selected questions only, not the rest of the file', async () => {
  const db = tmp('shards.db');
  const even = await runSearch({ ...base(db), shard: { index: 0, count: 2 } });
  assert.equal(even.resumed, false);
  const odd = await runSearch({ ...base(db), shard: { index: 1, count: 2 } });
  assert.equal(odd.resumed, false, 'work on other questions in the file is not a resume of these');
  const oddIds = [problems[1]!.id, problems[3]!.id];
  assert.deepEqual(odd.totals, stored(db, oddIds));
  assert.equal(odd.totals.rollouts, odd.rollouts);
  assert.equal(stored(db).rollouts, even.rollouts + odd.rollouts, 'the file holds both shards');
  assert.ok(odd.totals.rollouts < stored(db).rollouts);
});
