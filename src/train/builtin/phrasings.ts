/**
 * Question phrasings of the built-in **policy** model (issue 10 item 1): many templates so that it
 * reads the question instead of matching one of a dozen patterns, and a held-out set of templates
 * that no training row uses, to measure phrasing generalisation.
 *
 * Placeholders: `{a}` / `{b}` the letters as asked (lower case), `{A}` / `{B}` the same letters in
 * upper case, `{word}` the word. Quotes are part of the template text, so quoted and unquoted letters
 * and words are both covered. The letter order of the answer is the order of `{a}`/`{A}` then
 * `{b}`/`{B}` in the list below, whatever order they take in the sentence.
 */

export interface Phrasing {
  /** 1 or 2 letters asked. */
  letters: 1 | 2;
  template: string;
}

const one = (template: string): Phrasing => ({ letters: 1, template });
const two = (template: string): Phrasing => ({ letters: 2, template });

/** 48 training templates (24 one-letter, 24 two-letter); the hard set's 7 are among them. */
export const POLICY_TRAIN_PHRASINGS: readonly Phrasing[] = [
  // one letter: unquoted, quoted, capitals, word first, imperative, possessive plural
  one('How many times does the letter {a} appear in {word}?'),
  one('How many times does the letter "{a}" appear in the word "{word}"?'),
  one("How many {a}'s are in {word}?"),
  one('How many {A}s are there in {word}?'),
  one('Count the occurrences of {a} in {word}.'),
  one("Count the letter '{a}' in '{word}'."),
  one('How many {a} are there in {word}?'),
  one('What is the count of {a} in {word}?'),
  one('Find the number of times {a} occurs in {word}.'),
  one('In the word {word}, how many times does {a} occur?'),
  one('In "{word}", how many {A} are there?'),
  one('{word}: how many {a}?'),
  one('Number of {a} in {word}?'),
  one('Tell me how many times {A} shows up in {word}.'),
  one('How often does {a} occur in the word {word}?'),
  one('Does {word} contain the letter {a}? How many times?'),
  one("How many letter {a}'s does {word} have?"),
  one('Give the number of {a} letters in {word}.'),
  one('Count how many times the letter {A} is used in "{word}".'),
  one('Looking at {word}, count the {a}.'),
  one('How many occurrences of "{a}" are in {word}?'),
  one('What number of times is {a} found in {word}?'),
  one('Please count {a} in {word}.'),
  one('The word is {word}. How many {a} does it have?'),
  // two letters: the hard set's 7, then other sentences and orders
  two('What is the sum of the counts of {a} and {b} in {word}?'),
  two('Find out the total number of {a} and {b} in {word}.'),
  two('How many {a} and {b} are there in total in {word}?'),
  two('What is the combined count of {a} and {b} in {word}?'),
  two('What is the combined total of {a} and {b} present in {word}?'),
  two('Calculate the total occurrences of {a} and {b} together in {word}.'),
  two('Add up the counts of {a} and {b} in {word}.'),
  two('How many times do the letters {a} and {b} appear in {word} altogether?'),
  two('How many letters "{a}" and "{b}" are in the word "{word}" in total?'),
  two("Count the '{a}' and '{b}' in '{word}' together."),
  two('How many {A}s and {B}s are in {word} combined?'),
  two('In the word {word}, what is the total number of {a} and {b}?'),
  two('In "{word}", count {A} and {B} together.'),
  two('{word}: total of {a} and {b}?'),
  two('Together, how many {a} and {b} does {word} contain?'),
  two('Total count of the letters {a} and {b} in {word}?'),
  two('How many {a} or {b} letters are in {word}?'),
  two('Give the combined number of {a} and {b} in the word {word}.'),
  two("How many {a}'s plus {b}'s are in {word}?"),
  two('Count every {a} and every {b} in {word}.'),
  two('Looking at {word}, how many {a} and {b} are there together?'),
  two('What do the counts of "{a}" and "{b}" in {word} add up to?'),
  two('Please add the number of {A} and the number of {B} in {word}.'),
  two('The word is {word}. How many {a} and {b} in total?'),
];

/** 12 held-out templates: never used for any training row (policy or student); evaluation only. */
export const POLICY_HELD_OUT_PHRASINGS: readonly Phrasing[] = [
  one('How many instances of the letter {a} can you find in {word}?'),
  one('Within "{word}", how many times is {A} written?'),
  one("What's the frequency of '{a}' in {word}?"),
  one('{word} has how many {a} in it?'),
  one('Spot every {a} in {word}: how many are there?'),
  one('Can you count the {A} letters in the word {word}?'),
  two('What is the total of {a} and {b} letters within {word}?'),
  two('Within "{word}", how many {A} and {B} appear altogether?'),
  two("What's the frequency of '{a}' and '{b}' combined in {word}?"),
  two('{word} has how many {a} and {b} together?'),
  two('Spot every {a} and {b} in {word}: how many in total?'),
  two('Can you add the number of {A} letters to the number of {B} letters in the word {word}?'),
];

/**
 * 8 more evaluation-only templates, written on 2026-12-06 after the second training stage's design
 * (policy-data.ts `contextShare`) was fixed and before any model answered them. That design came from
 * reading the policy's word-copy errors on the 12 held-out templates above, so those 12 no longer
 * measure phrasing generalisation untouched by design choices; these 8 do. Unlike the 12, their
 * everyday words are not kept out of training (the chatter words hold most of them).
 */
export const POLICY_FRESH_PHRASINGS: readonly Phrasing[] = [
  one('Out of all the letters in {word}, how many are {a}?'),
  one('Tally up the {A}s in "{word}".'),
  one("I need the number of {a}'s that {word} holds."),
  one("If I write out {word}, how many {a}'s do I put down?"),
  two('Out of all the letters in {word}, how many are {a} or {b}?'),
  two('Tally up the {A}s and {B}s in "{word}".'),
  two('Between them, how many times do {A} and {B} turn up in {word}?'),
  two("If I write out {word}, how many {a}'s and {b}'s do I put down?"),
];

/** Fill a template with lower-case letters and a word. */
export function renderPhrasing(phrasing: Phrasing, letters: readonly string[], word: string): string {
  if (letters.length !== phrasing.letters)
    throw new RangeError(`phrasing "${phrasing.template}" asks ${phrasing.letters} letter(s), got ${letters.length}`);
  const [a, b = ''] = letters;
  return phrasing.template
    .replaceAll('{a}', a!)
    .replaceAll('{b}', b)
    .replaceAll('{A}', a!.toUpperCase())
    .replaceAll('{B}', b.toUpperCase())
    .replaceAll('{word}', word);
}

/** The templates of a phrasing list by letter count, as letter-count-questions.ts's generator takes them. */
export function templatesByLetters(pool: readonly Phrasing[]): { one: string[]; two: string[] } {
  return {
    one: pool.filter((p) => p.letters === 1).map((p) => p.template),
    two: pool.filter((p) => p.letters === 2).map((p) => p.template),
  };
}
