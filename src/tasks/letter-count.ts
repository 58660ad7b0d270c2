/**
 * The `letter-count` task: "how many X (and Y) in WORD" questions with an integer answer, as in
 * the Marco-o1 v2 demo set (data/letter-count/letter_count_hard.json,
 * `{id, problem, solution}`). The authors grade with `count_latter`: the integer of the final
 * answer equals `solution`.
 */
import { DataError } from '../core/errors.ts';
import { loadProblems } from './load-problems.ts';
import { extractFinalNumber, integerReference, verifyInteger } from './integer-answer.ts';
import { countLetter, letterCountTrace, parseLetterCountQuestion } from './letter-count-questions.ts';
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
    });
  },

  extractAnswer: extractFinalNumber,

  /** details: `{word, letters, counts}` recounted from the question text, when it parses. */
  verify(output: string, problem: Problem): Verdict {
    const parsed = parseLetterCountQuestion(problem.question);
    const details = parsed
      ? { word: parsed.word, letters: parsed.letters, counts: parsed.letters.map((l) => countLetter(parsed.word, l)) }
      : undefined;
    return verifyInteger(output, problem.reference as number, details);
  },

  /**
   * The compact worked trace recomputed from the question's word (so `treecot check` without
   * `--pred` re-checks every label against the word); null when the question does not parse.
   */
  goldOutput(problem: Problem): string | null {
    const parsed = parseLetterCountQuestion(problem.question);
    return parsed ? letterCountTrace(parsed, '\n') : null;
  },
};
