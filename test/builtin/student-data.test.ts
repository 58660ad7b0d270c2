/** The grammar student's rows (train:builtin --role student --student-phrasings grammar, issue 10). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildBuiltinRows,
  buildStudentGrammarRows,
  buildStudentPolicyMixRows,
  buildPolicyRows,
  formatLetterCountResponse,
  builtinWordSplit,
  grammarPhrasings,
  OPENINGS,
  CLOSINGS,
  POLICY_FRESH_PHRASINGS,
  POLICY_HELD_OUT_PHRASINGS,
  POLICY_TRAIN_PHRASINGS,
  type Phrasing,
} from '../../src/train/builtin/index.ts';
import { HELD_OUT_ONLY_WORDS } from '../../src/train/builtin/phrasing-grammar.ts';
import { CharTokenizer, encodeSftRow } from '../../src/train/index.ts';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The questions a template renders (letters a-z / A-Z, word a-z), as a regex source. */
const templateSource = (p: Phrasing): string =>
  escape(p.template)
    .replace(/\\\{a\\\}|\\\{b\\\}/g, '[a-z]')
    .replace(/\\\{A\\\}|\\\{B\\\}/g, '[A-Z]')
    .replace(/\\\{word\\\}/g, '[a-z]+');
const exactly = (ps: readonly Phrasing[]): RegExp => new RegExp(`^(?:${ps.map(templateSource).join('|')})$`);

test('grammar student rows: the built-in rows re-asked in grammar phrasings; never a held-out or hand-written template', () => {
  const builtin = buildBuiltinRows({ count: 3000, seed: 4 });
  const rows = buildStudentGrammarRows({ count: 3000, seed: 4 });
  assert.deepEqual(buildStudentGrammarRows({ count: 40, seed: 4 }), rows.slice(0, 40));
  const opt = (xs: readonly string[]): string => `(?:${xs.map(escape).join('|')})?`;
  const grammar = new RegExp(`^${opt(OPENINGS)}(?:${grammarPhrasings().map(templateSource).join('|')})${opt(CLOSINGS)}$`);
  const heldOut = exactly([...POLICY_HELD_OUT_PHRASINGS, ...POLICY_FRESH_PHRASINGS]);
  const hand = exactly(POLICY_TRAIN_PHRASINGS);
  const heldOutWords = new Set(builtinWordSplit().heldOut);
  const tokenizer = new CharTokenizer();
  let rephrased = 0;
  for (const [i, row] of rows.entries()) {
    // Same word, letters, response and kind as the built-in row: only the question changes.
    assert.equal(row.completion, builtin[i]!.completion);
    assert.equal(row.kind, builtin[i]!.kind);
    if (row.kind === 'arithmetic') {
      assert.equal(row.prompt, builtin[i]!.prompt);
      continue;
    }
    rephrased++;
    assert.match(row.prompt, grammar);
    assert.doesNotMatch(row.prompt, heldOut);
    const word = /<thinking>([a-z]+)<\/thinking>/.exec(row.completion)![1]!;
    const letters = /<sub-task>([a-z+]+)<\/sub-task>/.exec(row.completion)![1]!.split('+');
    assert.ok(!heldOutWords.has(word), word);
    assert.ok(row.prompt.includes(word), row.prompt);
    // The question names as many letters as the response counts (a one-letter grammar frame for a one-letter row).
    assert.equal((row.completion.match(/<thinking>[a-z]:\d+<\/thinking>/g) ?? []).length, letters.length);
    assert.ok(encodeSftRow(tokenizer, row, 384, { file: 'rows', line: i }).tokens.length <= 384);
  }
  assert.ok(rephrased > 2700, String(rephrased));
  // 11 of the 48 hand-written templates are also grammar templates (of 7,218), so few rows render one.
  const handLike = rows.filter((r) => hand.test(r.prompt)).length;
  assert.ok(handLike / rephrased < 0.05, String(handLike));
});

test('grammar student rows with the word context varied: the same responses, other words around the word, nothing held out', () => {
  const plain = buildStudentGrammarRows({ count: 2000, seed: 9 });
  const varied = buildStudentGrammarRows({ count: 2000, seed: 9, contextShare: 0.5 });
  const banned = new RegExp(`\\b(${HELD_OUT_ONLY_WORDS.join('|')})\\b`, 'i');
  let changed = 0;
  for (const [i, row] of varied.entries()) {
    assert.equal(row.completion, plain[i]!.completion);
    if (row.prompt === plain[i]!.prompt) continue;
    changed++;
    const word = /<thinking>([a-z]+)<\/thinking>/.exec(row.completion)![1]!;
    assert.ok(!banned.test(row.prompt.replace(new RegExp(`\\b${word}\\b`, 'g'), '')), row.prompt);
    assert.equal(row.prompt.split(new RegExp(`\\b${word}\\b`)).length, 2, `the word appears once: ${row.prompt}`);
  }
  assert.ok(changed / varied.length > 0.3 && changed / varied.length < 0.8, String(changed));
  assert.throws(() => buildStudentGrammarRows({ count: 1, seed: 1, contextShare: 2 }), /contextShare must be in \[0, 1\]/);
});

test("policy-mix student rows: the policy's questions without reflections, answered in the student's trace", () => {
  const policy = buildPolicyRows({ count: 2000, seed: 6, format: 'compact', reflectionShare: 0 });
  const rows = buildStudentPolicyMixRows({ count: 2000, seed: 6 });
  assert.deepEqual(buildStudentPolicyMixRows({ count: 30, seed: 6 }), rows.slice(0, 30));
  const heldOut = exactly([...POLICY_HELD_OUT_PHRASINGS, ...POLICY_FRESH_PHRASINGS]);
  const hand = exactly(POLICY_TRAIN_PHRASINGS);
  let oneLetter = 0;
  for (const [i, row] of rows.entries()) {
    assert.equal(row.prompt, policy[i]!.prompt);
    assert.doesNotMatch(row.prompt, heldOut);
    assert.doesNotMatch(row.completion, /<reflection>/);
    const letters = /<sub-task>([a-z+]+)<\/sub-task>/.exec(row.completion)![1]!.split('+');
    const word = /<thinking>([a-z]+)<\/thinking>/.exec(row.completion)![1]!;
    assert.equal(row.completion, formatLetterCountResponse(word, letters));
    if (letters.length === 1) {
      oneLetter++;
      // The policy checks a one-letter count; the student's own trace does not.
      assert.match(policy[i]!.completion, /<double-check>[a-z]=\d+<\/double-check>/);
      assert.doesNotMatch(row.completion, /<double-check>/);
    } else assert.equal(row.completion, policy[i]!.completion);
  }
  assert.ok(oneLetter > 600 && oneLetter < 1000, String(oneLetter));
  // 40% of the policy's questions are in its 48 hand-written phrasings.
  const handShare = rows.filter((r) => hand.test(r.prompt)).length / rows.length;
  assert.ok(handShare > 0.35 && handShare < 0.47, String(handShare));
});
