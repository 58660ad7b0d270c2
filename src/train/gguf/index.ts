export * from './format.ts';
export { encodeGguf } from './writer.ts';
export { decodeGguf, readGguf } from './reader.ts';
export { llamaMetadata, encodeLlamaGguf, parseLlamaGguf, type LlamaGguf } from './llama.ts';
