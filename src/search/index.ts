/**
 * search/: MCTS over typed thoughts (docs/method.md section 1), after mctx's layout:
 * config (action graph), tree (struct of arrays, pure backup), action-selection (`uct(c)`,
 * swappable), simulate (selection down the tree), expand (the only async step), stop-rule,
 * question-search (one tree: simulate, expand, backup), run-search (scheduler over many
 * questions), export (trees as JSON/text).
 */
export {
  loadSearchConfig,
  parseSearchConfig,
  configHash,
  searchInstruction,
  canonicalJson,
  distanceToAnswer,
  ROOT_TYPE,
  ANSWER_TYPE,
  type SearchConfig,
  type NodeTypeConfig,
  type LoadedSearchConfig,
} from './config.ts';
export { SearchTree, NO_PARENT, backup, applyVirtualVisit, type TreeNodeInput } from './tree.ts';
export { uct, uctScore, type SelectChild } from './action-selection.ts';
export { decideStop, type StopRule, type StopDecision } from './stop-rule.ts';
export { simulate, type SimulationEnd } from './simulate.ts';
export { expand, childTypesAt, assistantPrefixFor } from './expand.ts';
export { searchQuestion, loadQuestionState, type QuestionOutcome } from './question-search.ts';
export {
  runSearch,
  parseShard,
  type RunSearchOptions,
  type SearchSummary,
  type SearchTotals,
  type SearchProgress,
  type Shard,
} from './run-search.ts';
export type { VerifyFn, ChildTypeFilter, SearchCounters, SearchContext, QuestionState } from './context.ts';
export { exportTree, formatTree, pathText, type ExportedTree } from './export-trees.ts';
export { createProgressReporter, type ProgressReporter } from './progress-bar.ts';
