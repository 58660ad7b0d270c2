/**
 * store/: the SQLite search database (better-sqlite3, WAL). Readers use `readRun`;
 * the search engine and `treecot merge` use `SearchStore`.
 */
export type { Annotation, StoredNode, StoredQuestion, StoredRun, QuestionStatus } from './types.ts';
export { numberPerQuestion, readRun, storedNodeFromRow, type NodeIdKind, type ReadRunOptions } from './read-run.ts';
export {
  SearchStore,
  runFromRow,
  type NewNode,
  type NodeRow,
  type QuestionRow,
  type RolloutRow,
  type NewQuestion,
  type RolloutCommit,
  type NewRun,
  type RunRow,
} from './search-store.ts';
export { SCHEMA_VERSION } from './schema.ts';
export { mergeStores, type MergeResult } from './merge.ts';
export { isSearchDone } from './status.ts';
export { asStoreError, isSqliteError } from './sqlite-error.ts';
export { hasStoredWork, storedTotals, type SearchTotals } from './selected-questions.ts';
export { ViewQueries, type QuestionSummary, type ReviewItem, type ViewNode } from './view-queries.ts';
export {
  AnnotationWriter,
  annotationLineSchema,
  contentSha256,
  type AnnotationEntry,
  type AnnotationInput,
  type AnnotationLine,
} from './annotations.ts';
