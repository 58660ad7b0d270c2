/** The end-to-end pipeline (`treecot run` / `treecot demo`): config, stages, report. */
export {
  loadPipelineConfig,
  parsePipelineConfig,
  resolveConfigPath,
  configFiles,
  checkConfigFiles,
  PipelineConfigSchema,
} from './config.ts';
export type { LoadedPipelineConfig, PipelineConfig, QuestionSourceConfig, EvalSetConfig } from './config.ts';
export { runPipeline } from './run-pipeline.ts';
export type { RunPipelineOptions, RoundModels } from './run-pipeline.ts';
export { setResultFromJsonl } from './stages/eval-model.ts';
export { RunLayout } from './run-layout.ts';
export type { TrainFolder } from './run-layout.ts';
export { runStage, readStageMarker, STAGE_MARKER, StageRunner } from './stage.ts';
export type { Stage, StageMarker, PipelineLog } from './stage.ts';
export { renderReportHtml, renderReportMarkdown } from './report.ts';
export { searchFailures, type SearchFailure } from './search-failures.ts';
export { barChart, histogram, binValues } from './svg.ts';
export { openPolicy, loadSearchSettings } from './adapters.ts';
export { baseModelRef, describeModel } from './model-ref.ts';
export type { ModelRef } from './model-ref.ts';
export { loadQuestions, stepScorerFor, describeSource } from './questions.ts';
export type * from './summary-types.ts';
export { letterCountProcessCheck, processCheckFor } from './process-check.ts';
export type { ProcessCheck } from './process-check.ts';
