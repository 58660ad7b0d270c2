import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ifevalTask,
  ifevalLooseTask,
  CHECKERS,
  checkInstruction,
  splitIntoSentences,
  countWords,
  wordTokenize,
  isLanguage,
  looseVariants,
  type IfevalDetails,
  type IfevalReference,
} from '../../src/tasks/ifeval/index.ts';
import type { Problem } from '../../src/tasks/types.ts';
import { dataFile } from '../helpers/data-paths.ts';

const DATA = dataFile('ifeval/input_data.jsonl');

type Case = [id: string, kwargs: Record<string, unknown>, response: string, followed: boolean];

/** Positive and negative cases for every instruction id (strict check of the response as given). */
const CASES: Case[] = [
  ['change_case:capital_word_frequency', { capital_frequency: 3, capital_relation: 'at least' }, 'This is VERY IMPORTANT, READ it.', true],
  ['change_case:capital_word_frequency', { capital_frequency: 3, capital_relation: 'at least' }, 'This is VERY important, read it.', false],
  ['change_case:capital_word_frequency', { capital_frequency: 2, capital_relation: 'less than' }, 'Only ONE capital word here.', true],
  ['change_case:capital_word_frequency', { capital_frequency: 2, capital_relation: 'less than' }, "DON'T do it.", false], // DO + N'T, as NLTK splits it
  ['change_case:english_capital', {}, 'THE WEATHER TODAY IS SUNNY AND WARM, SO WE WILL GO TO THE PARK.', true],
  ['change_case:english_capital', {}, 'THE WEATHER TODAY IS SUNNY AND warm, SO WE WILL GO TO THE PARK.', false],
  ['change_case:english_capital', {}, 'DAS WETTER IST HEUTE SONNIG UND WARM, DESHALB GEHEN WIR IN DEN PARK.', false],
  ['change_case:english_lowercase', {}, 'the weather today is sunny and warm, so we will go to the park.', true],
  ['change_case:english_lowercase', {}, 'The weather today is sunny and warm, so we will go to the park.', false],
  ['change_case:english_lowercase', {}, 'oggi il tempo è soleggiato e caldo, quindi andremo al parco.', false],
  ['combination:repeat_prompt', { prompt_to_repeat: 'Write a poem about cats.' }, 'write a poem about cats.\nCats are soft...', true],
  ['combination:repeat_prompt', { prompt_to_repeat: 'Write a poem about cats.' }, 'Sure! Write a poem about cats.', false],
  ['combination:two_responses', {}, 'First answer.\n******\nSecond answer.', true],
  ['combination:two_responses', {}, 'Same.\n******\nSame.', false],
  ['combination:two_responses', {}, 'One.\n******\n\n******\nTwo.', false],
  ['detectable_content:number_placeholders', { num_placeholders: 2 }, 'Dear [name], we live at [address].', true],
  ['detectable_content:number_placeholders', { num_placeholders: 2 }, 'Dear [name], we live at the address.', false],
  ['detectable_content:postscript', { postscript_marker: 'P.S.' }, 'Hello there.\n\nP.S. See you soon.', true],
  ['detectable_content:postscript', { postscript_marker: 'P.S.' }, 'Hello there. See you soon.', false],
  ['detectable_content:postscript', { postscript_marker: 'P.P.S' }, 'Hi.\nP.P.S. one more thing', true],
  ['detectable_content:postscript', { postscript_marker: 'P.P.S' }, 'Hi.\nP.S. one more thing', false],
  ['detectable_format:constrained_response', {}, 'My answer is yes.', true],
  ['detectable_format:constrained_response', {}, 'My answer is yes', false],
  ['detectable_format:json_format', {}, '```json\n{"a": [1, 2]}\n```', true],
  ['detectable_format:json_format', {}, '{"a": [1, 2]', false],
  ['detectable_format:json_format', {}, 'Here is the JSON: {"a": 1}', false],
  ['detectable_format:json_format', {}, '{"a": NaN, "b": -Infinity, "c": "NaN"}', true], // Python's json.loads accepts these
  ['detectable_format:multiple_sections', { section_spliter: 'Section', num_sections: 2 }, 'Section 1\nIntro.\nSection 2\nBody.', true],
  ['detectable_format:multiple_sections', { section_spliter: 'Section', num_sections: 3 }, 'Section 1\nIntro.\nSection 2\nBody.', false],
  ['detectable_format:number_bullet_lists', { num_bullets: 2 }, 'Points:\n* one\n- two', true],
  ['detectable_format:number_bullet_lists', { num_bullets: 2 }, 'Points:\n* one\n* two\n* three', false],
  ['detectable_format:number_bullet_lists', { num_bullets: 1 }, '**bold** is not a bullet\n* one', true],
  ['detectable_format:number_highlighted_sections', { num_highlights: 2 }, 'A *first part* and a **second part**.', true],
  ['detectable_format:number_highlighted_sections', { num_highlights: 2 }, 'Only *one* highlight and an empty ** one.', false],
  ['detectable_format:title', {}, '<<My Poem>>\nRoses are red.', true],
  ['detectable_format:title', {}, '<< >>\nRoses are red.', false],
  ['detectable_format:title', {}, '<<My\nPoem>>', false],
  ['keywords:existence', { keywords: ['cat', 'Moon'] }, 'The CAT looked at the moon.', true],
  ['keywords:existence', { keywords: ['cat', 'Moon'] }, 'The cat looked at the sun.', false],
  ['keywords:forbidden_words', { forbidden_words: ['rock'] }, 'I like rocky hills.', true],
  ['keywords:forbidden_words', { forbidden_words: ['rock'] }, 'I like Rock music.', false],
  ['keywords:frequency', { keyword: 'war', frequency: 2, relation: 'at least' }, 'War is war.', true],
  ['keywords:frequency', { keyword: 'war', frequency: 2, relation: 'at least' }, 'War is bad.', false],
  ['keywords:frequency', { keyword: 'peace', frequency: 1, relation: 'less than' }, 'No such word.', true],
  ['keywords:frequency', { keyword: 'peace', frequency: 1, relation: 'less than' }, 'Peace now.', false],
  ['keywords:letter_frequency', { letter: 'a', let_frequency: 3, let_relation: 'at least' }, 'A banana', true],
  ['keywords:letter_frequency', { letter: 'a', let_frequency: 3, let_relation: 'at least' }, 'A kiwi', false],
  ['keywords:letter_frequency', { letter: '#', let_frequency: 2, let_relation: 'less than' }, '# one', true],
  ['keywords:letter_frequency', { letter: '#', let_frequency: 2, let_relation: 'less than' }, '# one # two', false],
  ['language:response_language', { language: 'de' }, 'Das Wetter ist heute sonnig und warm, deshalb gehen wir in den Park.', true],
  ['language:response_language', { language: 'de' }, 'The weather today is sunny and warm, so we will go to the park.', false],
  ['language:response_language', { language: 'ko' }, '오늘 날씨가 맑고 따뜻해서 우리는 공원에 갈 것입니다.', true],
  ['language:response_language', { language: 'ko' }, '今日は天気が良くて暖かいので、公園に行きます。', false],
  [
    'length_constraints:nth_paragraph_first_word',
    { num_paragraphs: 2, nth_paragraph: 2, first_word: 'summary' },
    'Intro text.\n\n"Summary, all good.',
    true,
  ],
  // Official quirk: only . , ? ! ' " end the first word, so "Summary:" reads as "summary:".
  [
    'length_constraints:nth_paragraph_first_word',
    { num_paragraphs: 2, nth_paragraph: 2, first_word: 'summary' },
    'Intro text.\n\nSummary: all good.',
    false,
  ],
  [
    'length_constraints:nth_paragraph_first_word',
    { num_paragraphs: 2, nth_paragraph: 2, first_word: 'summary' },
    'Intro text.\n\nIn summary: all good.',
    false,
  ],
  [
    'length_constraints:nth_paragraph_first_word',
    { num_paragraphs: 3, nth_paragraph: 2, first_word: 'summary' },
    'Intro text.\n\nSummary: all good.',
    false,
  ],
  ['length_constraints:number_paragraphs', { num_paragraphs: 2 }, 'First.\n***\nSecond.', true],
  ['length_constraints:number_paragraphs', { num_paragraphs: 2 }, '***\nFirst.\n***\nSecond.\n***', true],
  ['length_constraints:number_paragraphs', { num_paragraphs: 2 }, 'First.\n***\n***\nSecond.', false],
  ['length_constraints:number_paragraphs', { num_paragraphs: 2 }, 'First.\n\nSecond.', false],
  [
    'length_constraints:number_sentences',
    { num_sentences: 3, relation: 'less than' },
    'Mr. Smith went to Washington. He stayed 2.5 days.',
    true,
  ],
  ['length_constraints:number_sentences', { num_sentences: 3, relation: 'less than' }, 'One. Two! Three?', false],
  ['length_constraints:number_sentences', { num_sentences: 3, relation: 'at least' }, 'One. Two! Three?', true],
  ['length_constraints:number_words', { num_words: 5, relation: 'at least' }, "It's a well-known fact.", true], // It, s, a, well, known, fact = 6
  ['length_constraints:number_words', { num_words: 5, relation: 'at least' }, 'Too short, sadly.', false],
  ['length_constraints:number_words', { num_words: 4, relation: 'less than' }, 'Too short, sadly.', true],
  ['punctuation:no_comma', {}, 'No commas here.', true],
  ['punctuation:no_comma', {}, 'One, two.', false],
  [
    'startend:end_checker',
    { end_phrase: 'Is there anything else I can help with?' },
    'Done. Is there anything else I can help with?"',
    true,
  ],
  [
    'startend:end_checker',
    { end_phrase: 'Is there anything else I can help with?' },
    'Is there anything else I can help with? Bye.',
    false,
  ],
  ['startend:quotation', {}, '  "All quoted."  ', true],
  ['startend:quotation', {}, '"Half quoted.', false],
  ['startend:quotation', {}, '"', false],
];

test('every checker has positive and negative unit cases', () => {
  const ids = Object.keys(CHECKERS);
  assert.equal(ids.length, 25);
  for (const id of ids) {
    assert.ok(
      CASES.some((c) => c[0] === id && c[3]),
      `${id}: no positive case`,
    );
    assert.ok(
      CASES.some((c) => c[0] === id && !c[3]),
      `${id}: no negative case`,
    );
  }
  for (const [id, kwargs, response, followed] of CASES) {
    assert.equal(
      checkInstruction(id, kwargs, response).followed,
      followed,
      `${id} ${JSON.stringify(kwargs)} on ${JSON.stringify(response)}`,
    );
  }
});

test('input_data.jsonl: 541 prompts, 834 instructions, all 25 ids known, kwargs valid', () => {
  const problems = ifevalTask.load(DATA);
  assert.equal(problems.length, 541);
  const instructions = problems.flatMap((p) => (p.reference as IfevalReference).instructions);
  assert.equal(instructions.length, 834);
  assert.deepEqual([...new Set(instructions.map((i) => i.id))].sort(), Object.keys(CHECKERS).sort());
  assert.equal(problems[0]!.id, '1000');
});

test('strict vs loose: markdown stars and a chatty first line fail strict, pass loose', () => {
  const problem: Problem = {
    id: 'p',
    question: 'Answer in lowercase with a title and end with "bye."',
    reference: {
      instructions: [
        { id: 'detectable_format:title', kwargs: {} },
        { id: 'startend:end_checker', kwargs: { end_phrase: 'bye.' } },
      ],
    },
  };
  // Last line breaks the end check; loose drops it.
  const chatty = '<<greeting>>\nhello there, bye.\nLet me know if you need more!';
  const strict = ifevalTask.verify(chatty, problem);
  const loose = ifevalLooseTask.verify(chatty, problem);
  assert.equal(strict.verdict, 'wrong');
  assert.equal(loose.verdict, 'correct');
  const details = strict.details as IfevalDetails;
  assert.deepEqual(
    details.instructions.map((i) => [i.id, i.strict, i.loose]),
    [
      ['detectable_format:title', true, true],
      ['startend:end_checker', false, true],
    ],
  );
  // Markdown stars around a quoted response: strict fails, loose strips the stars.
  const quoted: Problem = { id: 'q', question: '', reference: { instructions: [{ id: 'startend:quotation', kwargs: {} }] } };
  assert.equal(ifevalTask.verify('**"Quoted."**', quoted).verdict, 'wrong');
  assert.equal(ifevalLooseTask.verify('**"Quoted."**', quoted).verdict, 'correct');
  // A response that fails on every variant fails both.
  assert.equal(ifevalLooseTask.verify('No quotes at all.', quoted).verdict, 'wrong');
  assert.equal(looseVariants('a\nb\nc').length, 8);
  assert.deepEqual(looseVariants('*a*\nb\nc*'), ['*a*\nb\nc*', 'a\nb\nc', 'b\nc*', '*a*\nb', 'b', 'b\nc', 'a\nb', 'b']);
});

test('no answer, thought-tagged outputs, prompt-level rule', () => {
  const problem: Problem = {
    id: 'n',
    question: '',
    reference: {
      instructions: [
        { id: 'punctuation:no_comma', kwargs: {} },
        { id: 'keywords:existence', kwargs: { keywords: ['cat'] } },
      ],
    },
  };
  for (const empty of ['', '   \n ', '<thinking>hmm, well</thinking><answer> </answer>']) {
    const v = ifevalTask.verify(empty, problem);
    assert.equal(v.verdict, 'no_answer', JSON.stringify(empty));
    assert.equal(v.extracted, null);
  }
  // Only the last <answer> is the response: the comma in the thinking does not count.
  const tagged = ifevalTask.verify('<thinking>First, the cat</thinking>\n<answer>A cat sat</answer>', problem);
  assert.equal(tagged.verdict, 'correct');
  assert.equal(tagged.extracted, 'A cat sat');
  // One of two instructions fails: the prompt fails.
  const half = ifevalTask.verify('A cat, sitting', problem);
  assert.equal(half.verdict, 'wrong');
  assert.match(half.reason, /1 of 2 .*punctuation:no_comma/);
  assert.equal(half.reference, 'punctuation:no_comma, keywords:existence');
});

test('sentence splitter follows the official rule-based splitter', () => {
  assert.deepEqual(splitIntoSentences('Mr. Smith paid $2.50 at example.com. Then he left!'), [
    'Mr. Smith paid $2.50 at example.com.',
    'Then he left!',
  ]);
  assert.deepEqual(splitIntoSentences('The U.S.A. is big. Really?'), ['The U.S.A. is big.', 'Really?']);
  assert.deepEqual(splitIntoSentences('Wait... what? "Yes." He said.'), ['Wait...', 'what?', '"Yes".', 'He said.']);
  assert.deepEqual(splitIntoSentences('no terminal punctuation'), ['no terminal punctuation']);
  assert.equal(countWords("it's a well-known fact"), 6);
  assert.equal(countWords('नमस्ते दुनिया'), 5); // Python's \w does not match Devanagari vowel signs or virama
  // NLTK word_tokenize, cased tokens only (NLTK writes the quotes as `` and '').
  const cased = (text: string): string[] => wordTokenize(text).filter((t) => /\p{L}/u.test(t));
  assert.deepEqual(cased('"DON\'T go," he said.'), ['DO', "N'T", 'go', 'he', 'said']);
  assert.deepEqual(cased('HELLO,WORLD (NASA) A&B 1,000 well-known'), ['HELLO', 'WORLD', 'NASA', 'A', 'B', 'well-known']);
  assert.deepEqual(cased("I CANNOT, I'M gonna. The U.S.A. is big."), [
    'I',
    'CAN',
    'NOT',
    'I',
    "'M",
    'gon',
    'na',
    'The',
    'U.S.A.',
    'is',
    'big',
  ]);
  assert.deepEqual(cased('WHAT?!WHY;NOT'), ['WHAT', 'WHY', 'NOT']);
});

test('language rules for languages tinyld lacks (mr, ne, pa, sw) and Hindi look-alikes', () => {
  const hi = 'आज मौसम धूप वाला और गर्म है, इसलिए हम पार्क जाएंगे।';
  const mr = 'आज हवामान सूर्यप्रकाशित आणि उबदार आहे, म्हणून आम्ही उद्यानात जाऊ.';
  const ne = 'आज मौसम घमाइलो र न्यानो छ, त्यसैले हामी पार्क जानेछौं।';
  const pa = 'ਅੱਜ ਮੌਸਮ ਧੁੱਪ ਵਾਲਾ ਅਤੇ ਗਰਮ ਹੈ, ਇਸ ਲਈ ਅਸੀਂ ਪਾਰਕ ਜਾਵਾਂਗੇ।';
  const sw = 'Hali ya hewa leo ni ya jua na joto, kwa hiyo tutaenda kwenye bustani.';
  const en = 'The weather today is sunny and warm, so we will go to the park.';
  const texts: Record<string, string> = { hi, mr, ne, pa, sw, en };
  for (const [code, text] of Object.entries(texts)) {
    for (const other of Object.keys(texts)) assert.equal(isLanguage(text, other).ok, other === code, `${code} text judged as ${other}`);
  }
  assert.equal(isLanguage('12345 !!!', 'fr').ok, true, 'no letters: counted as followed, as langdetect errors are');
});

test('load: bad input names file, line and field', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'ifeval-'));
  const file = join(dir, 'rows.jsonl');
  const good = { key: 1, prompt: 'Say hi', instruction_id_list: ['punctuation:no_comma'], kwargs: [{}] };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...good, instruction_id_list: ['made:up'] }, /:2 field "instruction_id_list".*unknown instruction id "made:up"/],
    [{ ...good, instruction_id_list: ['keywords:frequency'], kwargs: [{ keyword: 'x', frequency: 2 }] }, /:2 field "kwargs".*"relation"/],
    [{ ...good, kwargs: [{}, {}] }, /:2 field "kwargs".*aligned/],
    [{ key: 2, instruction_id_list: [], kwargs: [] }, /:2 field "prompt".*missing/],
    [{ ...good, key: 1 }, /:2 field "key".*duplicate id "1"/],
    // No key: the id is the row index, 1, which the first row's key already holds.
    [{ prompt: 'Say hi', instruction_id_list: ['punctuation:no_comma'], kwargs: [{}] }, /:2 field "\(row index\)".*duplicate id "1"/],
  ];
  for (const [row, pattern] of cases) {
    writeFileSync(file, `${JSON.stringify(good)}\n${JSON.stringify(row)}\n`);
    assert.throws(
      () => ifevalTask.load(file),
      (e: Error) => e.message.startsWith(file) && pattern.test(e.message),
      JSON.stringify(row),
    );
  }
});
