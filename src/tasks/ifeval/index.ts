export {
  ifevalTask,
  ifevalLooseTask,
  loadIfeval,
  verifyIfeval,
  checkInstructions,
  looseVariants,
  ifevalResponse,
  type IfevalInstruction,
  type IfevalReference,
  type IfevalInstructionResult,
  type IfevalDetails,
} from './task.ts';
export { CHECKERS, checkInstruction, validateInstruction, type InstructionKwargs, type CheckResult } from './checkers.ts';
export { splitIntoSentences, countSentences, countWords, wordTokenize, isLanguage, isUpper, isLower } from './text.ts';
