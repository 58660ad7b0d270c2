/**
 * The task table (docs/design.md `tasks/`): name -> Task. Each task lives in its own file(s);
 * add one import and one entry per task.
 */
import type { Task } from './types.ts';
import { letterCountTask } from './letter-count.ts';
import { blocksworldTask } from './blocksworld/index.ts';
import { arithmeticTask } from './arithmetic.ts';
import { ifevalTask, ifevalLooseTask } from './ifeval/index.ts';
import { gsm8kTask } from './gsm8k.ts';
import { mathTask, mathLenientTask, aimeTask } from './math/index.ts';
import { ConfigError } from '../core/errors.ts';

export type { Task, Problem, Verdict, VerdictKind, LoadOptions } from './types.ts';
export { loadProblems, DEFAULT_ID_FIELDS, type ProblemDefaults, type FieldContext } from './load-problems.ts';

export { letterCountTask, LETTER_COUNT_BASE_PROMPT } from './letter-count.ts';
export {
  TWO_LETTER_PHRASINGS,
  ONE_LETTER_PHRASINGS,
  parseLetterCountQuestion,
  letterCountParts,
  countLetter,
  letterCountAnswer,
  letterCountTrace,
  renderLetterCountQuestion,
  generateLetterCountProblems,
  type LetterCountQuestion,
  type LetterCountGeneratorOptions,
  type GeneratedLetterCountProblem,
} from './letter-count-questions.ts';
export { extractFinalNumber, normalizeNumberToken, integerReference, verifyInteger } from './integer-answer.ts';
export * from './blocksworld/index.ts';
export {
  arithmeticTask,
  generateArithmeticProblems,
  evaluateExpression,
  parseArithmeticQuestion,
  ARITHMETIC_PHRASINGS,
  type ArithmeticOperator,
  type ArithmeticGeneratorOptions,
  type GeneratedArithmeticProblem,
} from './arithmetic.ts';
export * from './ifeval/index.ts';
export { gsm8kTask, extractGsm8kAnswer, type Gsm8kReference } from './gsm8k.ts';
export { canonicalDecimal, MAX_EXPONENT } from './decimal.ts';
export {
  mathTask,
  mathLenientTask,
  aimeTask,
  extractMathAnswer,
  extractMathAnswerLenient,
  lastBoxed,
  answersEquivalent,
  normalizeAnswer,
  type MathReference,
  type Comparison,
} from './math/index.ts';
export { VerifierPool, type VerifierPoolOptions } from './verifier-pool.ts';

export const TASKS: Record<string, Task> = {
  'letter-count': letterCountTask,
  blocksworld: blocksworldTask,
  arithmetic: arithmeticTask,
  ifeval: ifevalTask,
  'ifeval-loose': ifevalLooseTask,
  gsm8k: gsm8kTask,
  math: mathTask,
  'math-lenient': mathLenientTask,
  aime: aimeTask,
};

/** @throws ConfigError (a TreecotError) listing the known task names when `name` is unknown. */
export function getTask(name: string): Task {
  const task = Object.hasOwn(TASKS, name) ? TASKS[name] : undefined;
  if (!task) throw new ConfigError({ file: '--task' }, `unknown task "${name}"; known tasks: ${Object.keys(TASKS).sort().join(', ')}`);
  return task;
}
