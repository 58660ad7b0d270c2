/**
 * treecot's public library API: every module's public names (each module's own index.ts), so
 * `import { runSearch, getTask } from 'treecot'` works for library users (lib/index.js loads this
 * through tsx; there is no build step).
 */
export * from './core/index.ts';
export * from './tasks/index.ts';
export * from './policy/index.ts';
export * from './search/index.ts';
export * from './store/index.ts';
export * from './data/index.ts';
export * from './train/index.ts';
export * from './eval/index.ts';
export * from './pipeline/index.ts';
// Two modules name a row type SftRow: data/'s is the built dataset row, train/'s the trainer's input row.
export type { SftRow } from './data/index.ts';
export type { SftRow as TrainSftRow } from './train/index.ts';
// Two modules name an opener openPolicy: policy/'s opens a PolicySpec (the general one), pipeline/'s a ModelRef.
export { openPolicy } from './policy/index.ts';
export { openPolicy as openModelRefPolicy } from './pipeline/index.ts';
