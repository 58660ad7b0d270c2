/**
 * The task table (STYLE.md `tasks/`): name -> Task. Each task lives in its own file(s);
 * add one import and one entry per task.
 */
import type { Task } from './types.ts';
import { letterCountTask } from './letter-count.ts';
import { blocksworldTask } from './blocksworld/index.ts';

export type { Task, Problem, Verdict, VerdictKind, LoadOptions } from './types.ts';
export { loadProblems, DEFAULT_ID_FIELDS, type ProblemDefaults, type FieldContext } from './load-problems.ts';

export {
  letterCountTask,
  LETTER_COUNT_BASE_PROMPT,
  integerReference,
  verifyInteger,
} from './letter-count.ts';
export {
  TWO_LETTER_PHRASINGS,
  ONE_LETTER_PHRASINGS,
  parseLetterCountQuestion,
  countLetter,
  letterCountAnswer,
  letterCountTrace,
  renderLetterCountQuestion,
  generateLetterCountProblems,
  type LetterCountQuestion,
  type LetterCountGeneratorOptions,
  type GeneratedLetterCountProblem,
} from './letter-count-questions.ts';
export { extractFinalNumber, normalizeNumberToken } from './integer-answer.ts';
export * from './blocksworld/index.ts';

export const TASKS: Record<string, Task> = {
  'letter-count': letterCountTask,
  blocksworld: blocksworldTask,
};

/** @throws Error listing the known task names when `name` is unknown. */
export function getTask(name: string): Task {
  const task = TASKS[name];
  if (!task) throw new Error(`unknown task "${name}"; known tasks: ${Object.keys(TASKS).sort().join(', ')}`);
  return task;
}
