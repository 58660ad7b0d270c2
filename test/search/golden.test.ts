/**
 * Golden trees (after mctx `tree_test.py`): seeded searches with a scripted policy, replayed
 * against trees committed under test/search/golden/ together with their config, questions and
 * policy. Comparing one run with another cannot catch a change both share; these files can:
 * any change to selection, expansion, merging, reflection, backup, the stop rule, the random
 * streams or token accounting changes a tree or a count and fails here.
 *
 * When a change is meant to alter search behaviour, regenerate the files on purpose and review
 * the diff in the commit:
 *
 *   UPDATE_GOLDEN=1 node --import tsx --test test/search/golden.test.ts
 *
 * (only the `expected` part of each file is rewritten; config, questions and policy stay).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSearchConfig, runSearch, exportTree, uct, type RunSearchOptions, type SearchSummary } from '../../src/search/index.ts';
import { readRun } from '../../src/store/index.ts';
import type { Problem } from '../../src/tasks/index.ts';
import { hashedLetterCountPolicy, verifyLetterCount, normaliseTree } from './helpers.ts';

const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** One golden file: the inputs of a search and what it must produce. */
interface GoldenCase {
  about: string;
  regenerate: string;
  /** The scripted policy: `hashedLetterCountPolicy` (test/search/helpers.ts) with these options. */
  policy: { kind: 'hashed-letter-count'; pCorrect: number };
  /** A separate special policy (same script, other model id) for `special_model` types, when set. */
  specialPolicy?: { kind: 'hashed-letter-count'; pCorrect: number; modelId: string };
  concurrency: number;
  questions: Problem[];
  /** The search config as `parseSearchConfig` takes it (its `seed` seeds every random stream). */
  config: unknown;
  expected?: { summary: Partial<SearchSummary>; trees: unknown[] };
}

/** Summary fields that depend on the search alone (not on timing, group commits or the config hash). */
const SUMMARY_FIELDS = [
  'questions',
  'finished',
  'solved',
  'gave_up',
  'errored',
  'rollouts',
  'correct_rollouts',
  'nodes',
  'policy_calls',
  'requests',
  'prompt_tokens',
  'completion_tokens',
  'context_exceeded',
  'totals',
] as const;

function searchOptions(golden: GoldenCase, dbPath: string): RunSearchOptions {
  return {
    config: parseSearchConfig(golden.config, 'golden config'),
    task: 'letter-count',
    defaultInstruction: '',
    problems: golden.questions,
    dbPath,
    policy: hashedLetterCountPolicy({ pCorrect: golden.policy.pCorrect }),
    specialPolicy: golden.specialPolicy ? hashedLetterCountPolicy(golden.specialPolicy) : undefined,
    verify: verifyLetterCount,
    concurrency: golden.concurrency,
  };
}

async function replay(
  golden: GoldenCase,
  overrides: Partial<RunSearchOptions> = {},
): Promise<{ summary: Partial<SearchSummary>; trees: unknown[] }> {
  const db = join(mkdtempSync(join(tmpdir(), 'treecot-golden-')), 'run.db');
  const full = await runSearch({ ...searchOptions(golden, db), ...overrides });
  const summary = Object.fromEntries(SUMMARY_FIELDS.map((k) => [k, full[k]])) as Partial<SearchSummary>;
  // Node ids become per-question creation indices (ids interleave across questions in flight).
  const trees = readRun(db).questions.map((q) => normaliseTree(exportTree(q)));
  return JSON.parse(JSON.stringify({ summary, trees })) as { summary: Partial<SearchSummary>; trees: unknown[] };
}

const files = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('at least two golden trees are committed', () => {
  assert.ok(files.length >= 2, `found ${files.join(', ')}`);
});

for (const file of files) {
  const path = join(GOLDEN_DIR, file);
  const golden = JSON.parse(readFileSync(path, 'utf8')) as GoldenCase;

  test(`golden ${file}: the seeded search reproduces the committed trees and counts`, async (t) => {
    const actual = await replay(golden);
    if (UPDATE) {
      writeFileSync(path, `${JSON.stringify({ ...golden, expected: actual }, null, 2)}\n`);
      t.diagnostic(`rewrote ${path}`);
      return;
    }
    assert.ok(golden.expected, `${file} has no expected trees; run: ${golden.regenerate}`);
    assert.deepEqual(actual.summary, golden.expected.summary, `summary differs; if intended, run: ${golden.regenerate}`);
    assert.deepEqual(actual.trees, golden.expected.trees, `trees differ; if intended, run: ${golden.regenerate}`);
  });

  test(`golden ${file}: a different selection rule gives a different tree (the file can catch a change)`, { skip: UPDATE }, async () => {
    const c = parseSearchConfig(golden.config, 'golden config').search.uct_c;
    const changed = await replay(golden, { selectChild: uct(c + 2) });
    assert.notDeepEqual(changed.trees, golden.expected!.trees);
  });
}
