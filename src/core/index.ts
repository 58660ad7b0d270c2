export * from './errors.ts';
export * from './config-error-from-zod.ts';
export * from './config-file.ts';
export * from './rng.ts';
export * from './files.ts';
export * from './thought-format.ts';
export * from './prompt.ts';
export * from './canonical-json.ts';
