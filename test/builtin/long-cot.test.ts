/** The distilled-long-CoT baseline rows (issue 10 item 5). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { letterCountAttempts } from '../../src/eval/index.ts';
import { Rng } from '../../src/core/index.ts';
import {
  buildLongCotRows,
  formatLongCotResponse,
  formatPolicyResponse,
  LONG_COT_RECHECK,
  policyFormatOf,
} from '../../src/train/builtin/index.ts';
import { CharTokenizer, encodeSftRow } from '../../src/train/index.ts';

const tokenizer = new CharTokenizer();
const countTokens = (prompt: string, completion: string) =>
  encodeSftRow(tokenizer, { prompt, completion }, 100000, { file: 'rows' }).tokens.length;

test('long-CoT rows: 2-3 "wait" re-checks of complete, right re-thinks; right final answer; within the context', () => {
  const questions = [
    { question: 'How many g and n are there in total in navigant?', word: 'navigant', letters: ['g', 'n'] },
    { question: 'How many r are there in strawberry?', word: 'strawberry', letters: ['r'] },
    { question: 'Add up the counts of o and k in bookkeeping.', word: 'bookkeeping', letters: ['o', 'k'] },
  ];
  const rows = buildLongCotRows(questions, 300, 4, { maxTokens: 256, countTokens, format: 'marked' });
  assert.deepEqual(buildLongCotRows(questions, 10, 4, { maxTokens: 256, countTokens, format: 'marked' }), rows.slice(0, 10));
  const gold = [3, 3, 4]; // navigant g1 n2; strawberry r3; bookkeeping o2 k2
  let firstWrong = 0;
  for (const [i, row] of rows.entries()) {
    assert.equal(row.prompt, questions[i % 3]!.question);
    assert.equal(row.completion.split(LONG_COT_RECHECK).length - 1, row.rechecks);
    assert.ok(row.rechecks >= 1 && row.rechecks <= 3);
    const attempts = letterCountAttempts(row.completion);
    assert.equal(attempts.length, row.rechecks + 1);
    // every re-think is right; the first attempt is wrong exactly when the row says so
    for (const a of attempts.slice(1)) assert.equal(a.answer, String(gold[i % 3]));
    assert.equal(attempts[0]!.answer !== String(gold[i % 3]), row.firstWrong);
    if (row.firstWrong) firstWrong++;
    assert.ok(countTokens(row.prompt, row.completion) <= 256 || row.rechecks === 1);
  }
  assert.ok(firstWrong > 50 && firstWrong < 130, String(firstWrong));
  assert.ok(rows.some((r) => r.rechecks === 3) && rows.some((r) => r.rechecks === 2));
  // a tight context drops re-checks from the end
  assert.ok(
    buildLongCotRows(questions, 30, 4, { maxTokens: 150, countTokens, format: 'marked' }).every(
      (r) => r.rechecks === 1 || countTokens(r.prompt, r.completion) <= 150,
    ),
  );
  assert.throws(() => buildLongCotRows([], 1, 1, { maxTokens: 256, countTokens, format: 'marked' }), RangeError);
});

test('long-CoT rows follow the tree row format: compact rows spell the plain word, marked rows the running counts', () => {
  const tree = {
    compact: formatPolicyResponse('navigant', ['g', 'n'], undefined, 'compact'),
    marked: formatPolicyResponse('navigant', ['g', 'n'], undefined, 'marked'),
  };
  assert.equal(policyFormatOf(tree.compact), 'compact');
  assert.equal(policyFormatOf(tree.marked), 'marked');
  for (const format of ['compact', 'marked'] as const) {
    const row = formatLongCotResponse(new Rng(2), 'How many g and n are there in total in navigant?', 'navigant', ['g', 'n'], {
      maxTokens: 384,
      countTokens,
      format: policyFormatOf(tree[format]),
    });
    const spellings = [...row.completion.matchAll(/<thinking>([a-z0-9]{3,})<\/thinking>/g)].map((m) => m[1]);
    assert.equal(spellings.length, row.rechecks + 1);
    // The re-thinks are right, in the tree row's format (the first attempt may be a slip).
    for (const s of spellings.slice(1)) assert.equal(s, format === 'compact' ? 'navigant' : 'n1avig1an2t');
  }
});
