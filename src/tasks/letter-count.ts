/**
 * The `letter-count` task: "how many X (and Y) in WORD" questions with an integer answer, as in
 * the Marco-o1 v2 demo set (data/letter-count/letter_count_hard.json,
 * `{id, problem, solution}`). The authors grade with `count_latter`: the integer of the final
 * answer equals `solution`.
 */
import { DataError } from '../core/errors.ts';
import { loadProblems } from './load-problems.ts';
import type { SourcedRecord } from '../core/index.ts';
import { extractFinalNumber, integerReference, verifyInteger } from './integer-answer.ts';
import { countLetter, letterCountParts, letterCountTrace } from './letter-count-questions.ts';
import type { LoadOptions, Problem, Task, Verdict } from './types.ts';

/**
 * The authors' task instruction (`base_prompt` of marco_o1_demo_config.json, verbatim; it ends
 * with "Now the question is: " so the question follows directly). The built-in compact model
 * is prompted with the bare question instead (instruction '').
 */
export const LETTER_COUNT_BASE_PROMPT =
  'Now you need to complete a task related to letters.\n' +
  'First, you need to break down the task in <sub-task>, and your breakdown should be as detailed as possible, considering verification and correction.\n' +
  'In <thinking>, you need to complete the tasks broken down in subtask, with one sub-task per <thinking>. For example, if you breakdown into 3 sub-tasks, you need to output 3 <thinking> to complete each of these steps. You need to thinking carefully, you need to do split the string and compute *letter by letter*.\n' +
  'In <double-check>, ensure that the steps in <thinking> are correct, including but not limited to word spelling and calculations. If you find errors, you need to clearly point them out.\n' +
  'In <reflection>, correct your mistakes and provide the correct answer.\n' +
  'In <answer>, output your answer, and the answer should be clearly stated in boxed{xx}.\n' +
  'Note that these tags cannot be nested, but they can be sequential, so try to keep actions within tags atomic.\n\n' +
  'Now the question is: ';

/**
 * Optional `word` and `letters` of a data row: a problem that names its parts is judged by them
 * (process check, step scores) instead of by parsing the question text, so any phrasing works.
 * @throws DataError naming file, line and field: a malformed word or letter list, only one of the
 *   two fields, or a label that is not the count of those letters in that word.
 */
function letterCountFields(row: SourcedRecord, file: string, reference: unknown): Record<string, unknown> {
  const { word, letters } = row.record;
  if (word === undefined && letters === undefined) return {};
  const at = (field: string) => ({ file, line: row.line, field });
  if (typeof word !== 'string' || !/^\p{L}+$/u.test(word))
    throw new DataError(at('word'), `word must be a non-empty string of letters (got ${JSON.stringify(word)})`);
  if (!Array.isArray(letters) || letters.length === 0 || letters.some((l) => typeof l !== 'string' || !/^\p{L}$/u.test(l)))
    throw new DataError(at('letters'), `letters must be a non-empty list of single letters (got ${JSON.stringify(letters)})`);
  const lower = (letters as string[]).map((l) => l.toLowerCase());
  const count = lower.reduce((sum, l) => sum + countLetter(word, l), 0);
  if (count !== reference)
    throw new DataError(at('letters'), `the label is ${String(reference)} but ${lower.join(' and ')} occur ${count} times in "${word}"`);
  return { word: word.toLowerCase(), letters: lower };
}

export const letterCountTask: Task = {
  name: 'letter-count',
  description: 'Count letters in a word ("How many g and n are there in total in navigant?"); integer answer',
  defaultInstruction: LETTER_COUNT_BASE_PROMPT,

  /** Defaults: question `problem` (or `question`), answer `solution` (or `answer`), an integer. */
  load(file: string, options?: LoadOptions): Problem[] {
    return loadProblems(file, options, {
      questionField: ['problem', 'question'],
      answerField: ['solution', 'answer'],
      reference: (value, context) => {
        const count = integerReference(value, context);
        if (count < 0)
          throw new DataError(
            { file: context.file, line: context.line, field: context.field },
            `a letter count cannot be negative (got ${count})`,
          );
        return count;
      },
      extra: letterCountFields,
    });
  },

  extractAnswer: extractFinalNumber,

  /** details: `{word, letters, counts}` recounted from the problem's word and letters (letterCountParts). */
  verify(output: string, problem: Problem): Verdict {
    const parsed = letterCountParts(problem);
    const details = parsed
      ? { word: parsed.word, letters: parsed.letters, counts: parsed.letters.map((l) => countLetter(parsed.word, l)) }
      : undefined;
    return verifyInteger(output, problem.reference as number, details);
  },

  /**
   * The compact worked trace recomputed from the problem's word (so `treecot check` without
   * `--pred` re-checks every label against the word); null when it has none and the question does not parse.
   */
  goldOutput(problem: Problem): string | null {
    const parsed = letterCountParts(problem);
    return parsed ? letterCountTrace(parsed, '\n') : null;
  },
};
