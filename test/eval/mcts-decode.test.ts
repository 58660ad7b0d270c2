import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateWithSearch, selfConsistencyVerifier } from '../../src/eval/index.ts';
import { getTask, type Problem } from '../../src/tasks/index.ts';
import { hashedLetterCountPolicy, LETTER_COUNT_DATA } from '../search/helpers.ts';

const task = getTask('letter-count');

test('self-consistency reward: an answer scores 1 when it ties or leads the tally so far', () => {
  const verify = selfConsistencyVerifier((o) => task.extractAnswer(o));
  const p = { id: 'q', question: 'x', reference: 3 } as Problem;
  const other = { id: 'r', question: 'y', reference: 3 } as Problem;
  const seq = ['3', '3', '4', '4', '4'].map((a) => verify(`<answer>${a}</answer>`, p).verdict);
  assert.deepEqual(seq, ['correct', 'correct', 'wrong', 'correct', 'correct']);
  assert.equal(verify('nothing', p).verdict, 'no_answer');
  assert.equal(verify('<answer>9</answer>', other).verdict, 'correct'); // tallies are per question
});

test('MCTS decode: the decoded answer is the visit-weighted majority of the rollouts, judged against the reference', async () => {
  const problems = task.load(LETTER_COUNT_DATA).slice(0, 6);
  const dir = mkdtempSync(join(tmpdir(), 'treecot-mcts-decode-'));
  const { records, summary } = await evaluateWithSearch({
    name: 'mcts', task, problems, policy: hashedLetterCountPolicy({ pCorrect: 0.7 }), n: 1, temperature: 0.7, maxTokens: 64, k: [1], seed: 1,
    outDir: dir, searchConfigPath: 'configs/letter-count.yaml', maxRollouts: 8,
  });
  assert.ok(existsSync(join(dir, 'search.db')) && existsSync(join(dir, 'questions.jsonl')));
  assert.equal(summary.decode, 'mcts');
  for (const [i, record] of records.entries()) {
    const tally = record.search!.answers;
    const votes = Object.values(tally).reduce((a, b) => a + b, 0);
    assert.ok(votes > 0 && votes <= record.search!.rollouts);
    const top = Math.max(...Object.values(tally));
    const sample = record.samples[0]!;
    assert.equal(tally[sample.extracted!], top, `question ${i}: decoded ${sample.extracted} is not a majority answer of ${JSON.stringify(tally)}`);
    assert.equal(sample.verdict, task.verify(sample.text, problems[i]!).verdict);
  }
  assert.equal(summary.accuracy, records.filter((r) => r.correct === 1).length / records.length);
});
