/**
 * Reading a YAML (or JSON, a YAML subset) config file so that every later error can name the
 * line: the parsed value plus `lineOf(path)`, the 1-based line of a field path (or of its
 * nearest ancestor present in the file). Used by the search and pipeline config loaders, whose
 * zod errors go through `configErrorFromZod` with this `lineOf`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument } from 'yaml';
import { ConfigError } from './errors.ts';

export interface ConfigFile {
  /** The parsed document as plain values. */
  value: unknown;
  /** 1-based line of `path` in the file; undefined when not even the root has a position. */
  lineOf: (path: readonly PropertyKey[]) => number | undefined;
}

/**
 * Read and parse `file`.
 * @throws ConfigError 'config file not found', or 'cannot parse: ...' with the line of the first
 *   syntax error.
 */
export function readConfigFile(file: string): ConfigFile {
  if (!existsSync(file)) throw new ConfigError({ file }, 'config file not found');
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new ConfigError({ file, line: lineCounter.linePos(error.pos[0]).line }, `cannot parse: ${error.message.split('\n')[0]}`);
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { value: doc.toJS(), lineOf };
}
