/**
 * The built-in model (issue 5 part B): its words, training rows, response format, per-step scoring,
 * and evaluation over a GGUF file. scripts/train-builtin.ts trains and ships models/builtin.gguf.
 */
export {
  builtinWordSplit,
  isHeldOutWord,
  isUsableWord,
  BUILTIN_MIN_WORD_LENGTH,
  BUILTIN_MAX_WORD_LENGTH,
  type BuiltinWordSplit,
} from './words.ts';
export { HARD_SET_WORDS } from './hard-set-words.ts';
export { BUILTIN_TAGS, formatLetterCountResponse, formatArithmeticResponse, type ArithmeticOperation } from './format.ts';
export {
  parseThoughts,
  scoreLetterCountSteps,
  scoreLetterCountResponse,
  summarizeStepAccuracy,
  type ParsedThought,
  type LetterCountQuery,
  type LetterCountStepTags,
  type LetterCountStepScore,
  type StepAccuracySummary,
} from './step-accuracy.ts';
export { buildStudentGrammarRows, buildStudentPolicyMixRows, STUDENT_MEAN_ROW_TOKENS, type StudentRowOptions } from './student-data.ts';
export { buildBuiltinRows, heldOutQuestions, parseSingleOperation, type BuiltinRow, type BuiltinRowOptions } from './data.ts';
export { openGgufGenerator, type GgufGenerator, type GenerateOptions } from './gguf-generator.ts';
export {
  evaluateBuiltinGguf,
  evaluateGreedy,
  evaluateSampled,
  loadHardSet,
  heldOutEvalQuestions,
  type EvalQuestion,
  type GreedySetResult,
  type SampledSetResult,
  type BuiltinEvalOptions,
  type BuiltinEvalReport,
} from './evaluate.ts';

/** Path of the shipped built-in model, relative to the package root. */
export const BUILTIN_MODEL_PATH = 'models/builtin.gguf';
export {
  POLICY_TRAIN_PHRASINGS,
  POLICY_HELD_OUT_PHRASINGS,
  POLICY_FRESH_PHRASINGS,
  renderPhrasing,
  templatesByLetters,
  type Phrasing,
} from './phrasings.ts';
export { grammarPhrasings, OPENINGS, CLOSINGS } from './phrasing-grammar.ts';
export {
  formatPolicyResponse,
  markedSpelling,
  countsFromMarkedSpelling,
  correctAttempt,
  policySpelling,
  policyFormatOf,
  POLICY_FORMATS,
  POLICY_REFLECTION,
  type PolicyAttempt,
  type PolicyFormat,
} from './policy-format.ts';
export {
  buildPolicyRows,
  decorateGrammarQuestion,
  POLICY_GRAMMAR_SHARE,
  wrongAttempt,
  policyEvalQuestions,
  policyEvaluationSets,
  POLICY_MEAN_ROW_TOKENS,
  type PolicyRow,
  type PolicyRowOptions,
  type PolicyEvalQuestion,
  type SlipKind,
} from './policy-data.ts';
export { evaluatePolicySet, type PolicySetResult } from './policy-evaluate.ts';
export {
  buildLongCotRows,
  formatLongCotResponse,
  longCotQuestion,
  LONG_COT_RECHECK,
  type LongCotOptions,
  type LongCotRow,
} from './long-cot.ts';
