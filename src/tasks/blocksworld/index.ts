export {
  blocksworldTask,
  loadBlocksworld,
  verifyBlocksworld,
  type BlocksworldReference,
  type BlocksworldDetails,
  type FailingStep,
} from './task.ts';
export { BlocksState, formatFact, formatAction, OPERATOR_ARITY, type Fact, type Action, type OperatorName } from './domain.ts';
export { parseBlocksProblem, parseFacts, parsePlan, planText, formatPlanPddl, formatPlanEnglish, type BlocksProblem } from './parse.ts';
