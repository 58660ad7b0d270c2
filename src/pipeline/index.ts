/** The end-to-end pipeline (`treecot run` / `treecot demo`): config, stages, report. */
export { loadPipelineConfig, parsePipelineConfig, resolveConfigPath, configFiles, checkConfigFiles, PipelineConfigSchema } from './config.ts';
export type { LoadedPipelineConfig, PipelineConfig, QuestionSourceConfig, EvalSetConfig } from './config.ts';
export { runPipeline, setResultFromJsonl } from './run-pipeline.ts';
export type { RunPipelineOptions } from './run-pipeline.ts';
export { runStage, readStageMarker, STAGE_MARKER } from './stage.ts';
export type { StageMarker, PipelineLog } from './stage.ts';
export { renderReportHtml, renderReportMarkdown } from './report.ts';
export { barChart, histogram, binValues } from './svg.ts';
export { openPolicy, loadSearchSettings } from './adapters.ts';
export { baseModelRef, describeModel } from './model-ref.ts';
export type { ModelRef } from './model-ref.ts';
export { loadQuestions, stepScorerFor, describeSource } from './questions.ts';
export type * from './summary-types.ts';
export { letterCountProcessCheck, processCheckFor } from './process-check.ts';
export type { ProcessCheck } from './process-check.ts';
