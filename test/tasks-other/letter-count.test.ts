import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { letterCountTask } from '../../src/tasks/letter-count.ts';
import {
  generateLetterCountProblems,
  parseLetterCountQuestion,
  letterCountAnswer,
  letterCountTrace,
  letterCountParts,
  renderLetterCountQuestion,
  TWO_LETTER_PHRASINGS,
  ONE_LETTER_PHRASINGS,
} from '../../src/tasks/letter-count-questions.ts';
import { POLICY_HELD_OUT_PHRASINGS, POLICY_TRAIN_PHRASINGS, renderPhrasing } from '../../src/train/builtin/phrasings.ts';
import { CLOSINGS, grammarPhrasings, OPENINGS } from '../../src/train/builtin/phrasing-grammar.ts';
import type { Problem } from '../../src/tasks/types.ts';
import { dataFile } from '../helpers/data-paths.ts';

const HARD = dataFile('letter-count/letter_count_hard.json');

test('authors hard set: all 500 questions parse and recounted labels agree with the file', () => {
  const problems = letterCountTask.load(HARD);
  assert.equal(problems.length, 500);
  const disagreements: string[] = [];
  for (const p of problems) {
    const parsed = parseLetterCountQuestion(p.question);
    assert.ok(parsed, `does not parse: ${p.question}`);
    assert.equal(parsed.letters.length, 2, p.question);
    assert.notEqual(parsed.letters[0], parsed.letters[1]);
    if (letterCountAnswer(parsed) !== p.reference)
      disagreements.push(`${p.id}: ${p.question} file=${p.reference} recount=${letterCountAnswer(parsed)}`);
  }
  assert.deepEqual(disagreements, []);
});

test('authors hard set: every phrasing is one of the 7 two-letter templates', () => {
  const rows = JSON.parse(readFileSync(HARD, 'utf8')) as { problem: string }[];
  const used = new Set<number>();
  for (const row of rows) {
    const parsed = parseLetterCountQuestion(row.problem)!;
    const index = TWO_LETTER_PHRASINGS.findIndex(
      (t) => t.replace('{a}', parsed.letters[0]!).replace('{b}', parsed.letters[1]!).replace('{word}', parsed.word) === row.problem,
    );
    assert.ok(index >= 0, row.problem);
    used.add(index);
  }
  assert.equal(used.size, 7);
});

test('gold traces verify as correct; the label from another question is wrong unless equal', () => {
  const problems = letterCountTask.load(HARD);
  for (const [i, p] of problems.entries()) {
    const gold = letterCountTask.goldOutput!(p)!;
    assert.equal(letterCountTask.verify(gold, p).verdict, 'correct', gold);
    const other = problems[(i + 7) % problems.length]!;
    const v = letterCountTask.verify(letterCountTask.goldOutput!(other)!, p);
    assert.equal(v.verdict, other.reference === p.reference ? 'correct' : 'wrong');
  }
});

test('trace format matches the compact built-in model format', () => {
  assert.equal(
    letterCountTrace({ word: 'navigant', letters: ['g', 'n'] }),
    '<sub-task>g+n</sub-task><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>',
  );
  assert.equal(
    letterCountTrace({ word: 'banana', letters: ['a'] }),
    '<sub-task>a</sub-task><thinking>banana</thinking><thinking>a:3</thinking><answer>3</answer>',
  );
});

test('one-letter and quoted phrasings parse', () => {
  const cases: [string, string, string[]][] = [
    ['How many r are there in strawberry?', 'strawberry', ['r']],
    ["How many r's are in strawberry?", 'strawberry', ['r']],
    ['Count the occurrences of "e" in "excellence".', 'excellence', ['e']],
    ['How many times does the letter a appear in banana?', 'banana', ['a']],
    ['What is the count of a and b in abba?', 'abba', ['a', 'b']],
    ["How many 'x' and 'y' in xylophony", 'xylophony', ['x', 'y']],
  ];
  for (const [text, word, letters] of cases) assert.deepEqual(parseLetterCountQuestion(text), { word, letters }, text);
  assert.equal(parseLetterCountQuestion('What is 2 + 3?'), null);
  assert.equal(parseLetterCountQuestion('Hello'), null);
  assert.equal(parseLetterCountQuestion(''), null);
});

test('generator: deterministic under a seed, labels correct, parseable, shares respected', () => {
  const words = ['banana', 'strawberry', 'navigant', 'subsensual', 'mississippi', 'aaa', 'queue'];
  const options = { words, count: 400, seed: 42, twoLetterShare: 0.7, letterSampling: 'pos' as const, randomLetterShare: 0.1 };
  const a = generateLetterCountProblems(options);
  const b = generateLetterCountProblems(options);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, generateLetterCountProblems({ ...options, seed: 43 }));
  // Question i does not depend on count.
  assert.deepEqual(generateLetterCountProblems({ ...options, count: 10 }), a.slice(0, 10));
  let two = 0;
  let zero = 0;
  for (const p of a) {
    const parsed = parseLetterCountQuestion(p.question);
    assert.deepEqual(parsed, { word: p.word, letters: p.letters }, p.question);
    assert.equal(p.reference, letterCountAnswer(parsed!));
    const templates = p.letters.length === 2 ? TWO_LETTER_PHRASINGS : ONE_LETTER_PHRASINGS;
    assert.ok(templates[p.phrasing] !== undefined);
    if (p.letters.length === 2) {
      two++;
      assert.notEqual(p.letters[0], p.letters[1]);
    }
    if (p.reference === 0) zero++;
    assert.equal(letterCountTask.verify(`<answer>${p.reference}</answer>`, p).verdict, 'correct');
  }
  assert.ok(two > 400 * 0.6 && two < 400 * 0.8, `two-letter share ${two}/400`);
  assert.ok(zero > 0, 'random letters give some zero counts');
  const noRandom = generateLetterCountProblems({ ...options, randomLetterShare: 0 });
  // Without random letters every letter occurs in the word, except a second letter for 'aaa' (one distinct letter).
  assert.ok(noRandom.every((p) => p.word === 'aaa' || p.letters.every((l) => p.word.includes(l))));
  assert.ok(noRandom.every((p) => p.reference > 0));
  const oneOnly = generateLetterCountProblems({ ...options, twoLetterShare: 0, letterSampling: 'set' });
  assert.ok(oneOnly.every((p) => p.letters.length === 1));
  assert.throws(() => generateLetterCountProblems({ ...options, words: [] }), RangeError);
  assert.throws(() => generateLetterCountProblems({ ...options, twoLetterShare: 1.5 }), RangeError);
});

test('pos sampling weights letters by occurrence, set sampling does not', () => {
  const base = { words: ['aaaaaaaaab'], count: 600, seed: 7, twoLetterShare: 0, randomLetterShare: 0 };
  const share = (sampling: 'pos' | 'set') =>
    generateLetterCountProblems({ ...base, letterSampling: sampling }).filter((p) => p.letters[0] === 'a').length / base.count;
  assert.ok(share('pos') > 0.8, `pos share ${share('pos')}`);
  assert.ok(share('set') > 0.4 && share('set') < 0.6, `set share ${share('set')}`);
});

const problem: Problem = { id: 'x', question: 'How many g and n are there in total in navigant?', reference: 3 };

test('extraction: accepted answer forms, last answer wins', () => {
  const table: [string, string | null][] = [
    ['<answer>3</answer>', '3'],
    ['<answer>The answer is: \\boxed{3}</answer>', '3'],
    ['so \\boxed{3}', '3'],
    ['boxed{4}', '4'],
    ['The answer is 3.', '3'],
    ['The answer is: **3**', '3'],
    ['Answer: 3', '3'],
    ['The answer is three.', '3'],
    ['The answer is 2. Wait, the answer is 3', '3'],
    ['<answer>2</answer> hmm, actually <answer>3</answer>', '3'],
    ['\\boxed{2} ... The answer is 3', '3'],
    ['The answer is 3 ... \\boxed{2}', '2'],
    ['<answer>e:1, u:2, total 3</answer>', '3'],
    ['<answer>3', '3'],
    ['<answer>3.0</answer>', '3'],
    ['<answer>1,234</answer>', '1234'],
    ['<answer>-7</answer>', '-7'],
    ['<answer>2.5</answer>', '2.5'],
    ['I need to answer 2 questions about it', null],
    ['navigant has letters', null],
    ['', null],
    ['<answer></answer>', null],
    ['<answer>three</answer>', '3'],
  ];
  for (const [output, expected] of table) assert.equal(letterCountTask.extractAnswer(output), expected, output);
});

test('verdicts: correct, wrong, no answer, non-integer', () => {
  assert.equal(letterCountTask.verify('<answer>3</answer>', problem).verdict, 'correct');
  const wrong = letterCountTask.verify('<answer>4</answer>', problem);
  assert.equal(wrong.verdict, 'wrong');
  assert.equal(wrong.extracted, '4');
  assert.equal(wrong.reference, '3');
  assert.deepEqual(wrong.details, { word: 'navigant', letters: ['g', 'n'], counts: [1, 2] });
  const none = letterCountTask.verify('I think it is hard.', problem);
  assert.equal(none.verdict, 'no_answer');
  assert.equal(none.extracted, null);
  assert.equal(letterCountTask.verify('<answer>3.5</answer>', problem).verdict, 'wrong');
});

test('load: bad input names file, line and field', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  const file = join(dir, 'bad.jsonl');
  writeFileSync(file, '{"problem": "How many a in banana?", "solution": 3}\n{"problem": "How many b in bob?", "solution": "two"}\n');
  assert.throws(
    () => letterCountTask.load(file),
    (e: Error) => e.message.includes(`${file}:2`) && e.message.includes('"solution"'),
  );
  writeFileSync(file, '{"problem": "How many a in banana?"}\n');
  assert.throws(
    () => letterCountTask.load(file),
    (e: Error) => e.message.includes(`${file}:1`) && e.message.includes('solution'),
  );
});

test("load: a row's own word and letters are kept and checked against the label; the process judges by them", async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  const file = join(dir, 'parts.jsonl');
  writeFileSync(
    file,
    [
      { id: 'a', problem: '"Banana": how many A?', solution: 3, word: 'Banana', letters: ['A'] },
      { id: 'b', problem: 'How many n in banana?', solution: 2 },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  const [a, b] = letterCountTask.load(file) as (Problem & { word?: string; letters?: string[] })[];
  assert.equal(a!.word, 'banana');
  assert.deepEqual(a!.letters, ['a']);
  assert.equal(b!.word, undefined);
  // verify's details come from the row's parts, not from the text (its last token is "A").
  assert.deepEqual(letterCountTask.verify('<answer>3</answer>', a!).details, { word: 'banana', letters: ['a'], counts: [3] });
  const bad: [Record<string, unknown>, string, string][] = [
    [{ problem: 'q', solution: 2, word: 'banana', letters: ['a'] }, 'letters', 'the label is 2 but a occur 3 times'],
    [{ problem: 'q', solution: 3, word: 'banana', letters: 'a' }, 'letters', 'single letters'],
    [{ problem: 'q', solution: 3, word: 'banana', letters: ['an'] }, 'letters', 'single letters'],
    [{ problem: 'q', solution: 3, word: 'ba nana', letters: ['a'] }, 'word', 'string of letters'],
    [{ problem: 'q', solution: 3, letters: ['a'] }, 'word', 'string of letters'],
  ];
  for (const [row, field, message] of bad) {
    writeFileSync(file, `{"problem": "How many a in banana?", "solution": 3}\n${JSON.stringify(row)}\n`);
    assert.throws(
      () => letterCountTask.load(file),
      (e: Error) => e.message.includes(`${file}:2`) && e.message.includes(`"${field}"`) && e.message.includes(message),
      JSON.stringify(row),
    );
  }
});

test("parseLetterCountQuestion never misreads: over the policy phrasings and the grammar, a parse is right or null; the authors' phrasings all parse", () => {
  const templates = [...POLICY_TRAIN_PHRASINGS, ...POLICY_HELD_OUT_PHRASINGS, ...grammarPhrasings()];
  const cases: [string, string[], string[]][] = [
    ['navigant', ['g'], ['g', 'n']],
    ['sassafras', ['a'], ['a', 's']],
    ['ionization', ['i'], ['i', 't']],
  ];
  // Prompts often open with a label ("Question: ", "Alice: ") or close with a request ("Answer in
  // English."): the grammar's own and ones it never uses. Neither is the word.
  const openings = ['', ...OPENINGS, 'Task: ', 'Riddle: ', 'Hey: ', 'Alice: ', 'Context: '];
  const closings = ['', ...CLOSINGS, ' Reply with the number only.', ' Answer in English.', ' Explain in detail.'];
  let parsed = 0;
  let total = 0;
  for (const [word, one, two] of cases)
    templates.forEach((p, i) => {
      const letters = p.letters === 1 ? one : two;
      const plain = renderPhrasing(p, letters, word);
      const decorated = `${openings[i % openings.length]}${plain}${closings[(i >> 3) % closings.length]}`;
      for (const question of [plain, decorated]) {
        const got = parseLetterCountQuestion(question);
        total++;
        if (got === null) continue;
        parsed++;
        assert.deepEqual(got, { word, letters }, question);
      }
    });
  // Most phrasings are read; the rest are left unjudged rather than misread.
  assert.ok(parsed / total > 0.6, `${parsed} of ${total}`);
  for (const [templates, letters] of [
    [TWO_LETTER_PHRASINGS, ['a', 's']],
    [ONE_LETTER_PHRASINGS, ['i']],
  ] as const)
    for (const t of templates)
      assert.deepEqual(parseLetterCountQuestion(renderLetterCountQuestion(t, { word: 'navigant', letters: [...letters] })), {
        word: 'navigant',
        letters,
      });
  // The examples the old last-token rule misread.
  assert.deepEqual(parseLetterCountQuestion('Together, how many g and n does navigant contain?'), {
    word: 'navigant',
    letters: ['g', 'n'],
  });
  assert.equal(parseLetterCountQuestion('In the word navigant, how many times does g occur?')?.word, 'navigant');
  assert.equal(parseLetterCountQuestion('Here is a word: "navigant". How many Gs does it contain?')?.letters.join(), 'g');
  // A prompt label is not the word; a word before a colon still is, when nothing else names one.
  assert.deepEqual(parseLetterCountQuestion('Question: How many Gs does navigant have?'), { word: 'navigant', letters: ['g'] });
  assert.equal(parseLetterCountQuestion('Question: how many g?'), null);
  assert.deepEqual(parseLetterCountQuestion('Q: how many g in the term navigant?'), { word: 'navigant', letters: ['g'] });
  assert.deepEqual(parseLetterCountQuestion('navigant: how many g and n?'), { word: 'navigant', letters: ['g', 'n'] });
});

test('parseLetterCountQuestion on phrasings from outside the repository: right or null, never another word or letter', () => {
  // [question, the word and letters a reader takes from it]
  const cases: [string, string, string[]][] = [
    // Labels and names before a colon, none in PROMPT_LABELS.
    ['Hey: how many r does strawberry have?', 'strawberry', ['r']],
    ['Riddle: how many r does strawberry have?', 'strawberry', ['r']],
    ['Alice: how many r does strawberry have?', 'strawberry', ['r']],
    ['Hello: how many t and o does tattoo have?', 'tattoo', ['t', 'o']],
    ['Questions: how many n in banana?', 'banana', ['n']],
    ['Word: banana. How many a?', 'banana', ['a']],
    ['Letter: a. Word: banana.', 'banana', ['a']],
    ['Alice: "How many n does banana have?"', 'banana', ['n']],
    ['Riddle: how many d in middle?', 'middle', ['d']],
    ['banana: how many a?', 'banana', ['a']],
    // "word" and "term" as ordinary nouns.
    ['Without long term memory, how many n does banana have?', 'banana', ['n']],
    ['Using the term loosely, how many n does banana have?', 'banana', ['n']],
    ['Short term question: how many n does banana have?', 'banana', ['n']],
    ['Answer in a word how many n does banana have', 'banana', ['n']],
    // Closing requests with "in X", and two words.
    ['How many r in strawberry? Explain in detail.', 'strawberry', ['r']],
    ['How many r in strawberry? Reply in English.', 'strawberry', ['r']],
    ['How many r in strawberry? Put your answer in brackets.', 'strawberry', ['r']],
    ['How many a are in banana and how many in apple?', 'banana', ['a']],
    ['How many n are in banana or in bandana?', 'banana', ['n']],
    // Letters that are excluded, not asked.
    ['How many letters other than n and a are in banana?', 'banana', ['n', 'a']],
    ['How many letters besides n are in banana?', 'banana', ['n']],
    ['Count the letters of banana except a.', 'banana', ['a']],
  ];
  let read = 0;
  for (const [question, word, letters] of cases) {
    const got = parseLetterCountQuestion(question);
    if (got === null) continue;
    read++;
    assert.deepEqual(got, { word, letters }, question);
  }
  // Those that say it plainly are still read.
  assert.ok(read >= 8, `${read} of ${cases.length} read`);
  for (const q of [
    'Hey: how many r does strawberry have?',
    'banana: how many a?',
    'Riddle: how many d in middle?',
    'How many r in strawberry? Explain in detail.',
  ])
    assert.notEqual(parseLetterCountQuestion(q), null, q);
  for (const q of ['How many letters other than n and a are in banana?', 'How many a are in banana and how many in apple?'])
    assert.equal(parseLetterCountQuestion(q), null, q);
});

test('letterCountParts drops a parse whose count disagrees with the integer reference', () => {
  // Read right: kept.
  assert.deepEqual(letterCountParts({ question: 'How many g and n are there in total in navigant?', reference: 3 }), {
    word: 'navigant',
    letters: ['g', 'n'],
  });
  // A reference the parse cannot give: the text says something else than the label, so nothing is trusted.
  assert.equal(letterCountParts({ question: 'How many g and n are there in total in navigant?', reference: 5 }), null);
  // A problem's own parts win over the text.
  assert.deepEqual(letterCountParts({ question: 'anything', word: 'navigant', letters: ['n'], reference: 2 }), {
    word: 'navigant',
    letters: ['n'],
  });
});
