/**
 * Text helpers for the IFEval checkers, written to behave like the Python the official
 * checkers use (google-research `instruction_following_eval/instructions_util.py`):
 * Python's Unicode `\w`, `str.isupper()` / `str.islower()`, `str.split()`, the module's own
 * rule-based sentence splitter, and language detection.
 */
import { createRequire } from 'node:module';

/** Python's Unicode `\w` (letters, numbers, underscore; combining marks are not word characters). */
export const WORD_CHAR = String.raw`[\p{L}\p{N}_]`;

/** Number of `\w+` runs: nltk `RegexpTokenizer(r"\w+")`, i.e. the official `count_words`. Exact. */
export function countWords(text: string): number {
  return text.match(WORD_RUN)?.length ?? 0;
}
const WORD_RUN = new RegExp(`${WORD_CHAR}+`, 'gu');

/** Python `str.isupper()`: at least one cased character and no lower-case one. */
export function isUpper(text: string): boolean {
  return text === text.toUpperCase() && text !== text.toLowerCase();
}

/** Python `str.islower()`: at least one cased character and no upper-case one. */
export function isLower(text: string): boolean {
  return text === text.toLowerCase() && text !== text.toUpperCase();
}

/** Python `str.strip()` of a set of characters (both ends). */
export function stripChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start]!)) start++;
  while (end > start && chars.includes(text[end - 1]!)) end--;
  return text.slice(start, end);
}

/** Python's `\s` for str patterns (JavaScript's `\s` adds U+FEFF and lacks U+001C..U+001F, U+0085). */
export const PY_SPACE = '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
/** Whether one character is Python `\s` (the code points of `PY_SPACE`). */
export function isPySpace(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python `s.split()[0]`: the first run of non-whitespace characters ('' when none). */
export function pyFirstWord(text: string): string {
  let start = 0;
  while (start < text.length && isPySpace(text[start]!)) start++;
  let end = start;
  while (end < text.length && !isPySpace(text[end]!)) end++;
  return text.slice(start, end);
}

/** Python `str.strip()` (strips Python whitespace, see `PY_SPACE`). */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPySpace(text[start]!)) start++;
  while (end > start && isPySpace(text[end - 1]!)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Python `str.split()` with no separator: runs of Python whitespace, no empty pieces. */
export function pySplit(text: string): string[] {
  return text.split(new RegExp(`${PY_SPACE}+`)).filter((piece) => piece !== '');
}

// ifeval's checkers import it from here with the other text helpers; the one definition is in core.
export { escapeRegExp } from '../../core/regexp.ts';

const ALPHABETS = '([A-Za-z])';
const PREFIXES = /(Mr|St|Mrs|Ms|Dr)[.]/g;
const SUFFIXES = '(Inc|Ltd|Jr|Sr|Co)';
const STARTERS =
  String.raw`(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\s|She\s|It\s|They\s|Their\s|Our\s|We\s|But\s|However\s|That\s|This\s|Wherever)`.replaceAll(
    '\\s',
    PY_SPACE,
  );
const ACRONYMS = '([A-Z][.][A-Z][.](?:[A-Z][.])?)';
const WEBSITES = /[.](com|net|org|io|gov|edu|me)/g;
const DIGITS = '([0-9])';

/**
 * Split text into sentences with the official module's rule-based `split_into_sentences`
 * (abbreviations Mr./Dr./Inc., acronyms, decimals, web domains and "..." do not end a
 * sentence; `.`, `?` and `!` do). The official `count_sentences` uses NLTK's Punkt model
 * instead, which we cannot ship; this rule agrees with it on ordinary prose and may differ on
 * unusual abbreviations.
 */
export function splitIntoSentences(input: string): string[] {
  let text = ` ${input}  `;
  text = text.replace(/\n/g, ' ');
  text = text.replace(PREFIXES, '$1<prd>');
  text = text.replace(WEBSITES, '<prd>$1');
  text = text.replace(new RegExp(`${DIGITS}[.]${DIGITS}`, 'g'), '$1<prd>$2');
  text = text.replace(/\.{2,}/g, (m) => '<prd>'.repeat(m.length) + '<stop>');
  if (text.includes('Ph.D')) text = text.replaceAll('Ph.D.', 'Ph<prd>D<prd>');
  text = text.replace(new RegExp(`${PY_SPACE}${ALPHABETS}[.] `, 'g'), ' $1<prd> ');
  text = text.replace(new RegExp(`${ACRONYMS} ${STARTERS}`, 'g'), '$1<stop> $2');
  text = text.replace(new RegExp(`${ALPHABETS}[.]${ALPHABETS}[.]${ALPHABETS}[.]`, 'g'), '$1<prd>$2<prd>$3<prd>');
  text = text.replace(new RegExp(`${ALPHABETS}[.]${ALPHABETS}[.]`, 'g'), '$1<prd>$2<prd>');
  text = text.replace(new RegExp(` ${SUFFIXES}[.] ${STARTERS}`, 'g'), ' $1<stop> $2');
  text = text.replace(new RegExp(` ${SUFFIXES}[.]`, 'g'), ' $1<prd>');
  text = text.replace(new RegExp(` ${ALPHABETS}[.]`, 'g'), ' $1<prd>');
  text = text.replaceAll('.”', '”.').replaceAll('."', '".').replaceAll('!"', '"!').replaceAll('?"', '"?');
  text = text.replaceAll('.', '.<stop>').replaceAll('?', '?<stop>').replaceAll('!', '!<stop>');
  text = text.replaceAll('<prd>', '.');
  let sentences = text.split('<stop>').map(pyStrip);
  if (sentences.length > 0 && sentences[sentences.length - 1] === '') sentences = sentences.slice(0, -1);
  return sentences;
}

/** Number of sentences (see `splitIntoSentences` for the rule and how it departs from Punkt). */
export function countSentences(text: string): number {
  return splitIntoSentences(text).length;
}

/**
 * Approximation of NLTK's `word_tokenize` (Punkt sentences, then the Treebank rules of
 * `NLTKWordTokenizer`): commas and colons not followed by a digit, `; @ # $ % & ? !`, brackets,
 * double quotes and `--` are split off; clitics (`'s 'm 'd 'll 're 've n't`) are split from
 * their word; "cannot", "gonna", "gimme", "gotta", "lemme", "wanna" become two tokens;
 * a final period is split off a word that has no other period (so "U.S.A." stays whole);
 * hyphenated words stay whole. Used only to count all-capital words (`isUpper` per token), where
 * only the split of cased text matters. Every step is one linear `replace`.
 */
export function wordTokenize(text: string): string[] {
  let t = ` ${text} `;
  t = t.replace(/([:,])(?=\D)/g, ' $1 ');
  t = t.replace(/\.\.\./g, ' ... ');
  t = t.replace(/[;@#$%&?!\][(){}<>"“”]/g, ' $& ');
  t = t.replace(/--/g, ' -- ');
  t = t.replace(/([^'\s])('[sSmMdD]|'ll|'LL|'re|'RE|'ve|'VE|n't|N'T)(?=\s)/g, '$1 $2');
  t = t.replace(/\b(can)(not)\b|\b(gon|wan)(na)\b|\b(gim|lem)(me)\b|\b(got)(ta)\b/gi, (m, ...groups: (string | undefined)[]) => {
    const parts = groups.slice(0, 8).filter((g): g is string => typeof g === 'string');
    return parts.length === 2 ? `${parts[0]} ${parts[1]}` : m;
  });
  const out: string[] = [];
  for (const token of pySplit(t)) {
    if (token.length > 1 && token.endsWith('.') && token.indexOf('.') === token.length - 1) out.push(token.slice(0, -1), '.');
    else out.push(token);
  }
  return out;
}

type Detector = (text: string) => string;
let tinyldDetect: Detector | null = null;

/** tinyld's `detect` (loaded on first use, synchronously, so importing the tasks stays cheap). */
function detector(): Detector {
  if (!tinyldDetect) tinyldDetect = (createRequire(import.meta.url)('tinyld') as { detect: Detector }).detect;
  return tinyldDetect;
}

/**
 * Frequent words that tell Hindi, Marathi and Nepali apart (all written in Devanagari; tinyld
 * knows only Hindi). Words shared by two of them are left out.
 */
const DEVANAGARI_MARKERS: Record<'hi' | 'mr' | 'ne', Set<string>> = {
  hi: new Set('है हैं और के की में का से यह नहीं था थे भी लिए कि'.split(' ')),
  mr: new Set('आहे आहेत आणि च्या चा ची चे नाही होते आम्ही मध्ये हे ते या म्हणून'.split(' ')),
  ne: new Set('छ छन् र हो मा गर्न भएको थियो हुन्छ त्यो यो हामी पनि छैन त्यसैले'.split(' ')),
};

/** Hindi, Marathi or Nepali by marker-word counts; `fallback` on a tie. */
function devanagariLanguage(text: string, fallback: string): string {
  const words = text.match(/[\p{L}\p{M}]+/gu) ?? [];
  let best = fallback;
  let bestCount = 0;
  for (const [code, markers] of Object.entries(DEVANAGARI_MARKERS)) {
    const count = words.filter((w) => markers.has(w)).length;
    if (count > bestCount) [best, bestCount] = [code, count];
  }
  return best;
}

/** Frequent Swahili function words (tinyld has no Swahili model). */
const SWAHILI_WORDS = new Set(
  'na ya wa kwa ni katika za la cha vya hii huo hiyo kuwa kama lakini pia sana wao yeye mimi wewe sisi nyinyi au bila kwamba ambao ambayo hata baada kabla kati juu chini zaidi tu hapa pale'.split(
    ' ',
  ),
);

/** Share of letters of `text` written in `script`. */
function scriptShare(text: string, script: RegExp): number {
  const letters = [...text].filter((c) => /\p{L}/u.test(c));
  if (letters.length === 0) return 0;
  return letters.filter((c) => script.test(c)).length / letters.length;
}

/**
 * Whether `text` is in language `code` (ISO 639-1), standing in for the official
 * `langdetect.detect(text) == code`. Uses tinyld (statistical, like langdetect). For codes
 * tinyld does not know, the rules are: text that is mostly Devanagari and that tinyld calls
 * Hindi is Hindi, Marathi or Nepali by counts of frequent marker words (Hindi on a tie);
 * pa = mostly Gurmukhi letters; sw = at least 15% of the words are common Swahili function words.
 * Text with no letters at all counts as followed, as langdetect's exception does officially.
 */
export function isLanguage(text: string, code: string): { ok: boolean; detected: string } {
  if (!/\p{L}/u.test(text)) return { ok: true, detected: '' };
  // langdetect reads at most 10,000 characters (its `max_text_length`); so do we.
  const sample = text.length > 10_000 ? text.slice(0, 10_000) : text;
  const detected = detector()(sample);
  if (code === 'sw') {
    const words = sample.toLowerCase().match(/\p{L}+/gu) ?? [];
    const share = words.filter((w) => SWAHILI_WORDS.has(w)).length / words.length;
    return { ok: share >= 0.15, detected: share >= 0.15 ? 'sw' : detected };
  }
  if (code === 'pa') {
    // Punjabi (Gurmukhi script): tinyld returns nothing for it.
    const ok = scriptShare(sample, /\p{Script=Gurmukhi}/u) > 0.5;
    return { ok, detected: ok ? 'pa' : detected };
  }
  if ((detected === 'hi' || detected === '') && scriptShare(sample, /\p{Script=Devanagari}/u) > 0.5) {
    const language = devanagariLanguage(sample, 'hi');
    return { ok: language === code, detected: language };
  }
  return { ok: detected === code, detected };
}
