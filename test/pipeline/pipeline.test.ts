import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRecords, rateWithError, withError, type EvalQuestionRecord, type EvalSummary } from '../../src/eval/index.ts';
import { loadPipelineConfig, loadQuestions, runPipeline, STAGE_MARKER, type RunSummary } from '../../src/pipeline/index.ts';
import { getTask } from '../../src/tasks/index.ts';
import { readRun } from '../../src/store/index.ts';
import { CharTokenizer, exportGguf, LlamaModel, loadGguf, parseInitSpec } from '../../src/train/index.ts';
import { policyFormatOf } from '../../src/train/builtin/index.ts';
import { fixturePolicy, writePipelineFixture } from './fixture.ts';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const jsonl = <T>(file: string) => lines(file).map((l) => JSON.parse(l) as T);
const json = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The numbers of a model stage that must not depend on the run folder (paths and wall times left out). */
function numbers(summary: RunSummary): unknown {
  return {
    stages: summary.stages.map((s) => ({ stage: s.stage, sets: s.sets.map((x) => ({ ...x, questions_file: undefined })) })),
    search: summary.search.map((s) => ({ ...s, wall_s: undefined })),
    data: summary.data.map((d) => ({ ...d, dir: undefined })),
    train: summary.train.map((t) => ({ stage: t.stage, steps: t.steps, final_loss: t.final_loss })),
  };
}

let uninterrupted: RunSummary | undefined;

test('a tiny pipeline writes every artefact and they agree with each other', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-pipeline-'));
  const out = join(dir, 'run');
  const log: string[] = [];
  const summary = await runPipeline({
    loaded: loadPipelineConfig(writePipelineFixture(dir)),
    outDir: out,
    log: (l) => log.push(l),
    openPolicy: fixturePolicy(),
  });
  uninterrupted = summary;
  // summary.json says which treecot wrote it; each evaluation's summary.json records its settings.
  assert.equal(summary.produced_by?.treecot.version, JSON.parse(readFileSync('package.json', 'utf8')).version);
  const evalSummary = JSON.parse(readFileSync(join(out, 'eval', 'base', 'heldout', 'summary.json'), 'utf8'));
  assert.equal(typeof evalSummary.produced_by.settings_hash, 'string');
  assert.equal(evalSummary.produced_by.settings.samples_per_question, evalSummary.samples_per_question);

  // Every artefact exists, each stage folder with its completion marker.
  const stageDirs = [
    'round-1/search',
    'round-1/data',
    'round-1/sft',
    'round-1/final',
    ...['base', 'sft', 'final'].flatMap((s) => [`eval/${s}/heldout`, `eval/${s}/file`]),
  ];
  for (const d of stageDirs) assert.ok(existsSync(join(out, d, STAGE_MARKER)), `${d} has no completion marker`);
  for (const f of [
    'pipeline.json',
    'summary.json',
    'report.md',
    'report.html',
    'round-1/search/run.db',
    'round-1/data/sft.jsonl',
    'round-1/data/dpo.jsonl',
    'round-1/data/stats.json',
    'round-1/data/card.md',
    'round-1/sft/model.gguf',
    'round-1/final/model.gguf',
  ]) {
    assert.ok(existsSync(join(out, f)), `missing ${f}`);
  }
  assert.deepEqual(json<RunSummary>(join(out, 'summary.json')), summary);

  // Search statistics equal the store.
  const { questions } = readRun(join(out, 'round-1/search/run.db'));
  const search = summary.search[0]!;
  assert.equal(search.questions, 6);
  assert.equal(
    search.rollouts,
    questions.reduce((s, q) => s + q.rollouts, 0),
  );
  assert.equal(
    search.nodes,
    questions.reduce((s, q) => s + q.nodes.length, 0),
  );
  assert.equal(search.solved, questions.filter((q) => q.correctRollouts > 0).length);
  assert.deepEqual(
    search.rollouts_per_question,
    questions.map((q) => q.rollouts),
  );

  // The data card's counts match the rows, the stats and the summary.
  const data = join(out, 'round-1/data');
  const sftRows = lines(join(data, 'sft.jsonl')).length;
  const dpoRows = lines(join(data, 'dpo.jsonl')).length;
  assert.ok(sftRows > 0 && dpoRows > 0, 'the search produced no training data');
  const card = readFileSync(join(data, 'card.md'), 'utf8');
  assert.match(card, new RegExp(`\\| sft \\| ${sftRows} \\|`));
  assert.match(card, new RegExp(`\\| dpo \\| ${dpoRows} \\|`));
  const stats = json<{ splits: { sft: number; dpo: number } }>(join(data, 'stats.json'));
  assert.deepEqual(stats.splits, { sft: sftRows, dpo: dpoRows });
  assert.equal(summary.data[0]!.sft_rows, sftRows);
  assert.equal(summary.data[0]!.dpo_pairs, dpoRows);

  // Training ran the configured steps from the previous model and wrote new weights.
  assert.deepEqual(
    summary.train.map((t) => [t.stage, t.steps]),
    [
      ['sft', 3],
      ['final', 3],
    ],
  );
  assert.equal(lines(join(out, 'round-1/sft/train-log.jsonl')).length, 3);
  // The SFT model was trained (and written) with the 256-token context of `train.context`.
  assert.equal(
    loadGguf(join(out, 'round-1/sft/model.gguf')).model.config.context,
    Math.max(256, loadGguf(summary.stages[0]!.model).model.config.context),
  );
  const base = readFileSync(summary.stages[0]!.model);
  assert.ok(!base.equals(readFileSync(join(out, 'round-1/sft/model.gguf'))));
  assert.ok(!readFileSync(join(out, 'round-1/sft/model.gguf')).equals(readFileSync(join(out, 'round-1/final/model.gguf'))));

  // The report's numbers are the evaluation JSONL's numbers.
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.deepEqual(
    summary.stages.map((s) => s.stage),
    ['base', 'sft', 'final'],
  );
  for (const stage of summary.stages) {
    assert.equal(stage.set, 'heldout');
    for (const set of stage.sets) {
      const records = jsonl<EvalQuestionRecord>(join(out, set.questions_file));
      const samples = records.flatMap((r) => r.samples);
      assert.equal(set.n, set.set === 'heldout' ? 12 : 8);
      assert.equal(records.length, set.n);
      assert.equal(set.accuracy, samples.filter((s) => s.verdict === 'correct').length / samples.length);
      assert.equal(set.no_answer_rate, samples.filter((s) => s.verdict === 'no_answer').length / samples.length);
      const evalSummary = json<EvalSummary>(join(out, 'eval', stage.stage, set.set, 'summary.json'));
      assert.equal(evalSummary.accuracy, set.accuracy);
      // Standard errors over questions and the paired change against the base, from the same JSONL.
      const shares = records.map((r) => r.samples.filter((s) => s.verdict === 'correct').length / r.samples.length);
      assert.deepEqual([set.accuracy_se, set.accuracy_ci95], [rateWithError(shares).se, rateWithError(shares).ci95]);
      if (stage.stage === 'base') assert.equal(set.vs_base, undefined);
      else {
        const baseSet = summary.stages[0]!.sets.find((x) => x.set === set.set)!;
        assert.deepEqual(set.vs_base, compareRecords(jsonl<EvalQuestionRecord>(join(out, baseSet.questions_file)), records));
      }
      const acc = withError(set.accuracy, set.accuracy_se, set.accuracy_ci95);
      const noAnswer = withError(set.no_answer_rate, set.no_answer_rate_se, set.no_answer_rate_ci95);
      const row = md.split('\n').find((l) => l.startsWith(`| ${stage.stage} |`))!;
      assert.ok(row.includes(`| ${acc} | ${noAnswer} |`), `report.md row ${row} lacks ${set.set}'s numbers`);
      assert.ok(html.includes(`<td>${acc}</td><td>${noAnswer}</td>`));
    }
    assert.equal(stage.accuracy, stage.sets[0]!.accuracy);
  }
  // Self-contained HTML with inline SVG plots: per-set accuracy, steps, rollouts, lengths.
  assert.ok(!/<script|<link|src=/.test(html));
  assert.ok((html.match(/<svg /g) ?? []).length >= 5);
  assert.ok(log.some((l) => l.includes('eval base/heldout: accuracy')));
});

test('an interrupted run (kill -9 during SFT training) resumes at the interrupted stage and ends as an uninterrupted run', async (t) => {
  if (!uninterrupted) return t.skip('needs the first test');
  const dir = mkdtempSync(join(tmpdir(), 'treecot-pipeline-kill-'));
  const config = writePipelineFixture(dir);
  const out = join(dir, 'run');
  const runChild = (killOn?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/pipeline/run-fixture-child.ts', config, out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (killOn && stdout.includes(killOn)) child.kill('SIGKILL');
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code, signal) =>
        killOn
          ? signal === 'SIGKILL'
            ? resolve(stdout)
            : reject(new Error(`not killed: ${code}\n${stdout}${stderr}`))
          : code === 0
            ? resolve(stdout)
            : reject(new Error(`exit ${code}\n${stderr}`)),
      );
    });
  const first = await runChild('[train SFT] started');
  assert.ok(!first.includes('[train SFT] finished'));
  assert.ok(!existsSync(join(out, 'round-1/sft', STAGE_MARKER)));
  const nodesBefore = readRun(join(out, 'round-1/search/run.db')).questions.reduce((s, q) => s + q.nodes.length, 0);

  const second = await runChild();
  for (const done of ['eval base/heldout', 'eval base/file', 'search round 1', 'build round 1'])
    assert.match(second, new RegExp(`\\[${done}\\] done earlier`));
  assert.match(second, /\[train SFT\] started/);
  assert.doesNotMatch(second, /\[search round 1\] started/);
  assert.equal(
    readRun(join(out, 'round-1/search/run.db')).questions.reduce((s, q) => s + q.nodes.length, 0),
    nodesBefore,
  );
  const resumed = json<RunSummary>(join(out, 'summary.json'));
  assert.deepEqual(numbers(resumed), numbers(uninterrupted));

  // A third run finds everything done and only rewrites the report.
  const third = await runChild();
  assert.doesNotMatch(third, /\] started/);
});

test('two models: the policy searches, the student is the evaluated and trained base, the long-CoT baseline trains it too, the policy is evaluated last', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-pipeline-two-'));
  const student = join(dir, 'student.gguf');
  const tokenizer = new CharTokenizer();
  // A different (tiny, random) architecture, so the trained models show whose weights they started from.
  exportGguf(LlamaModel.init(parseInitSpec('L1-d16-h2-c512', tokenizer.vocabSize), 5), student, { tokenizer });
  const out = join(dir, 'run');
  const log: string[] = [];
  const loaded = loadPipelineConfig(writePipelineFixture(dir, { student, heldoutOnly: true, longCot: true, maskFailedAttempts: true }));
  const policyPath = loaded.config.policy.gguf!;
  const summary = await runPipeline({ loaded, outDir: out, log: (l) => log.push(l), openPolicy: fixturePolicy() });
  assert.deepEqual(
    summary.stages.map((s) => [s.stage, s.model]),
    [
      ['base', student],
      ['sft', join(out, 'round-1/sft/model.gguf')],
      ['final', join(out, 'round-1/final/model.gguf')],
      ['long-cot', join(out, 'baselines/long-cot/model/model.gguf')],
      ['policy', policyPath],
    ],
  );
  // Trained from the student: its width, not the policy's.
  for (const model of ['round-1/sft', 'round-1/final', 'baselines/long-cot/model'])
    assert.equal(loadGguf(join(out, model, 'model.gguf')).model.config.dim, 16);
  // The long-CoT rows ask the tree SFT rows' questions, one for one, with 1-3 "Wait" re-checks and the right answer.
  const jsonl = (file: string) =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { prompt: string; completion: string; question_id: string });
  const treeRows = jsonl(join(out, 'round-1/data/sft.jsonl'));
  const longRows = jsonl(join(out, 'baselines/long-cot/data/sft.jsonl'));
  assert.ok(treeRows.length > 0);
  assert.deepEqual(
    longRows.map((r) => [r.question_id, r.prompt]),
    treeRows.map((r) => [r.question_id, r.prompt]),
  );
  const task = getTask('letter-count');
  const problems = new Map(loadQuestions(loaded, loaded.config.search.questions, 'search.questions', 'search').map((p) => [p.id, p]));
  // Each long-CoT row is written in its tree row's format (the built-in model writes the compact trace).
  assert.deepEqual(
    longRows.map((r) => policyFormatOf(r.completion)),
    treeRows.map((r) => policyFormatOf(r.completion)),
  );
  for (const row of longRows) {
    const rechecks = row.completion.split('Wait, let me check again.').length - 1;
    assert.ok(rechecks >= 1 && rechecks <= 3, row.completion);
    assert.equal(task.verify(row.completion, problems.get(row.question_id)!).verdict, 'correct', row.completion);
  }
  assert.notEqual(loadGguf(policyPath).model.config.dim, 16);
  // Searched with the policy: every generated node names the policy's model id.
  const { questions } = readRun(join(out, 'round-1/search/run.db'));
  const ids = new Set(questions.flatMap((q) => q.nodes.filter((n) => n.policy !== '').map((n) => n.policy)));
  assert.equal(ids.size, 1);
  if (!fixturePolicy()) assert.ok([...ids][0]!.includes('builtin'), [...ids].join());
  // The policy row is compared with the student's base like every other stage.
  assert.equal(summary.stages.at(-1)!.sets[0]!.base_stage, 'base');
  assert.ok(log.some((l) => l.includes('two models: the policy')));
  // The tree SFT masked its rows' failed attempts with the search config's reflection tag; the long-CoT baseline did not.
  const reflecting = treeRows.filter((r) => r.completion.indexOf('<reflection>') > 0).length;
  assert.ok(
    log.includes(`  train sft: failed attempts masked in ${reflecting} of ${treeRows.length} rows (before their last <reflection>)`),
    log.join('\n'),
  );
  assert.equal(log.filter((l) => l.includes('failed attempts masked')).length, 1);
});
