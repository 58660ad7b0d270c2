import { test } from 'node:test';
import assert from 'node:assert/strict';
import { letterCountProcessCheck as makeCheck } from '../../src/pipeline/index.ts';
import { generateLetterCountProblems } from '../../src/tasks/index.ts';

const letterCountProcessCheck = makeCheck();

const q = 'How many g and n are there in total in navigant?'; // g:1, n:2 -> 3

test('letter-count process check: right answers through wrong steps are rejected, right steps kept', () => {
  const ok =
    '<sub-task>g+n</sub-task><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>';
  assert.equal(letterCountProcessCheck(q, ok), true);
  // Misspelt word, counts still right: rejected (a student trained on it would learn the misspelling).
  assert.equal(letterCountProcessCheck(q, ok.replace('navigant', 'navgant')), false);
  // The policy's marked spelling must carry exactly the running counts.
  const marked = ok.replace('navigant', 'n1avig1an2t');
  assert.equal(letterCountProcessCheck(q, marked), true);
  assert.equal(letterCountProcessCheck(q, ok.replace('navigant', 'n1avig1an1t')), false);
  assert.equal(letterCountProcessCheck(q, ok.replace('navigant', 'nav1igan2t')), false);
  // An empty or extra thinking step, a second answer, or a missing double-check for two letters.
  assert.equal(letterCountProcessCheck(q, ok.replace('<double-check>', '<thinking></thinking><double-check>')), false);
  assert.equal(letterCountProcessCheck(q, ok + '<answer>3</answer>'), false);
  assert.equal(letterCountProcessCheck(q, ok.replace('<double-check>1+2=3</double-check>', '')), false);
  // Lucky answer: wrong count step (g:2) and a wrong addition that lands on 3.
  assert.equal(letterCountProcessCheck(q, ok.replace('g:1', 'g:2').replace('1+2=3', '2+2=3')), false);
  // Letter-binding slip: counts "a" instead of "g".
  assert.equal(letterCountProcessCheck(q, ok.replace('g:1', 'a:1')), false);
  // An extra count step.
  assert.equal(letterCountProcessCheck(q, ok.replace('<double-check>', '<thinking>t:1</thinking><double-check>')), false);
  // Wrong addition, right answer.
  assert.equal(letterCountProcessCheck(q, ok.replace('1+2=3', '1+2=4')), false);
  // A reflection path is judged on its last attempt: the wrong first attempt is what the reflection corrects.
  const reflected =
    '<sub-task>g+n</sub-task><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:1</thinking><double-check>1+1=2</double-check>' +
    "<reflection>Wait! something is wrong, let's think again.</reflection><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>";
  assert.equal(letterCountProcessCheck(q, reflected), true);
  assert.equal(
    letterCountProcessCheck(
      q,
      reflected.replace('<thinking>n:2</thinking><double-check>1+2=3', '<thinking>n:1</thinking><double-check>1+2=3'),
    ),
    false,
  );
  // A question that does not parse is kept, and counted as unchecked.
  assert.equal(letterCountProcessCheck('What is 2 + 2?', '<answer>4</answer>'), true);
  assert.deepEqual([...letterCountProcessCheck.unchecked], ['What is 2 + 2?']);
});

test("letter-count process check: a problem's own word and letters decide, whatever the phrasing", () => {
  // The word first and an upper-case letter: the old parser took the last word, "written", for the word.
  const [problem] = generateLetterCountProblems({
    words: ['banana'],
    count: 1,
    seed: 1,
    twoLetterShare: 0,
    letterSampling: 'set',
    randomLetterShare: 0,
    phrasings: { one: ['Within "{word}", how many times is {A} written?'], two: [] },
  });
  const letter = problem!.letters[0]!;
  const n = [...'banana'].filter((c) => c === letter).length;
  assert.match(problem!.question, new RegExp(`^Within "banana", how many times is ${letter.toUpperCase()} written\\?$`));
  const right = `<sub-task>${letter}</sub-task><thinking>banana</thinking><thinking>${letter}:${n}</thinking><double-check>${letter}=${n}</double-check><answer>${n}</answer>`;
  // One letter: the double-check is optional (the compact format has none), but a wrong one is rejected.
  assert.equal(makeCheck([problem!])(problem!.question, right.replace(/<double-check>.*<\/double-check>/, '')), true);
  assert.equal(makeCheck([problem!])(problem!.question, right.replace(`${letter}=${n}`, `${letter}=${n + 1}`)), false);
  const check = makeCheck([problem!]);
  assert.equal(check(problem!.question, right), true);
  // Counting another letter of the word to the same total is a wrong process.
  const other = letter === 'a' ? 'n' : 'a';
  assert.equal(check(problem!.question, right.replace(`<thinking>${letter}:`, `<thinking>${other}:`)), false);
  assert.equal(check.unchecked.size, 0);
  // From the text alone the quoted word is read now, so the right path passes there too.
  const fromText = makeCheck();
  assert.equal(fromText(problem!.question, right), true);
  assert.equal(fromText.unchecked.size, 0);
});
