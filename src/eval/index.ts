/** Evaluation: metrics, the evaluation runner, summaries and comparison tables. */
export * from './metrics.ts';
export * from './types.ts';
export { evaluate, evaluateRecords, judgeSample, referenceText, writeEvalOutputs } from './evaluate.ts';
export { evaluateWithSearch, decodeVerifier, leadingAnswer } from './mcts-decode.ts';
export type { MctsDecodeOptions, VoteTally, DecodeVerifierOptions } from './mcts-decode.ts';
export { onPolicyChecker, splitPath } from './on-policy-path.ts';
export type { OnPolicyResult, PathThought, TagProbeOptions } from './on-policy-path.ts';
export type { EvaluateOptions, EvaluateResult, StepScorer } from './evaluate.ts';
export { summarize, meanStepScores } from './summarize.ts';
export type { SummaryContext } from './summarize.ts';
export {
  compareTable,
  compareWarnings,
  loadEvalSummary,
  loadEvalRecords,
  readQuestionRecords,
  pairedTable,
  percent,
  withError,
} from './compare.ts';
export * from './statistics.ts';
export * from './reflection.ts';
export * from './reflection-tags.ts';
export { compareRecords, questionShares, type RecordComparison } from './paired.ts';
