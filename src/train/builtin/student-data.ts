/**
 * Training rows of the two-model demo's **student** (issue 10; `train:builtin --role student`).
 *
 * Why: the first student (the built-in recipe, 12 phrasings) copied no word out of a sentence it never
 * saw, so the tree data could not teach it to read new phrasings (docs/pipeline.md). A student that
 * reads varied questions stands where the paper's students do (pretrained models that read any
 * phrasing), and what the trees add (the one-letter double-check, reflections, a right trace) can be
 * measured on phrasings neither model saw. Two mixes, both answered in the built-in trace (no
 * double-check for one letter, no reflection), neither ever rendering a held-out template:
 * - buildStudentPolicyMixRows (`--student-phrasings policy-training`, shipped): the policy's own
 *   question mix, 40% its 48 hand-written phrasings and 60% the phrasing grammar;
 * - buildStudentGrammarRows (`--student-phrasings grammar`): the built-in rows asked in the grammar
 *   alone (11 of the 48 hand-written templates are also among its 7,218). Measured: 2-layer students
 *   did not learn to read these in 6M tokens (docs/builtin-model.md "The student").
 */
import { Rng } from '../../core/index.ts';
import { buildBuiltinRows, type BuiltinRow } from './data.ts';
import { grammarPhrasings, varyQuestionContext, checkWordContextLists } from './phrasing-grammar.ts';
import { renderPhrasing, type Phrasing } from './phrasings.ts';
import { buildPolicyRows, decorateGrammarQuestion } from './policy-data.ts';
import { formatLetterCountResponse } from './format.ts';
import { builtinWordSplit } from './words.ts';

/**
 * Measured mean of BOS + prompt + response + EOS over 20,000 rows (seed 1, contextShare 0; the grammar
 * rows 106.3 at 0.5) of buildStudentGrammarRows and buildStudentPolicyMixRows. Like the built-in
 * constant, it only sizes the row set to about one epoch of a token budget, and stays a constant
 * because the row count seeds the data.
 */
export const STUDENT_MEAN_ROW_TOKENS: Readonly<Record<'grammar' | 'policy-training', number>> = { grammar: 96.9, 'policy-training': 89.7 };

export interface StudentRowOptions {
  count: number;
  seed: number;
  /** Share of rows whose word gets another preposition or opening (and half as many chatter); default 0. */
  contextShare?: number;
}

/**
 * The built-in rows of (count, seed), each letter-count question asked in a grammar phrasing with as
 * many letters. Row i depends only on (seed, i).
 * @throws RangeError for a contextShare outside [0, 1].
 */
export function buildStudentGrammarRows(options: StudentRowOptions): BuiltinRow[] {
  const contextShare = options.contextShare ?? 0;
  if (!(contextShare >= 0 && contextShare <= 1))
    throw new RangeError(`buildStudentGrammarRows: contextShare must be in [0, 1] (got ${contextShare})`);
  if (contextShare > 0) checkWordContextLists();
  const pool = grammarPhrasings();
  const byLetters = (n: number): Phrasing[] => pool.filter((p) => p.letters === n);
  const templates = { 1: byLetters(1), 2: byLetters(2) };
  const words = builtinWordSplit().train;
  const root = new Rng(options.seed);
  return buildBuiltinRows({
    count: options.count,
    seed: options.seed,
    ask: (problem, i) => {
      const rng = root.split(`student-grammar:${i}`);
      const phrasing = rng.pick(templates[problem.letters.length as 1 | 2]);
      // The context draws come from a stream of their own, so the phrasing and decoration stay as without them.
      const template =
        contextShare > 0
          ? varyQuestionContext(root.split(`student-context:${i}`), phrasing.template, contextShare, words, problem.word)
          : phrasing.template;
      return decorateGrammarQuestion(rng, renderPhrasing({ ...phrasing, template }, problem.letters, problem.word));
    },
  });
}

/**
 * The student's rows in the policy's whole training mix (`--student-phrasings policy-training`): the
 * questions of buildPolicyRows (40% the 48 hand-written training phrasings, 60% the grammar's; its
 * words and letters) without reflection rows, each answered in the student's own trace
 * (formatLetterCountResponse: no double-check for one letter). Row i depends only on (seed, i).
 * @throws RangeError for a contextShare outside [0, 1].
 */
export function buildStudentPolicyMixRows(options: StudentRowOptions): BuiltinRow[] {
  return buildPolicyRows({
    count: options.count,
    seed: options.seed,
    format: 'compact',
    reflectionShare: 0,
    contextShare: options.contextShare,
  }).map((row): BuiltinRow => ({ prompt: row.prompt, completion: formatLetterCountResponse(row.word, row.letters), kind: 'letter-count' }));
}
