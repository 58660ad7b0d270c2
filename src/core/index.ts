export * from './errors.ts';
export * from './rng.ts';
export * from './files.ts';
export * from './thought-format.ts';
export * from './prompt.ts';
export * from './canonical-json.ts';
export * from './provenance.ts';
