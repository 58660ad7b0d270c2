/**
 * A run whose search left questions stopped on errors is a partial failure (docs/cli.md exit 2): the
 * tiny fixture pipeline runs with the built-in model's policy, except that every call for the first
 * searched question fails (a non-retryable PolicyCallError, as a server's 400 gives), so the real
 * search marks it 'error' after 3 failed iterations and the run goes on with the other 5. Then the
 * real CLI resumes the finished run folder: exit 2, the summary still alone on stdout under --json,
 * and stderr names the question and its error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyCallError } from '../../src/core/errors.ts';
import type { Policy } from '../../src/policy/types.ts';
import { loadPipelineConfig, loadQuestions, openPolicy, runPipeline, searchFailures } from '../../src/pipeline/index.ts';
import { parseJsonLines, treecot } from '../helpers/treecot-cli.ts';
import { fixturePolicy, writePipelineFixture } from './fixture.ts';

const FAILURE = 'scripted failure: the server refused this question (HTTP 400)';

test(
  'questions stopped on errors: searchFailures names them; treecot run exits 2 with the summary on stdout',
  { timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treecot-search-failures-'));
    try {
      const config = writePipelineFixture(dir, { heldoutOnly: true });
      const loaded = loadPipelineConfig(config);
      const failing = loadQuestions(loaded, loaded.config.search.questions, 'search.questions', 'search')[0]!;
      const open = fixturePolicy() ?? openPolicy;
      const out = join(dir, 'run');
      const summary = await runPipeline({
        loaded,
        outDir: out,
        log: () => {},
        openPolicy: async (model) => {
          const policy = await open(model);
          const refusing: Policy = {
            specificationVersion: 'v1',
            provider: policy.provider,
            modelId: policy.modelId,
            doComplete: (options) => {
              if (options.prompt.question === failing.question) throw new PolicyCallError(FAILURE, { status: 400 });
              return policy.doComplete(options);
            },
            close: () => policy.close?.() ?? Promise.resolve(),
          };
          return refusing;
        },
      });
      assert.equal(summary.search[0]!.questions, 6);
      assert.equal(summary.search[0]!.finished, 5, 'the failing question is not finished');
      const failures = searchFailures(summary, out);
      assert.deepEqual(
        failures.map((f) => [f.round, f.questionId]),
        [[1, failing.id]],
      );
      assert.match(failures[0]!.error, /scripted failure/);

      // The CLI resumes the finished folder (every stage skipped) and reports the partial failure.
      const result = await treecot(['run', '--config', config, '--out', out, '--json']);
      assert.equal(result.code, 2, result.stderr);
      const lines = parseJsonLines(result.stdout);
      assert.equal(lines.length, 1);
      assert.equal((lines[0] as { search: { finished: number }[] }).search[0]!.finished, 5);
      assert.match(result.stderr, /1 of 6 searched questions stopped on errors/);
      assert.ok(result.stderr.includes(`round 1 question ${failing.id}: ${FAILURE}`), result.stderr);
      assert.match(result.stderr, /--fresh/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
