export { LlamaCppPolicy, createLlamaCppPolicy } from './llama-cpp-policy.ts';
export type { LlamaCppPolicyOptions } from './llama-cpp-policy.ts';
export { UnsupportedCharacterError, inspectVocabulary, checkAlphabet, tokenizePrompt, stopTriggers } from './vocabulary.ts';
export type { VocabularyInfo } from './vocabulary.ts';
