import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadQuestions, parsePipelineConfig } from '../../src/pipeline/index.ts';
import { countLetter, type GeneratedLetterCountProblem } from '../../src/tasks/index.ts';
import { builtinWordSplit } from '../../src/train/index.ts';
import {
  CLOSINGS,
  grammarPhrasings,
  OPENINGS,
  POLICY_HELD_OUT_PHRASINGS,
  POLICY_TRAIN_PHRASINGS,
  renderPhrasing,
  type Phrasing,
} from '../../src/train/builtin/index.ts';

function generate(phrasings: string, count: number, seed = 7): GeneratedLetterCountProblem[] {
  const loaded = parsePipelineConfig(
    {
      task: 'letter-count',
      policy: { gguf: 'policy.gguf' },
      search: {
        config: 'search.yaml',
        questions: { generate: { count, seed, words: 'train', phrasings, two_letter_share: 0.6, random_letter_share: 0.1 } },
      },
      eval: { sets: [{ name: 'x', generate: { count: 1 } }] },
    },
    'p.yaml',
  );
  return loadQuestions(loaded, loaded.config.search.questions, 'search.questions', 's') as GeneratedLetterCountProblem[];
}

/** The template a question renders, with the opening and closing around it ('' when none). */
function templateOf(q: GeneratedLetterCountProblem, pool: readonly Phrasing[]): { opening: string; closing: string } | undefined {
  for (const opening of ['', ...OPENINGS])
    for (const closing of ['', ...CLOSINGS]) {
      if (!q.question.startsWith(opening) || !q.question.endsWith(closing)) continue;
      const core = q.question.slice(opening.length, q.question.length - closing.length);
      if (pool.some((p) => p.letters === q.letters.length && renderPhrasing(p, q.letters, q.word) === core)) return { opening, closing };
    }
  return undefined;
}

test("phrasings 'policy-training' asks questions as the policy's training rows do: 40% hand-written, 60% grammar with openings and closings, never a held-out template", () => {
  const questions = generate('policy-training', 400);
  assert.equal(new Set(questions.map((q) => q.id)).size, 400);
  const trainWords = new Set(builtinWordSplit().train);
  let hand = 0;
  let grammar = 0;
  let decorated = 0;
  for (const q of questions) {
    assert.ok(trainWords.has(q.word), q.word);
    assert.equal(
      q.reference,
      q.letters.reduce((sum, l) => sum + countLetter(q.word, l), 0),
      q.question,
    );
    assert.equal(templateOf(q, POLICY_HELD_OUT_PHRASINGS), undefined, `held-out template: ${q.question}`);
    const handForm = POLICY_TRAIN_PHRASINGS.some(
      (p) => p.letters === q.letters.length && renderPhrasing(p, q.letters, q.word) === q.question,
    );
    if (handForm) {
      hand++;
      continue;
    }
    const form = templateOf(q, grammarPhrasings());
    assert.ok(form, `neither a hand-written nor a grammar question: ${q.question}`);
    grammar++;
    if (form.opening || form.closing) decorated++;
  }
  assert.equal(hand + grammar, 400);
  // 60% grammar: 240 expected, binomial SE about 10.
  assert.ok(grammar > 200 && grammar < 280, `${grammar} grammar questions of 400`);
  // About 40% of grammar questions carry an opening or a closing (1 - 0.75 * 0.8).
  assert.ok(decorated > 0.25 * grammar && decorated < 0.55 * grammar, `${decorated} decorated of ${grammar}`);
  // Reproducible by seed; another seed gives other questions.
  assert.deepEqual(generate('policy-training', 400), questions);
  assert.notDeepEqual(generate('policy-training', 400, 8), questions);
});

test("phrasings 'policy' is unchanged by the mix: only the 48 hand-written templates", () => {
  for (const q of generate('policy', 200))
    assert.ok(
      POLICY_TRAIN_PHRASINGS.some((p) => p.letters === q.letters.length && renderPhrasing(p, q.letters, q.word) === q.question),
      q.question,
    );
});
