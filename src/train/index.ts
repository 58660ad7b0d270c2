/**
 * treecot's TypeScript trainer (issue 5). Work in progress: tokenizer and GGUF I/O first.
 */
export * from './tokenizer.ts';
export * from './model-config.ts';
export { initWeights } from './init.ts';
export * from './gguf/index.ts';
export * from './builtin/index.ts';
