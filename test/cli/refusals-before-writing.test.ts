/**
 * Issue 15 items 8, 10, 11: a refused pipeline config claims no run folder; `--new-run` also
 * covers a changed question text (and the refusal without it says so truthfully); a
 * pipeline name cannot lead the default run folder outside runs/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipelineConfig, runPipeline } from '../../src/pipeline/index.ts';
import { runSearch } from '../../src/search/index.ts';
import { readRun, SearchStore } from '../../src/store/index.ts';
import { writePipelineFixture } from '../pipeline/fixture.ts';
import { crashTestConfig } from '../search/fixtures/crash-config.ts';
import { treecot } from '../helpers/treecot-cli.ts';
import { hashedLetterCountPolicy, letterCountTask, verifyLetterCount, LETTER_COUNT_DATA } from '../search/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-refusals-'));

test('run: a config refused for a missing search config or questions file writes no pipeline.json, so the fixed config is accepted', async () => {
  const file = writePipelineFixture(dir);
  for (const broken of [
    (c: ReturnType<typeof loadPipelineConfig>['config']) => void (c.search.config = join(dir, 'no-such-search.yaml')),
    (c: ReturnType<typeof loadPipelineConfig>['config']) =>
      void (c.search.questions = { file: join(dir, 'no-such-questions.jsonl') } as never),
  ]) {
    const loaded = loadPipelineConfig(file);
    broken(loaded.config);
    const out = join(dir, `run-${Math.random().toString(36).slice(2)}`);
    await assert.rejects(runPipeline({ loaded, outDir: out, log: () => {} }), /no-such-/);
    assert.ok(!existsSync(join(out, 'pipeline.json')), 'the refused config did not claim the folder');
  }
});

test('run: a pipeline name that leaves runs/ is refused without --out', async () => {
  const file = writePipelineFixture(dir);
  const text = readFileSync(file, 'utf8');
  const escaped = join(dir, 'escape.json');
  const target = `treecot-escape-${process.pid}`;
  writeFileSync(escaped, text.replace(/"name":\s*"tiny"/, `"name": "../../${target}"`).replace(/^name: tiny$/m, `name: ../../${target}`));
  const result = await treecot(['run', '--config', escaped], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`escape\\.json field "name": "\\.\\./\\.\\./${target}" is not a plain folder name`));
  assert.ok(!existsSync(join(dir, '..', target)) && !existsSync(join(dir, 'runs')));
});

test(
  'search --new-run covers a changed question text; without it the refusal names the question and --new-run',
  { timeout: 60_000 },
  async () => {
    const db = join(dir, 'new-run.db');
    const problems = letterCountTask.load(LETTER_COUNT_DATA).slice(0, 2);
    const options = {
      config: crashTestConfig(),
      task: 'letter-count',
      defaultInstruction: letterCountTask.defaultInstruction,
      dbPath: db,
      policy: hashedLetterCountPolicy(),
      verify: verifyLetterCount,
    };
    await runSearch({ ...options, problems });
    const changed = [{ ...problems[0]!, question: `${problems[0]!.question} ` }, problems[1]!];
    await assert.rejects(
      runSearch({ ...options, problems: changed }),
      new RegExp(`question "${problems[0]!.id}" is stored with a different text or reference .*use --new-run`),
    );
    const summary = await runSearch({ ...options, problems: changed, newRun: true });
    assert.equal(summary.finished, 2);
    const store = SearchStore.open(db, { readonly: true });
    assert.equal(store.runs().length, 2, 'a second run in the file');
    store.close();
    assert.equal(readRun(db).questions[0]!.question, changed[0]!.question);
    assert.equal(readRun(db, { runId: 1 }).questions[0]!.question, problems[0]!.question, 'the first run is kept');
  },
);

test('eval: --mcts-rollouts and --mcts-temperature without --mcts-decode are refused with the flag named', async () => {
  for (const [flag, value] of [
    ['--mcts-temperature', '0.3'],
    ['--mcts-rollouts', '8'],
  ]) {
    const out = join(dir, `eval-${flag.slice(2)}`);
    const args = [
      'eval',
      '--task',
      'letter-count',
      '--data',
      LETTER_COUNT_DATA,
      '--gguf',
      'models/student.gguf',
      '--out',
      out,
      flag,
      value,
    ];
    const refused = await treecot(args);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`field "${flag}": ${flag} sets the MCTS decode; add --mcts-decode`));
    assert.ok(!existsSync(out), 'nothing was written');
  }
});
