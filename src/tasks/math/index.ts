/**
 * The `math` task (MATH-500, Hendrycks et al. 2021 in the PRM800K split; also AIME 2024/2025):
 * the final answer is the last `\boxed{}` (extract.ts) and is compared with the reference by
 * mathematical equivalence (equivalence.ts). `aime` is the same task with AIME's field names.
 */
import { DataError } from '../../core/index.ts';
import { loadProblems, type FieldContext } from '../load-problems.ts';
import type { LoadOptions, Problem, Task, Verdict } from '../types.ts';
import { extractMathAnswer, extractMathAnswerLenient } from './extract.ts';
import { answersEquivalent } from './equivalence.ts';

export { extractMathAnswer, extractMathAnswerLenient, lastBoxed } from './extract.ts';
export { answersEquivalent, type Comparison } from './equivalence.ts';
export { normalizeAnswer } from './normalize.ts';

/** Reference of a math problem: the answer as LaTeX text, and the row's worked solution if any. */
export interface MathReference {
  answer: string;
  /** The row's `solution` field (contains a `\boxed{}`), or null. */
  solution: string | null;
}

function toReference(value: unknown, context: FieldContext): MathReference {
  const answer = String(value).trim();
  if (answer === '') throw new DataError({ file: context.file, line: context.line, field: context.field }, 'empty answer');
  const solution = context.row.record.solution;
  return { answer, solution: typeof solution === 'string' ? solution : null };
}

/** Rules that decide math verdicts, keyed by how their reasons start (equivalence.ts, scalar.ts). */
const RULES: Array<[RegExp, string]> = [
  [/^same text/, 'text'],
  [/canonical expression/, 'canonical form'],
  [/^(?:equal values|values differ)/, 'value'],
  [/sample point|as functions of|undefined where/, 'identity at sample points'],
  [/equations?|multiples/, 'equation'],
  [/tuple|vector|matrix|brackets/, 'tuple/interval/matrix'],
  [/solution|union|values, got|list/, 'list/set'],
  [/base/, 'base-n numeral'],
  [/word|choice/, 'word/choice'],
  [/infinity/, 'infinity'],
];
function ruleOf(reason: string): string {
  return RULES.find(([pattern]) => pattern.test(reason))?.[1] ?? 'not comparable';
}

function makeMathTask(name: string, description: string, extract: (output: string) => string | null = extractMathAnswer): Task {
  return {
    name,
    description,
    defaultInstruction: 'Solve the following math problem step by step. Put the final answer in \\boxed{}.\n',
    load(file: string, options?: LoadOptions): Problem[] {
      return loadProblems(file, options, { questionField: ['problem', 'question'], answerField: 'answer', reference: toReference });
    },
    extractAnswer: extract,
    verify(output: string, problem: Problem): Verdict {
      const reference = (problem.reference as MathReference).answer;
      const extracted = extract(output);
      if (extracted === null)
        return { verdict: 'no_answer', extracted, reference, reason: 'no \\boxed{} or "The answer is" found', rule: 'no-answer' };
      const comparison = answersEquivalent(extracted, reference);
      return {
        verdict: comparison.equal ? 'correct' : 'wrong',
        extracted,
        reference,
        reason: comparison.reason,
        rule: ruleOf(comparison.reason),
      };
    },
    goldOutput(problem: Problem): string | null {
      const reference = problem.reference as MathReference;
      return reference.solution;
    },
  };
}

export const mathTask: Task = makeMathTask('math', 'MATH-500 / competition math: last \\boxed{} answer, equivalence via compute-engine');
/** `math` with Math-Verify's extraction fallback (the last `$...$` of the output); see extract.ts. */
export const mathLenientTask: Task = makeMathTask(
  'math-lenient',
  'math, also reading the last $...$ of an output without \\boxed{} (as Math-Verify does)',
  extractMathAnswerLenient,
);
/** AIME 2024/2025: same extraction and equivalence; answers are integers 0..999 (strings like "025" allowed). */
export const aimeTask: Task = makeMathTask('aime', 'AIME: integer answers 0..999 (alias of math)');
