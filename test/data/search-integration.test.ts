/**
 * Integration: a real search database made by `runSearch` against the loopback OpenAI server
 * (test/helpers/openai-server.ts) with the authors' letter-count graph (configs/letter-count.yaml),
 * then `treecot build` on it. Every SFT completion and DPO chosen response must pass the task's
 * verifier, every rejected response must fail it, and the counts must match the database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashString, userText } from '../../src/core/index.ts';
import { buildDataset, commonPrefixLength } from '../../src/data/index.ts';
import { createOpenAICompatiblePolicy } from '../../src/policy/index.ts';
import { loadSearchConfig, runSearch } from '../../src/search/index.ts';
import { readRun } from '../../src/store/index.ts';
import { getTask, letterCountAnswer, parseLetterCountQuestion } from '../../src/tasks/index.ts';
import { startOpenAITestServer, type GenerationRequest } from '../helpers/openai-server.ts';
import { treecotOk } from '../helpers/treecot-cli.ts';
import { dataFile } from '../helpers/data-paths.ts';

const task = getTask('letter-count');
const problems = task.load(dataFile('letter-count/letter_count_hard.json')).slice(0, 4);

/** The thought the prompt has just opened: the last `<tag>` of the rendered prompt. */
function openedTag(prompt: string): string {
  const tags = [...prompt.matchAll(/<([a-z-]+)>/g)];
  return tags.length ? tags[tags.length - 1]![1]! : '';
}

/** Server-side model: thoughts vary by hash so siblings differ; answers right about half the time. */
function responder(request: GenerationRequest): string[] {
  const problem = problems.find((p) => request.prompt.includes(p.question));
  return Array.from({ length: request.choices }, (_, i) => {
    if (!problem) return 'ok';
    const h = hashString(`${request.prompt}|${request.repeat}|${i}`);
    const truth = letterCountAnswer(parseLetterCountQuestion(problem.question)!);
    switch (openedTag(request.prompt)) {
      case 'answer':
        return ` \\boxed{${h % 2 === 0 ? truth : truth + 1}}`;
      case 'double-check':
        return ` the counts look ${h % 3 === 0 ? 'right' : 'plausible'}`;
      default:
        return ` step ${h % 5}`;
    }
  });
}

test('build from a real search database (loopback OpenAI server): verifier agrees with every row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-data-int-'));
  const server = await startOpenAITestServer({ responder, models: ['scripted-lc'] });
  try {
    const loaded = loadSearchConfig('configs/letter-count.yaml');
    const config = {
      ...loaded.config,
      search: { ...loaded.config.search, max_rollouts: 12, reward_thresholds: [2, 4] as [number, number] },
    };
    const policy = await createOpenAICompatiblePolicy({ endpoints: [server.baseURL], template: 'chatml' });
    const db = join(dir, 'run.db');
    await runSearch({
      config,
      task: 'letter-count',
      defaultInstruction: task.defaultInstruction,
      problems,
      dbPath: db,
      policy,
      verify: (output, problem) => task.verify(output, problem),
      concurrency: 4,
    });
    const data = readRun(db);
    const byId = new Map(problems.map((p) => [p.id, p]));
    const built = buildDataset(data, { pairsPerQuestion: 2 }, { source: db });

    const answers = data.questions.flatMap((q) => q.nodes.filter((n) => n.type === 'answer' && n.reward !== null));
    assert.equal(built.stats.paths.total, answers.length, 'one path per scored answer node');
    assert.equal(built.stats.paths.correct, answers.filter((n) => n.reward === 1).length);
    const solvable = data.questions.filter((q) => q.nodes.some((n) => n.reward === 1));
    assert.ok(solvable.length >= 2, `the scripted model solves some questions (${solvable.length})`);
    assert.equal(built.sft.length, solvable.length, 'one SFT row (the longest correct path) per question with a correct path');
    assert.ok(built.dpo.length >= solvable.length, 'pairs for the questions with both outcomes');

    for (const row of built.sft) {
      const q = data.questions.find((x) => x.questionId === row.question_id)!;
      assert.equal(row.prompt, userText(q.instruction, q.question), 'the prompt the search used');
      assert.equal(task.verify(row.completion, byId.get(row.question_id)!).verdict, 'correct');
      const correctLengths = built.paths.filter((p) => p.questionId === row.question_id && p.correct).map((p) => p.length);
      assert.equal(row.length, Math.max(...correctLengths), 'the longest correct path');
      const nodes = new Map(q.nodes.map((n) => [n.id, n]));
      assert.equal(row.reflection_count, row.node_ids.filter((id) => nodes.get(id)!.type === 'reflection').length);
      assert.equal(row.completion.split('<reflection>').length - 1, row.reflection_count, 'reflections are shown in the text');
    }
    for (const pair of built.dpo) {
      const problem = byId.get(pair.question_id)!;
      assert.equal(task.verify(pair.chosen, problem).verdict, 'correct');
      assert.notEqual(task.verify(pair.rejected, problem).verdict, 'correct');
      assert.equal(pair.common_prefix_chars, commonPrefixLength(pair.chosen, pair.rejected));
      assert.ok(pair.common_prefix_chars < Math.min(pair.chosen.length, pair.rejected.length));
      const others = built.paths.filter((p) => p.questionId === pair.question_id && !p.correct && p.response !== pair.rejected);
      if (pair === built.dpo.find((p) => p.question_id === pair.question_id)) {
        for (const other of others) {
          const prefix = commonPrefixLength(pair.chosen, other.response);
          if (prefix < Math.min(pair.chosen.length, other.response.length))
            assert.ok(prefix >= pair.common_prefix_chars, 'shortest common prefix');
        }
      }
    }

    // The CLI writes the same rows.
    await treecotOk(['build', db, '--out', join(dir, 'data'), '--pairs-per-question', '2']);
    const sftOnDisk = readFileSync(join(dir, 'data', 'sft.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(sftOnDisk, built.sft);
    const stats = JSON.parse(readFileSync(join(dir, 'data', 'stats.json'), 'utf8'));
    assert.equal(stats.search.configHash, data.run.configHash);
    if (process.env.TREECOT_PRINT_STATS)
      console.log(
        JSON.stringify({
          splits: stats.splits,
          paths: stats.paths,
          prefix: stats.dpo.commonPrefixChars.summary,
          sft: stats.sft.length,
          reflection: stats.sft.reflection,
          tokens: stats.tokens,
        }),
      );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
