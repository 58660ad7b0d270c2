import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadQuestions, parsePipelineConfig } from '../../src/pipeline/index.ts';
import { countLetter, parseLetterCountQuestion, type GeneratedLetterCountProblem } from '../../src/tasks/index.ts';
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
import { HELD_OUT_ONLY_WORDS } from '../../src/train/builtin/phrasing-grammar.ts';

function generate(phrasings: string, count: number, seed = 7, contextShare?: number): GeneratedLetterCountProblem[] {
  const loaded = parsePipelineConfig(
    {
      task: 'letter-count',
      policy: { gguf: 'policy.gguf' },
      search: {
        config: 'search.yaml',
        questions: {
          generate: {
            count,
            seed,
            words: 'train',
            phrasings,
            two_letter_share: 0.6,
            random_letter_share: 0.1,
            context_share: contextShare,
          },
        },
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

test("context_share varies the word's context in generated questions: the same words, letters and references, reproducible, never an evaluation word", () => {
  const plain = generate('policy', 600);
  const varied = generate('policy', 600, 7, 0.5);
  assert.deepEqual(generate('policy', 600, 7, 0), plain);
  assert.deepEqual(generate('policy', 600, 7, 0.5), varied);
  assert.deepEqual(generate('policy', 40, 7, 0.5), varied.slice(0, 40));
  const evaluationWords = new Set([...builtinWordSplit().heldOut, ...HELD_OUT_ONLY_WORDS]);
  let changed = 0;
  for (const [i, q] of varied.entries()) {
    const p = plain[i]!;
    assert.deepEqual({ ...q, question: p.question }, p);
    if (q.question === p.question) continue;
    changed++;
    assert.equal(q.question.split(new RegExp(`\\b${q.word}\\b`)).length, 2, `the word appears once: ${q.question}`);
    for (const w of q.question.toLowerCase().match(/[a-z]+/g)!)
      assert.ok(!evaluationWords.has(w) || p.question.toLowerCase().includes(w), `${w} in ${q.question}`);
    // treecot's question reader may decline a varied question but never reads another word or letter.
    const parsed = parseLetterCountQuestion(q.question);
    if (parsed) assert.deepEqual([parsed.word, parsed.letters], [q.word, q.letters], q.question);
  }
  // Half get another preposition or opening (39 of the 48 templates have one), a quarter chatter: about 55-60%.
  assert.ok(changed > 0.45 * 600 && changed < 0.7 * 600, `${changed} of 600 changed`);
  assert.ok(varied.some((q) => q.question !== plain[varied.indexOf(q)]!.question && !/ in /.test(q.question)));
  for (const q of generate('builtin', 200, 3, 1)) assert.ok(q.question.length > 0);
});
