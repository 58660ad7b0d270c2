/**
 * Safe resumes of `eval --out DIR`: a partial evaluation stores its settings (settings.json, with a
 * hash); resuming with other settings (temperature, samples, instruction, model template) is refused
 * with the differing fields named and the partial file untouched; resuming with the same settings
 * reports "N of M done"; summary.json records what produced it (treecot version, policy identity,
 * template and its source, sampling, seed) and the settings hash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/index.ts';
import { evaluate } from '../../src/eval/index.ts';
import { openPolicy } from '../../src/pipeline/index.ts';
import { generateLetterCountProblems, getTask, letterCountTrace, parseLetterCountQuestion } from '../../src/tasks/index.ts';
import type { Policy } from '../../src/policy/types.ts';
import { startOpenAITestServer, type GenerationRequest } from '../helpers/openai-server.ts';

const task = getTask('letter-count');
const problems = generateLetterCountProblems({
  words: ['navigant', 'subsensual', 'lipstick', 'brocaded', 'harttite', 'captivation'],
  count: 8,
  seed: 5,
  idPrefix: 's',
});

function responder(request: GenerationRequest): string[] {
  const problem = problems.find((p) => request.prompt.includes(p.question));
  return Array.from({ length: request.choices }, () => (problem ? letterCountTrace(parseLetterCountQuestion(problem.question)!) : 'ok'));
}

test('eval --out: a resume with other settings is refused by name; the same settings resume and are recorded', async () => {
  const server = await startOpenAITestServer({ responder, models: ['scripted-lc'] });
  try {
    const inner = await openPolicy({ kind: 'http', urls: [server.baseURL], chatTemplate: 'chatml' });
    let calls = 0;
    const failing: Policy = {
      ...inner,
      doComplete: async (o) => (++calls > 3 ? Promise.reject(new Error('killed')) : inner.doComplete(o)),
    };
    const dir = mkdtempSync(join(tmpdir(), 'treecot-eval-settings-'));
    const common = {
      name: 'r',
      task,
      problems,
      instruction: '',
      n: 2,
      temperature: 0.7,
      maxTokens: 64,
      k: [1],
      seed: 1,
      outDir: dir,
      dataLabel: 'gen',
    };
    await assert.rejects(evaluate({ ...common, policy: failing }), /killed/);
    const partial = readFileSync(join(dir, 'questions.partial.jsonl'), 'utf8');
    assert.equal(partial.trim().split('\n').length, 3);

    const changes: [Partial<typeof common> & { reflectionTag?: string }, string][] = [
      [{ temperature: 0 }, 'temperature'],
      [{ n: 4, k: [1] }, 'samples_per_question'],
      [{ instruction: 'Count. ' }, 'instruction'],
      // Counting another reflection tag would mix two marker counts in one file.
      [{ reflectionTag: 'rethink' }, 'reflection_tag'],
    ];
    for (const [changed, field] of changes) {
      await assert.rejects(evaluate({ ...common, ...changed, policy: inner }), (error: unknown) => {
        assert.ok(ConfigError.isInstance(error), String(error));
        const message = (error as Error).message;
        assert.ok(message.includes(join(dir, 'settings.json')) && message.includes(field) && message.includes('would mix'), message);
        return true;
      });
    }
    const llama3 = await openPolicy({ kind: 'http', urls: [server.baseURL], chatTemplate: 'llama3' });
    await assert.rejects(evaluate({ ...common, policy: llama3 }), /field "policy".*"template":"chatml"/);
    assert.equal(readFileSync(join(dir, 'questions.partial.jsonl'), 'utf8'), partial, 'a refused resume must not touch the partial file');

    const resumedAt: [number, number][] = [];
    const resumed = await evaluate({ ...common, policy: inner, onResume: (done, total) => resumedAt.push([done, total]) });
    assert.deepEqual(resumedAt, [[3, 8]]);
    const stored = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.deepEqual(summary, JSON.parse(JSON.stringify(resumed.summary)));
    assert.equal(summary.produced_by.settings_hash, stored.settings_hash);
    assert.equal(
      summary.produced_by.treecot.version,
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version,
    );
    assert.equal(summary.produced_by.decode, 'sample');
    assert.deepEqual(summary.produced_by.settings.policy, {
      provider: 'openai-compatible',
      model: 'scripted-lc',
      mode: 'completions',
      template: 'chatml',
      templateSource: '--template',
    });
    assert.equal(summary.produced_by.settings.temperature, 0.7);
    assert.equal(summary.produced_by.settings.seed, 1);
    assert.equal(summary.produced_by.settings.instruction, '');
  } finally {
    await server.close();
  }
});
