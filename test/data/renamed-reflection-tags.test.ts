/**
 * Reflection accounting with a graph whose tags are renamed (issue 10 item 4): the same letter-count
 * trees, stored in real SQLite search databases once with the authors' tags and once with a config
 * that names its reflection type `rethink` written `<wait>` (and renames the sub-task, check,
 * re-think and answer tags), give the same stats.json reflection counts and the same process-check
 * verdicts through `treecot build`; the rows differ only by their tags. A run that stores no graph
 * reads its tags from its nodes and says so. The pipeline summary's inference counts follow the
 * search config's tags.
 */
import { test } from 'node:test';
import { buildDataStage } from '../../src/pipeline/adapters.ts';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataset } from '../../src/data/index.ts';
import { DEFAULT_REFLECTION_TAGS, letterCountAttempts, reflectionMarkers, type EvalQuestionRecord } from '../../src/eval/index.ts';
import { letterCountProcessCheck, loadSearchSettings } from '../../src/pipeline/index.ts';
import { addRunStatistics, inferenceReflection } from '../../src/pipeline/summary-statistics.ts';
import type { RunSummary, SetResult } from '../../src/pipeline/summary-types.ts';
import { parseSearchConfig, type SearchConfig } from '../../src/search/index.ts';
import { readRun } from '../../src/store/index.ts';
import type { StoredQuestion, StoredRun } from '../../src/store/types.ts';
import { treecot } from '../helpers/treecot-cli.ts';
import { writeStore } from './store-fixture.ts';
import { correct, node, question, wrong } from './tree-fixtures.ts';
import { attempt, fixedAndBrokenRecord, Q, reflectionTrees, WAIT } from './letter-count-trees.ts';

/** The letter-count graph (configs/letter-count-builtin.yaml's shape); `renamed` renames every tag the accounting reads. */
function graphConfig(renamed: boolean): SearchConfig {
  const reflectionType = renamed ? 'rethink' : 'reflection';
  const tag = (name: string) => (renamed ? { tag: name } : {});
  return parseSearchConfig({
    format: { separator: '' },
    search: { reflection_type: reflectionType, reflection_ancestor: 'double_check' },
    graph: {
      root: { next_step: { sub_task: 1 } },
      sub_task: { ...tag('plan'), next_step: { thinking: 1 } },
      thinking: { next_step: { double_check: 1, thinking: 1 } },
      double_check: { ...tag('check'), next_step: { answer: 1 } },
      [reflectionType]: { ...tag('wait'), prefill: [`${WAIT}`], next_step: { thinking_from_scratch: 1 } },
      thinking_from_scratch: { ...tag('rethinking'), next_step: { thinking: 1 } },
      answer: { ...tag('final') },
    },
  });
}

/**
 * q1: a wrong attempt (1+1=2) -> reflection -> a right re-think (path R: a corrected reflection, whose
 * whole text fails the process check and whose last attempt passes it), and a right attempt (S).
 * q2: a right attempt, a wrong answer, then a reflection and a right re-think (U: not needed).
 * q3: a misspelt word reaching the right answer (dropped by the process check) and a wrong answer.
 */
function trees(): StoredQuestion[] {
  const q3 = question('q3', [
    node(1, null, 'root', Q),
    node(2, 1, 'sub_task', 'g+n'),
    ...attempt(3, 2, 'navgant', 1, 2),
    node(7, 6, 'answer', '3', correct),
    node(8, 6, 'answer', '2', wrong),
  ]);
  return [...reflectionTrees(), q3].map((q) => ({ ...q, question: Q, reference: 3 }));
}

/** The trees written as `config`'s graph writes them: reflection nodes of its reflection type, every node with its type's tag. */
function asGraph(config: SearchConfig, questions: StoredQuestion[]): StoredQuestion[] {
  return questions.map((q) => ({
    ...q,
    nodes: q.nodes.map((n) => {
      const type = n.type === 'reflection' ? config.search.reflection_type : n.type;
      return { ...n, type, tag: type === 'root' ? '' : config.graph[type]!.tag };
    }),
  }));
}

function storedRun(config: unknown): StoredRun {
  return { runId: 1, config, configHash: 'f'.repeat(64), task: 'letter-count', separator: '', createdAt: 0 };
}

/** The renamed tags written back as the authors' (to compare texts). */
function authorsTags(text: string): string {
  const names: [string, string][] = [
    ['wait', 'reflection'],
    ['check', 'double-check'],
    ['plan', 'sub-task'],
    ['rethinking', 'thinking-from-scratch'],
    ['final', 'answer'],
  ];
  for (const [from, to] of names) text = text.replaceAll(`<${from}>`, `<${to}>`).replaceAll(`</${from}>`, `</${to}>`);
  return text;
}

function rows(jsonl: string): Record<string, any>[] {
  return jsonl
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

async function build(db: string, out: string): Promise<{ stats: Record<string, any>; sft: string; dpo: string; stderr: string }> {
  const r = await treecot(['build', db, '--out', out, '--sft', 'all', '--chosen', 'longest', '--process-check', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return {
    stats: JSON.parse(r.stdout),
    sft: readFileSync(join(out, 'sft.jsonl'), 'utf8'),
    dpo: readFileSync(join(out, 'dpo.jsonl'), 'utf8'),
    stderr: r.stderr,
  };
}

test('treecot build: a renamed reflection tag gives the same reflection counts and process-check verdicts as the default', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-renamed-tags-'));
  try {
    const plain = graphConfig(false);
    const renamed = graphConfig(true);
    const plainDb = join(dir, 'plain.db');
    const renamedDb = join(dir, 'renamed.db');
    writeStore(plainDb, storedRun(plain), asGraph(plain, trees()));
    writeStore(renamedDb, storedRun(renamed), asGraph(renamed, trees()));
    const a = await build(plainDb, join(dir, 'plain'));
    const b = await build(renamedDb, join(dir, 'renamed'));
    // The default build, by hand: SFT = R, S, U (q3's only correct path fails the process check);
    // R holds a corrected reflection, U a reflection after a right attempt; chosen (longest) = R, U.
    assert.equal(a.stats.paths.droppedProcessCheck, 1);
    assert.equal(a.stats.sft.rows, 3);
    assert.equal(a.stats.sft.reflection.rowsWithReflection, 2);
    assert.equal(a.stats.sft.reflection.rowsWithCorrectedReflection, 1);
    assert.equal(a.stats.dpo.reflection.chosenWithCorrectedReflection, 1);
    assert.equal(a.stats.sft.reflection.markers.max, 4, '<reflection>, wait, something is wrong, think again');
    assert.doesNotMatch(a.stderr, /action graph/, 'a run that stores its graph builds without a tag warning');
    // The renamed graph: the same counts, markers and verdicts, and no warning (the stored config has the tags).
    for (const key of ['questions', 'paths', 'splits'] as const) assert.deepEqual(b.stats[key], a.stats[key], key);
    assert.deepEqual(b.stats.sft.reflection, a.stats.sft.reflection);
    assert.deepEqual(b.stats.dpo.reflection, a.stats.dpo.reflection);
    assert.doesNotMatch(b.stderr, /action graph/);
    // The rows are the same but for their tags (and so their lengths in characters).
    assert.match(b.sft, /<wait>Wait!/);
    const sftRow = (r: Record<string, any>) => ({ ...r, completion: authorsTags(r.completion), length: 0 });
    assert.deepEqual(rows(b.sft).map(sftRow), rows(a.sft).map(sftRow));
    const pair = (p: Record<string, any>) => ({
      chosen: authorsTags(p.chosen),
      rejected: authorsTags(p.rejected),
      counts: [p.chosen_reflection_count, p.rejected_reflection_count, p.chosen_reflection_markers, p.rejected_reflection_markers],
    });
    assert.deepEqual(rows(b.dpo).map(pair), rows(a.dpo).map(pair));

    // What the authors' names make of the renamed run: no reflection, and every correct path judged
    // by tags it does not have (so the check keeps nothing).
    const renamedRun = readRun(renamedDb);
    const stale = { ...renamedRun, run: { ...renamedRun.run, config: plain } };
    const staleBuilt = buildDataset(stale, { sft: 'all', chosen: 'longest' });
    assert.equal(staleBuilt.stats.sft.reflection.rowsWithReflection, 0);
    assert.equal(staleBuilt.stats.sft.reflection.rowsWithCorrectedReflection, 0);
    assert.throws(
      () => buildDataset(stale, { sft: 'all' }, { processCheck: letterCountProcessCheck() }),
      /0 questions have a correct path/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('treecot build: a run that stores no graph reads its tags from its nodes, and says what it assumed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-renamed-tags-'));
  try {
    const renamed = graphConfig(true);
    const plain = graphConfig(false);
    const plainOut = await (async () => {
      const db = join(dir, 'plain.db');
      writeStore(db, storedRun(plain), asGraph(plain, trees()));
      return build(db, join(dir, 'plain'));
    })();
    // The config names the reflection type but holds no graph: every tag comes from the nodes.
    const db = join(dir, 'nodes.db');
    writeStore(db, storedRun({ search: { reflection_type: 'rethink' } }), asGraph(renamed, trees()));
    const fromNodes = await build(db, join(dir, 'nodes'));
    assert.match(fromNodes.stderr, /warning: .*nodes\.db: run 1 stores no action graph/);
    assert.match(fromNodes.stderr, /reflection tag <wait> \(from its rethink nodes\)/);
    assert.match(fromNodes.stderr, /check tag <check> \(from its double_check nodes\)/);
    assert.deepEqual(fromNodes.stats.sft.reflection, plainOut.stats.sft.reflection);
    assert.equal(fromNodes.stats.paths.droppedProcessCheck, plainOut.stats.paths.droppedProcessCheck);
    // The pipeline's build stage hands the same warning to its log instead of dropping it.
    const warnings: string[] = [];
    await buildDataStage(readRun(db), db, join(dir, 'stage'), {
      sft: 'longest',
      chosen: 'shortest',
      pairsPerQuestion: 1,
      seed: 1,
      warn: (w) => warnings.push(w),
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /run 1 stores no action graph .*reflection tag <wait> \(from its rethink nodes\)/);
    // No config at all: the reflection type is assumed `reflection`, and the warning says no node has it.
    const bare = join(dir, 'bare.db');
    writeStore(bare, storedRun({}), asGraph(renamed, trees()));
    const assumed = await build(bare, join(dir, 'bare'));
    assert.match(assumed.stderr, /reflection tag <reflection> \(assumed: no node of type reflection\)/);
    assert.equal(assumed.stats.sft.reflection.rowsWithReflection, 0, 'no node of the assumed type');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the letter-count reader, markers and process check read the tags they are given', () => {
  const tags = { reflection: 'wait', check: 'check', answer: 'final' };
  const text = `<plan>g+n</plan><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:1</thinking><check>1+1=2</check><wait>${WAIT}</wait><rethinking>navigant</rethinking><thinking>g:1</thinking><thinking>n:2</thinking><check>1+2=3</check><final>3</final>`;
  assert.deepEqual(
    letterCountAttempts(text, tags).map((a) => a.answer),
    ['2', '3'],
  );
  assert.equal(letterCountAttempts(text).length, 1, 'the default tags see no reflection');
  assert.equal(reflectionMarkers(text, 'wait'), reflectionMarkers(authorsTags(text)));
  assert.equal(reflectionMarkers(authorsTags(text)), 4);
  const typed = { ...tags, types: renamedTypes() };
  const check = letterCountProcessCheck();
  assert.equal(check(Q, text, typed), true, 'the last attempt is clean');
  assert.equal(check(Q, authorsTags(text)), true);
  assert.equal(check(Q, text.replace('<thinking>n:2</thinking>', '<thinking>n:3</thinking>'), typed), false, 'a wrong last count');
  assert.equal(check(Q, text), false, 'judged by the authors\u2019 tags, the renamed text has no sub-task');
});

function renamedTypes(): Record<string, string> {
  return Object.fromEntries(Object.entries(graphConfig(true).graph).map(([type, n]) => [type, n.tag]));
}

test('pipeline summary: inference reflection counts read the search config tags', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-renamed-tags-'));
  try {
    const configFile = join(dir, 'search.json');
    writeFileSync(configFile, JSON.stringify(graphConfig(true)));
    const { reflectionTags } = await loadSearchSettings(configFile, 'letter-count');
    {
      assert.deepEqual(
        { reflection: reflectionTags.reflection, check: reflectionTags.check, answer: reflectionTags.answer },
        { reflection: 'wait', check: 'check', answer: 'final' },
      );
      const records: EvalQuestionRecord[] = [fixedAndBrokenRecord()];
      const toRenamed = (text: string) =>
        text.replaceAll('reflection>', 'wait>').replaceAll('double-check>', 'check>').replaceAll('answer>', 'final>');
      const renamedRecords = records.map((rec) => ({ ...rec, samples: rec.samples.map((s) => ({ ...s, text: toRenamed(s.text) })) }));
      const expected = { samples: 3, reflected: 2, fixed: 1, broke: 1 };
      assert.deepEqual(inferenceReflection(records), expected);
      assert.deepEqual(inferenceReflection(renamedRecords, undefined, reflectionTags), expected);
      assert.deepEqual(inferenceReflection(renamedRecords), { samples: 3, reflected: 0, fixed: 0, broke: 0 });
      // Through addRunStatistics, as RunRecord.write calls it with the search config's tags.
      mkdirSync(join(dir, 'eval'), { recursive: true });
      writeFileSync(join(dir, 'eval', 'q.jsonl'), renamedRecords.map((x) => JSON.stringify(x)).join('\n') + '\n');
      const set: SetResult = {
        set: 'held-out',
        n: 1,
        samples_per_question: 3,
        accuracy: 2 / 3,
        no_answer_rate: 0,
        pass_at_k: { '1': 2 / 3 },
        majority_baseline: { answer: '3', accuracy: 1 },
        mean_length_chars: 0,
        median_length_chars: 0,
        reflection_markers_per_response: 0,
        repeated_line_rate: 0,
        questions_file: 'eval/q.jsonl',
      };
      const summary: RunSummary = {
        name: 'tags',
        task: 'letter-count',
        config_hash: 'abc',
        written_at: 'now',
        stages: [{ stage: 'sft', description: 'sft', model: 'm', accuracy: 2 / 3, no_answer_rate: 0, n: 1, set: 'held-out', sets: [set] }],
        search: [],
        data: [],
        train: [],
        stage_wall_s: {},
      };
      assert.deepEqual(addRunStatistics(summary, dir, undefined, reflectionTags).stages[0]!.sets[0]!.reflection, expected);
      assert.deepEqual(addRunStatistics(summary, dir, undefined, DEFAULT_REFLECTION_TAGS).stages[0]!.sets[0]!.reflection, {
        samples: 3,
        reflected: 0,
        fixed: 0,
        broke: 0,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
