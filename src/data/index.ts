/**
 * data/: search trees -> training data (METHOD.md sections 2-4): root-to-answer paths, SFT rows
 * with thoughts-length balance, fine-grained DPO pairs with the shared prefix recorded, stats and
 * card, exports (TRL, LLaMA-Factory, OpenRLHF, JSONL, Parquet) and the TRL training bundle.
 */
export type { CountTokens, DpoPair, LengthBin, LengthUnit, SftRow, TreePath } from './types.ts';
export { extractQuestionPaths, REFLECTION_TYPES, type ExtractCounts, type ExtractPathsOptions } from './extract-tree-paths.ts';
export {
  dropDuplicateResponses,
  lengthBinOf,
  rankCorrectPaths,
  selectSftPaths,
  sftPreferenceOrder,
  SFT_STRATEGIES,
  type RankedPath,
  type SftStrategy,
} from './length-balance.ts';
export {
  buildQuestionPairs,
  commonPrefixLength,
  isValidPair,
  makePair,
  sharedNodeCount,
  sharedThoughtBoundary,
  CHOSEN_STRATEGIES,
  type ChosenStrategy,
  type PairOptions,
} from './build-dpo-pairs.ts';
export {
  buildDataset,
  canonicalHash,
  parseBuildOptions,
  NOT_REJECTABLE_VERDICTS,
  BuildOptionsSchema,
  type BuildOptions,
  type BuildOptionsInput,
  type BuiltDataset,
} from './build-dataset.ts';
export { computeDatasetStats, STATS_SCHEMA, type DatasetStats } from './dataset-stats.ts';
export { renderDatasetCard } from './dataset-card.ts';
export * from './export-formats.ts';
export { rowsToParquet } from './parquet.ts';
export {
  renderDatasetFiles,
  writeDataset,
  writeFilesStaged,
  MANIFEST_SCHEMA,
  type DatasetManifest,
  type WriteDatasetOptions,
} from './write-dataset.ts';
export {
  allowedTrlKeys,
  checkTrlConfigKeys,
  TRL_VERSION_SPEC,
  TRL_MIN_VERSION,
  TRL_MAX_VERSION_EXCLUSIVE,
  type TrlCommand,
} from './trl-fields.ts';
export {
  parseTrlBundleOptions,
  readBuiltData,
  renderTrlBundle,
  trlConfigs,
  writeTrlBundle,
  TrlBundleOptionsSchema,
  PREPARE_DATA_PY,
  type TrlBundleOptions,
  type TrlBundleOptionsInput,
} from './trl-bundle.ts';
