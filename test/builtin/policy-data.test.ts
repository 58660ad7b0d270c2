/** The built-in policy's phrasings, response format and training rows (issue 10 item 1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { letterCountAttempts } from '../../src/eval/index.ts';
import { letterCountProcessCheck, letterCountProcessOk } from '../../src/pipeline/process-check.ts';
import {
  buildPolicyRows,
  builtinWordSplit,
  HARD_SET_WORDS,
  countsFromMarkedSpelling,
  formatPolicyResponse,
  markedSpelling,
  policyEvalQuestions,
  policySpelling,
  POLICY_FRESH_PHRASINGS,
  POLICY_HELD_OUT_PHRASINGS,
  POLICY_TRAIN_PHRASINGS,
  renderPhrasing,
  scoreLetterCountSteps,
  wrongAttempt,
  type Phrasing,
} from '../../src/train/builtin/index.ts';
import {
  CLOSINGS,
  grammarPhrasings,
  HELD_OUT_ONLY_WORDS,
  addChatter,
  chatter,
  OPENINGS,
  varyWordContext,
  WORD_PREPOSITIONS,
  checkWordContextLists,
} from '../../src/train/builtin/phrasing-grammar.ts';
import { parseLetterCountQuestion } from '../../src/tasks/letter-count-questions.ts';
import { CHATTER_MIN_COUNT, deriveChatterWords } from '../../src/train/builtin/chatter-derive.ts';
import { CHATTER_WORDS } from '../../src/train/builtin/chatter-words.ts';
import { dataFile } from '../helpers/data-paths.ts';
import { readFileSync } from 'node:fs';
import { CharTokenizer, encodeSftRow } from '../../src/train/index.ts';

/** A regex matching exactly the questions a template renders (letters a-z / A-Z, word a-z). */
function templateRegex(p: Phrasing): RegExp {
  return new RegExp(`^${templateSource(p)}$`);
}

function templateSource(p: Phrasing): string {
  const escaped = p.template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return escaped
    .replace(/\\\{a\\\}|\\\{b\\\}/g, '[a-z]')
    .replace(/\\\{A\\\}|\\\{B\\\}/g, '[A-Z]')
    .replace(/\\\{word\\\}/g, '[a-z]+');
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** One regex for every question a list of templates renders, with an optional opening and closing. */
function anyTemplateRegex(phrasings: readonly Phrasing[], openings: readonly string[] = [], closings: readonly string[] = []): RegExp {
  const opt = (xs: readonly string[]) => (xs.length ? `(?:${xs.map(escape).join('|')})?` : '');
  return new RegExp(`^${opt(openings)}(?:${phrasings.map(templateSource).join('|')})${opt(closings)}$`);
}

test('phrasings: at least 40 training templates of both kinds, 12 held out, none shared', () => {
  assert.ok(POLICY_TRAIN_PHRASINGS.length >= 40);
  assert.ok(POLICY_TRAIN_PHRASINGS.filter((p) => p.letters === 1).length >= 20);
  assert.ok(POLICY_TRAIN_PHRASINGS.filter((p) => p.letters === 2).length >= 20);
  assert.equal(POLICY_HELD_OUT_PHRASINGS.length, 12);
  const train = new Set(POLICY_TRAIN_PHRASINGS.map((p) => p.template));
  assert.equal(train.size, POLICY_TRAIN_PHRASINGS.length);
  for (const p of POLICY_HELD_OUT_PHRASINGS) assert.ok(!train.has(p.template), p.template);
  // Quoted, capital and word-first forms are all present in training.
  assert.ok(POLICY_TRAIN_PHRASINGS.some((p) => p.template.includes('"{a}"')));
  assert.ok(POLICY_TRAIN_PHRASINGS.some((p) => p.template.includes("'{word}'")));
  assert.ok(POLICY_TRAIN_PHRASINGS.some((p) => p.template.includes('{A}')));
  assert.ok(POLICY_TRAIN_PHRASINGS.some((p) => p.template.startsWith('{word}')));
  assert.equal(
    renderPhrasing(
      POLICY_TRAIN_PHRASINGS.find((p) => p.template.includes('{A}s and {B}s'))!,
      ['g', 'n'],
      'navigant',
    ),
    'How many Gs and Ns are in navigant combined?',
  );
  assert.throws(() => renderPhrasing(POLICY_TRAIN_PHRASINGS[0]!, ['a', 'b'], 'word'), RangeError);
});

test('marked spelling: the running count after each asked letter; counts read back from the last mark', () => {
  assert.equal(markedSpelling('navigant', ['g', 'n']), 'n1avig1an2t');
  assert.equal(markedSpelling('strawberry', ['r']), 'str1awber2r3y');
  assert.equal(markedSpelling('newsagent', ['q']), 'newsagent');
  assert.deepEqual(countsFromMarkedSpelling('n1avig1an2t', ['g', 'n']), [1, 2]);
  assert.deepEqual(countsFromMarkedSpelling('newsagent', ['q']), [0]);
  assert.equal(
    formatPolicyResponse('navigant', ['g', 'n']),
    '<sub-task>g+n</sub-task><thinking>n1avig1an2t</thinking><thinking>g:1</thinking><thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>',
  );
  assert.throws(() => formatPolicyResponse('navigant', ['n', 'n']), RangeError);
  // Spelling with the marks removed is the word (step-accuracy's spelling score).
  assert.equal(
    scoreLetterCountSteps(formatPolicyResponse('navigant', ['g', 'n']), { word: 'navigant', letters: ['g', 'n'] }).spellingCorrect,
    true,
  );
});

test('compact policy format: the plain word, a double-check for one letter too', () => {
  assert.equal(
    formatPolicyResponse('navigant', ['g', 'n'], undefined, 'compact'),
    '<sub-task>g+n</sub-task><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>',
  );
  assert.equal(
    formatPolicyResponse('strawberry', ['r'], undefined, 'compact'),
    '<sub-task>r</sub-task><thinking>strawberry</thinking><thinking>r:3</thinking><double-check>r=3</double-check><answer>3</answer>',
  );
  assert.equal(policySpelling('navigant', ['n'], 'compact'), 'navigant');
  assert.equal(policySpelling('navigant', ['n'], 'marked'), 'n1avigan2t');
});

for (const format of ['marked', 'compact'] as const)
  test(`wrong first attempts (${format}): a different total, self-consistent counts, and the corrected response passes the process check`, () => {
    const words = ['navigant', 'strawberry', 'bookkeeper', 'newsagent', 'mississippi'];
    const rng = new Rng(7);
    const slips = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const word = rng.pick(words);
      const letters = rng.float() < 0.5 ? [rng.pick([...word])] : rng.shuffle([...new Set(word)]).slice(0, 2);
      const { attempt, slip } = wrongAttempt(rng, word, letters, format);
      slips.add(slip);
      const right = letters.reduce((s, l) => s + [...word].filter((c) => c === l).length, 0);
      assert.notEqual(attempt.total, right, `${word} ${letters}`);
      if (slip === 'missed-occurrence') {
        // The spelling lost one occurrence of an asked letter and the counts follow the spelling.
        const plain = attempt.spelling.replace(/\d/g, '');
        assert.equal(plain.length, format === 'marked' ? word.length : word.length - 1, attempt.spelling);
        if (format === 'compact')
          assert.deepEqual(
            attempt.counts,
            letters.map((l) => [...plain].filter((c) => c === l).length),
          );
        else assert.deepEqual(attempt.counts, countsFromMarkedSpelling(attempt.spelling, letters));
      }
      const response = formatPolicyResponse(word, letters, attempt, format);
      const attempts = letterCountAttempts(response);
      assert.equal(attempts.length, 2);
      assert.equal(attempts[0]!.answer, String(attempt.total));
      assert.equal(attempts[1]!.answer, String(right));
      const question =
        letters.length === 2
          ? `How many ${letters[0]} and ${letters[1]} are there in total in ${word}?`
          : `How many ${letters[0]} are there in ${word}?`;
      assert.equal(letterCountProcessCheck()(question, response), true, response);
    }
    assert.deepEqual([...slips].sort(), ['count-slip', 'missed-occurrence', 'sum-slip']);
  });

test('compact policy rows: the plain training word, no digits in the spelling, the process check passes every row', () => {
  const rows = buildPolicyRows({ count: 400, seed: 5, format: 'compact' });
  const train = new Set(builtinWordSplit().train);
  for (const row of rows) {
    // Every thinking step is a plain spelling or a `letter:count` step: no digit marks.
    assert.doesNotMatch(row.completion, /<thinking>(?![a-z]:\d+<)[^<]*\d/, row.completion);
    const spellings = [...row.completion.matchAll(/<thinking>([a-z]+)<\/thinking>/g)].map((m) => m[1]!);
    assert.ok(train.has(spellings.at(-1)!), row.completion);
    const letters = /<sub-task>([a-z+]+)<\/sub-task>/.exec(row.completion)![1]!.split('+');
    assert.equal(letterCountProcessOk({ word: spellings.at(-1)!, letters }, row.completion), true, row.completion);
    // The row names its question's word and letters: the right spelling and sub-task of the trace.
    assert.equal(row.word, spellings.at(-1));
    assert.deepEqual(row.letters, letters);
  }
  assert.ok(rows.some((r) => r.kind === 'letter-count-reflection'));
  assert.throws(() => buildPolicyRows({ count: 1, seed: 1, format: 'spelled' as never }), /format must be compact or marked/);
});

test('policy rows: training words and phrasings only, a quarter with a corrected reflection, counts of 0, fit a 384 context', () => {
  const rows = buildPolicyRows({ count: 3000, seed: 5 });
  assert.deepEqual(buildPolicyRows({ count: 20, seed: 5 }), rows.slice(0, 20));
  const hand = anyTemplateRegex(POLICY_TRAIN_PHRASINGS);
  const grammar = anyTemplateRegex(grammarPhrasings(), OPENINGS, CLOSINGS);
  let fromGrammar = 0;
  const heldOut = POLICY_HELD_OUT_PHRASINGS.map(templateRegex);
  const heldOutWords = new Set(builtinWordSplit().heldOut);
  const tokenizer = new CharTokenizer();
  let zero = 0;
  for (const [i, row] of rows.entries()) {
    if (!hand.test(row.prompt)) {
      assert.ok(grammar.test(row.prompt), row.prompt);
      fromGrammar++;
    }
    assert.ok(!heldOut.some((r) => r.test(row.prompt)), row.prompt);
    const spelled = /<thinking>([a-z0-9]+)<\/thinking>/.exec(row.completion)![1]!.replace(/\d/g, '');
    assert.ok(!heldOutWords.has(spelled), spelled);
    assert.equal(row.kind === 'letter-count-reflection', row.completion.includes('<reflection>'));
    if (/<answer>0<\/answer>/.test(row.completion)) zero++;
    assert.ok(encodeSftRow(tokenizer, row, 384, { file: 'rows', line: i }).tokens.length <= 384);
  }
  // 60% of rows are drawn from the grammar; a few of its templates also render a hand-written question.
  assert.ok(fromGrammar / rows.length > 0.5 && fromGrammar / rows.length < 0.65, String(fromGrammar));
  const share = rows.filter((r) => r.kind === 'letter-count-reflection').length / rows.length;
  assert.ok(share > 0.22 && share < 0.28, String(share));
  assert.ok(zero / rows.length > 0.03, String(zero));
  assert.throws(() => buildPolicyRows({ count: 1, seed: 1, reflectionShare: 1.5 }), RangeError);
});

test('policy evaluation questions: held-out words, the requested phrasings, gold counts', () => {
  const heldOutWords = new Set(builtinWordSplit().heldOut);
  const heldOut = POLICY_HELD_OUT_PHRASINGS.map(templateRegex);
  const qs = policyEvalQuestions({ phrasings: 'held-out', count: 200, seed: 3, zeroShare: 0.1 });
  for (const q of qs) {
    assert.ok(heldOutWords.has(q.word));
    assert.ok(
      heldOut.some((r) => r.test(q.question)),
      q.question,
    );
    assert.equal(
      q.answer,
      q.letters.reduce((s, l) => s + [...q.word].filter((c) => c === l).length, 0),
    );
  }
  assert.ok(qs.some((q) => q.answer === 0));
  const fresh = POLICY_FRESH_PHRASINGS.map(templateRegex);
  const freshQs = policyEvalQuestions({ phrasings: 'fresh', count: 200, seed: 3 });
  assert.ok(freshQs.every((q) => heldOutWords.has(q.word) && fresh.some((r) => r.test(q.question))));
  assert.equal(new Set(freshQs.map((q) => q.phrasing)).size, POLICY_FRESH_PHRASINGS.length);
  // The fresh templates are neither training nor held-out templates.
  for (const p of POLICY_FRESH_PHRASINGS)
    assert.ok(![...POLICY_TRAIN_PHRASINGS, ...POLICY_HELD_OUT_PHRASINGS].some((q) => q.template === p.template), p.template);
  assert.ok(
    policyEvalQuestions({ phrasings: 'train', count: 50, seed: 3 }).every((q) =>
      POLICY_TRAIN_PHRASINGS.some((p) => p.template === q.phrasing),
    ),
  );
});

test('phrasing grammar: thousands of templates, none held out, none with a held-out-only word, every slot filled', () => {
  const grammar = grammarPhrasings();
  assert.ok(grammar.length > 5000, String(grammar.length));
  assert.equal(new Set(grammar.map((p) => p.template)).size, grammar.length);
  const heldOut = new Set(POLICY_HELD_OUT_PHRASINGS.map((p) => p.template.toLowerCase()));
  const rng = new Rng(9);
  for (const p of grammar) {
    assert.ok(!heldOut.has(p.template.toLowerCase()), p.template);
    for (const w of HELD_OUT_ONLY_WORDS)
      assert.ok(!new RegExp(`\\b${w}\\b`, 'i').test(p.template.replace(/\{[a-zA-Z]+\}/g, '')), p.template);
    // No frame placeholder is left, the word appears once, and the letter slots match the letter count.
    assert.doesNotMatch(p.template, /<[A-Z]\d?>/, p.template);
    assert.equal(p.template.split('{word}').length, 2, p.template);
    assert.equal(/\{[bB]\}/.test(p.template), p.letters === 2, p.template);
    const question = renderPhrasing(p, p.letters === 1 ? ['q'] : ['q', 'z'], rng.pick(['navigant', 'sesquipedalian']));
    assert.doesNotMatch(question, /[{}<>]/);
  }
  // Each one-letter frame and each two-letter frame appears with every word form.
  assert.ok(grammar.some((p) => p.template.includes('the word "{word}"') && p.letters === 2));
  assert.ok(grammar.some((p) => p.template.startsWith('{word}:')));
});

test('context-varied policy rows: other prepositions, openings and chatter around the word; answers unchanged, nothing held out', () => {
  const plain = buildPolicyRows({ count: 3000, seed: 7, format: 'compact' });
  const varied = buildPolicyRows({ count: 3000, seed: 7, format: 'compact', contextShare: 0.5 });
  assert.deepEqual(buildPolicyRows({ count: 30, seed: 7, format: 'compact', contextShare: 0.5 }), varied.slice(0, 30));
  const hand = anyTemplateRegex(POLICY_TRAIN_PHRASINGS);
  const heldOut = [...POLICY_HELD_OUT_PHRASINGS, ...POLICY_FRESH_PHRASINGS].map(templateRegex);
  const banned = new RegExp(`\\b(${HELD_OUT_ONLY_WORDS.join('|')})\\b`, 'i');
  let changed = 0;
  let misread = 0;
  let read = 0;
  for (const [i, row] of varied.entries()) {
    // Its own draws: the completion (word, letters, reflection) and every hand-written row stay as without it.
    assert.equal(row.completion, plain[i]!.completion);
    assert.equal(row.kind, plain[i]!.kind);
    if (hand.test(plain[i]!.prompt)) assert.equal(row.prompt, plain[i]!.prompt);
    if (row.prompt === plain[i]!.prompt) continue;
    changed++;
    // The last spelling is the right one (a reflection row's first attempt may miss a letter).
    const word = [...row.completion.matchAll(/<thinking>([a-z]+)<\/thinking>/g)].at(-1)![1]!;
    const letters = /<sub-task>([a-z+]+)<\/sub-task>/.exec(row.completion)![1]!.split('+');
    assert.ok(!heldOut.some((r) => r.test(row.prompt)), row.prompt);
    assert.ok(!banned.test(row.prompt.replace(new RegExp(`\\b${word}\\b`, 'g'), '')), row.prompt);
    assert.equal(row.prompt.split(new RegExp(`\\b${word}\\b`)).length, 2, `the word appears once: ${row.prompt}`);
    // treecot's own question reader may decline a varied question, but never reads another word or letter.
    const parsed = parseLetterCountQuestion(row.prompt);
    if (parsed) {
      read++;
      if (parsed.word !== word || parsed.letters.join('+') !== letters.join('+')) misread++;
    }
  }
  // 60% grammar rows, half of those varied (where the template has an "in" or an opening before the
  // word) and a quarter with a noise sentence.
  assert.ok(changed / varied.length > 0.25 && changed / varied.length < 0.45, String(changed));
  assert.equal(misread, 0);
  assert.ok(read > 0);
  assert.ok(varied.some((r) => /^(Inside|Throughout|Regarding|Looking at|As for) /.test(r.prompt)));
  assert.throws(() => buildPolicyRows({ count: 1, seed: 1, contextShare: -0.1 }), /contextShare must be in \[0, 1\]/);
});

test('varyWordContext: the preposition or opening before the word only; chatter: everyday words, never the target or a cue word', () => {
  const rng = new Rng(3);
  assert.match(varyWordContext(rng, 'How many {a} are in the word "{word}"?'), /^How many \{a\} are (?!in )[a-z ]+ the word "\{word\}"\?$/);
  assert.match(varyWordContext(rng, 'In {word}, count {a}.'), /^(?!In )[A-Z][a-z ]+ \{word\}, count \{a\}\.$/);
  // "in" elsewhere (not before the word) and templates without one stay as they are.
  assert.equal(varyWordContext(rng, '{word}: how many {a} in total?'), '{word}: how many {a} in total?');
  assert.equal(varyWordContext(rng, 'Count {a} in {word} in total.').endsWith(' in total.'), true);
  // The shipped lists pass the leak check, and the check catches an entry with a held-out-only word.
  checkWordContextLists();
  assert.throws(() => checkWordContextLists([...WORD_PREPOSITIONS, 'Within']), /the word-context entry "Within" uses a held-out-only word/);
  const seen = { before: 0, after: 0, aside: 0 };
  for (let i = 0; i < 300; i++) {
    const words = chatter(rng, ['navigant', 'within', 'rackett'], 'navigant').split(' ');
    assert.ok(words.length >= 2 && words.length <= 6);
    assert.ok(!words.some((w) => ['navigant', 'within', 'word', 'letter', 'string'].includes(w)), words.join(' '));
    const t = addChatter(rng, 'How many {a} are there in the word {word}?', ['rackett'], 'navigant');
    // The word's own slot and the letter slot are never split.
    assert.equal(t.split(' the word {word}?').length, 2, t);
    assert.ok(t.includes('How many {a} are there'), t);
    if (t.startsWith('How many {a} are there,')) seen.aside++;
    else if (t.startsWith('How many')) seen.after++;
    else seen.before++;
  }
  assert.ok(seen.before > 50 && seen.after > 50 && seen.aside > 50, JSON.stringify(seen));
});

test('chatter words: the embedded list is the derivation from the GSM8K training questions', () => {
  const questions = readFileSync(dataFile('gsm8k/train.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { question: string }).question);
  assert.deepEqual([...CHATTER_WORDS], deriveChatterWords(questions));
  // No evaluation word (held-out words, the authors' words, held-out-only template words) is chatter.
  const evaluation = new Set([...HELD_OUT_ONLY_WORDS, ...builtinWordSplit().heldOut, ...HARD_SET_WORDS]);
  assert.ok(CHATTER_WORDS.length > 1000 && !CHATTER_WORDS.some((w) => evaluation.has(w)));
  const heldOutWord = builtinWordSplit().heldOut.find((w) => w.length <= 12)!;
  assert.deepEqual(deriveChatterWords(Array(CHATTER_MIN_COUNT).fill(`the red ${heldOutWord}`)), ['red', 'the']);
  assert.deepEqual(deriveChatterWords(Array(CHATTER_MIN_COUNT).fill('Mia can spot the red kite within')), ['kite', 'red', 'the']);
});
