/**
 * IFEval instruction checkers: one pure function per instruction id of
 * data/ifeval/input_data.jsonl (25 ids). Each follows the official
 * `check_following` of google-research `instruction_following_eval/instructions.py`
 * (Zhou et al. 2023, "Instruction-Following Evaluation for Large Language Models").
 * Departures, where the official check needs a model we cannot ship:
 *   - sentence counting uses the module's rule-based splitter instead of NLTK Punkt (text.ts);
 *   - all-capital word counting uses a Treebank-like tokenizer instead of NLTK word_tokenize;
 *   - language identification uses tinyld instead of langdetect, with script / function-word
 *     rules for Marathi, Nepali, Punjabi and Swahili, which tinyld lacks (text.ts `isLanguage`);
 *   - keyword patterns are matched as literal text (the official code passes them to `re`
 *     unescaped; no keyword in the data set contains a regex character).
 */
import { countBulletLines, countPlaceholders, occurrences, PARAGRAPH_DIVIDER, parsesAsPythonJson, stripEnds, titles } from './scanners.ts';
import {
  countSentences,
  countWords,
  escapeRegExp,
  isLanguage,
  isLower,
  isUpper,
  PY_SPACE,
  pyFirstWord,
  pyStrip,
  stripChars,
  wordTokenize,
} from './text.ts';

/** Checker arguments (the row's `kwargs` entry for this instruction). */
export type InstructionKwargs = Record<string, unknown>;

/** A checker's result: followed or not, and what was measured (count, detected language, ...). */
export interface CheckResult {
  followed: boolean;
  /** What was measured, for reports (e.g. `{words: 212}`). */
  measured?: Record<string, unknown>;
}

type ArgKind = 'number' | 'string' | 'string[]' | 'relation';

interface CheckerSpec {
  /** Required kwargs and their kinds (validated at load time). */
  args: Record<string, ArgKind>;
  check(response: string, kwargs: InstructionKwargs): CheckResult;
}

const RELATIONS = ['less than', 'at least'] as const;

function compare(actual: number, relation: unknown, threshold: unknown): boolean {
  return relation === 'less than' ? actual < (threshold as number) : actual >= (threshold as number);
}

function counted(name: string, actual: number, relation: unknown, threshold: unknown): CheckResult {
  return { followed: compare(actual, relation, threshold), measured: { [name]: actual } };
}

const CONSTRAINED_OPTIONS = ['My answer is yes.', 'My answer is no.', 'My answer is maybe.'];

/** The checkers, by instruction id. */
export const CHECKERS: Record<string, CheckerSpec> = {
  'change_case:capital_word_frequency': {
    args: { capital_frequency: 'number', capital_relation: 'relation' },
    check: (v, k) => counted('capitalWords', wordTokenize(v).filter(isUpper).length, k.capital_relation, k.capital_frequency),
  },
  'change_case:english_capital': {
    args: {},
    check: (v) => {
      // Short-circuits like the official `value.isupper() and langdetect.detect(value) == "en"`.
      if (!isUpper(v)) return { followed: false, measured: { upper: false } };
      const lang = isLanguage(v, 'en');
      return { followed: lang.ok, measured: { upper: true, language: lang.detected } };
    },
  },
  'change_case:english_lowercase': {
    args: {},
    check: (v) => {
      if (!isLower(v)) return { followed: false, measured: { lower: false } };
      const lang = isLanguage(v, 'en');
      return { followed: lang.ok, measured: { lower: true, language: lang.detected } };
    },
  },
  'combination:repeat_prompt': {
    args: { prompt_to_repeat: 'string' },
    check: (v, k) => ({
      followed: pyStrip(v)
        .toLowerCase()
        .startsWith(pyStrip(k.prompt_to_repeat as string).toLowerCase()),
    }),
  },
  'combination:two_responses': {
    args: {},
    check: (v) => {
      const parts = v.split('******');
      const valid: string[] = [];
      for (const [i, part] of parts.entries()) {
        if (pyStrip(part) === '') {
          if (i !== 0 && i !== parts.length - 1) return { followed: false, measured: { emptyResponseInside: true } };
        } else valid.push(part);
      }
      return { followed: valid.length === 2 && pyStrip(valid[0]!) !== pyStrip(valid[1]!), measured: { responses: valid.length } };
    },
  },
  'detectable_content:number_placeholders': {
    args: { num_placeholders: 'number' },
    check: (v, k) => {
      const n = countPlaceholders(v);
      return { followed: n >= (k.num_placeholders as number), measured: { placeholders: n } };
    },
  },
  'detectable_content:postscript': {
    args: { postscript_marker: 'string' },
    check: (v, k) => {
      const marker = pyStrip(k.postscript_marker as string);
      // The official pattern is `\s*<marker>.*$` under re.MULTILINE; its leading `\s*` and trailing
      // `.*$` always match, so the test is whether the marker occurs (and stays linear in time).
      const pattern =
        marker === 'P.P.S'
          ? `p\\.${PY_SPACE}?p\\.${PY_SPACE}?s`
          : marker === 'P.S.'
            ? `p\\.${PY_SPACE}?s\\.`
            : escapeRegExp(marker.toLowerCase());
      return { followed: new RegExp(pattern).test(v.toLowerCase()) };
    },
  },
  'detectable_format:constrained_response': {
    args: {},
    check: (v) => ({ followed: CONSTRAINED_OPTIONS.some((o) => pyStrip(v).includes(o)) }),
  },
  'detectable_format:json_format': {
    args: {},
    check: (v) => {
      let s = pyStrip(v);
      for (const prefix of ['```json', '```Json', '```JSON', '```']) if (s.startsWith(prefix)) s = s.slice(prefix.length);
      if (s.endsWith('```')) s = s.slice(0, -3);
      return { followed: parsesAsPythonJson(pyStrip(s)) };
    },
  },
  'detectable_format:multiple_sections': {
    args: { section_spliter: 'string', num_sections: 'number' },
    check: (v, k) => {
      const splitter = new RegExp(`${PY_SPACE}?${escapeRegExp(pyStrip(k.section_spliter as string))}${PY_SPACE}?\\d+${PY_SPACE}?`, 'g');
      const sections = v.match(splitter)?.length ?? 0;
      return { followed: sections >= (k.num_sections as number), measured: { sections } };
    },
  },
  'detectable_format:number_bullet_lists': {
    args: { num_bullets: 'number' },
    check: (v, k) => {
      const stars = countBulletLines(v, '*');
      const dashes = countBulletLines(v, '-');
      return { followed: stars + dashes === (k.num_bullets as number), measured: { bullets: stars + dashes } };
    },
  },
  'detectable_format:number_highlighted_sections': {
    args: { num_highlights: 'number' },
    check: (v, k) => {
      let n = 0;
      for (const h of v.match(/\*[^\n*]*\*/g) ?? []) if (pyStrip(stripChars(h, '*')) !== '') n++;
      for (const h of v.match(/\*\*[^\n*]*\*\*/g) ?? []) if (pyStrip(h.slice(2, -2)) !== '') n++;
      return { followed: n >= (k.num_highlights as number), measured: { highlights: n } };
    },
  },
  'detectable_format:title': {
    args: {},
    check: (v) => ({ followed: titles(v).some((t) => pyStrip(stripEnds(t, '<', '>')) !== '') }),
  },
  'keywords:existence': {
    args: { keywords: 'string[]' },
    check: (v, k) => {
      const missing = (k.keywords as string[]).filter((w) => occurrences(v, w) === 0);
      return { followed: missing.length === 0, measured: { missing } };
    },
  },
  'keywords:forbidden_words': {
    args: { forbidden_words: 'string[]' },
    check: (v, k) => {
      // `\b word \b`, case-insensitive (Python's Unicode \b: no word character on either side).
      const found = (k.forbidden_words as string[]).filter((w) => occurrences(v, w, true) > 0);
      return { followed: found.length === 0, measured: { found } };
    },
  },
  'keywords:frequency': {
    args: { keyword: 'string', frequency: 'number', relation: 'relation' },
    check: (v, k) => counted('occurrences', occurrences(v, pyStrip(k.keyword as string)), k.relation, k.frequency),
  },
  'keywords:letter_frequency': {
    args: { letter: 'string', let_frequency: 'number', let_relation: 'relation' },
    check: (v, k) => {
      const letter = pyStrip(k.letter as string).toLowerCase();
      let n = 0;
      for (const c of v.toLowerCase()) if (c === letter) n++;
      return counted('letters', n, k.let_relation, k.let_frequency);
    },
  },
  'language:response_language': {
    args: { language: 'string' },
    check: (v, k) => {
      const lang = isLanguage(v, k.language as string);
      return { followed: lang.ok, measured: { language: lang.detected } };
    },
  },
  'length_constraints:nth_paragraph_first_word': {
    args: { num_paragraphs: 'number', nth_paragraph: 'number', first_word: 'string' },
    check: (v, k) => {
      const paragraphs = v.split('\n\n');
      const count = paragraphs.filter((p) => pyStrip(p) !== '').length;
      const nth = k.nth_paragraph as number;
      if (nth > count) return { followed: false, measured: { paragraphs: count } };
      const paragraph = pyStrip(paragraphs[nth - 1]!);
      if (paragraph === '') return { followed: false, measured: { paragraphs: count, firstWord: '' } };
      const word = pyFirstWord(paragraph).replace(/^'+/, '').replace(/^"+/, '');
      let firstWord = '';
      for (const c of word) {
        if ('.,?!\'"'.includes(c)) break;
        firstWord += c.toLowerCase();
      }
      return {
        followed: count === k.num_paragraphs && firstWord === (k.first_word as string).toLowerCase(),
        measured: { paragraphs: count, firstWord },
      };
    },
  },
  'length_constraints:number_paragraphs': {
    args: { num_paragraphs: 'number' },
    check: (v, k) => {
      const parts = v.split(PARAGRAPH_DIVIDER);
      let count = parts.length;
      for (const [i, part] of parts.entries()) {
        if (pyStrip(part) !== '') continue;
        if (i === 0 || i === parts.length - 1) count--;
        else return { followed: false, measured: { emptyParagraphInside: true } };
      }
      return { followed: count === k.num_paragraphs, measured: { paragraphs: count } };
    },
  },
  'length_constraints:number_sentences': {
    args: { num_sentences: 'number', relation: 'relation' },
    check: (v, k) => counted('sentences', countSentences(v), k.relation, k.num_sentences),
  },
  'length_constraints:number_words': {
    args: { num_words: 'number', relation: 'relation' },
    check: (v, k) => counted('words', countWords(v), k.relation, k.num_words),
  },
  'punctuation:no_comma': {
    args: {},
    check: (v) => ({ followed: !v.includes(','), measured: { commas: v.split(',').length - 1 } }),
  },
  'startend:end_checker': {
    args: { end_phrase: 'string' },
    check: (v, k) => ({
      followed: stripChars(pyStrip(v), '"')
        .toLowerCase()
        .endsWith(pyStrip(k.end_phrase as string).toLowerCase()),
    }),
  },
  'startend:quotation': {
    args: {},
    check: (v) => {
      const s = pyStrip(v);
      return { followed: s.length > 1 && s.startsWith('"') && s.endsWith('"') };
    },
  },
};

/**
 * Problems with an instruction's kwargs, as messages (empty when valid): unknown id, missing
 * argument, wrong type, relation not "less than" / "at least".
 */
export function validateInstruction(id: string, kwargs: InstructionKwargs): string[] {
  const spec = CHECKERS[id];
  if (!spec) return [`unknown instruction id "${id}" (known: ${Object.keys(CHECKERS).length} ids, see docs/tasks-other.md)`];
  const problems: string[] = [];
  for (const [name, kind] of Object.entries(spec.args)) {
    const value = kwargs[name];
    const ok =
      kind === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : kind === 'string'
          ? typeof value === 'string'
          : kind === 'string[]'
            ? Array.isArray(value) && value.every((x) => typeof x === 'string')
            : RELATIONS.includes(value as (typeof RELATIONS)[number]);
    if (!ok)
      problems.push(
        `${id}: argument "${name}" must be ${kind === 'relation' ? '"less than" or "at least"' : `a ${kind}`} (got ${JSON.stringify(value)})`,
      );
  }
  return problems;
}

/** Run one instruction's checker on a response (no empty-response rule; see `ifeval/task.ts`). */
export function checkInstruction(id: string, kwargs: InstructionKwargs, response: string): CheckResult {
  const spec = CHECKERS[id];
  if (!spec) throw new Error(`unknown IFEval instruction id "${id}"`);
  return spec.check(response, kwargs);
}
