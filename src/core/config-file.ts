/**
 * Reading a YAML (or JSON, a YAML subset) config file so that every later error can name the
 * line: the parsed value plus `lineOf(path)`, the 1-based line of a field path (or of its
 * nearest ancestor present in the file). Used by the search and pipeline config loaders, whose
 * zod errors go through `configErrorFromZod` with this `lineOf`.
 */
import { LineCounter, isNode, parseDocument } from 'yaml';
import { ConfigError } from './errors.ts';
import { readUserText } from './files.ts';

export interface ConfigFile {
  /** The parsed document as plain values. */
  value: unknown;
  /** 1-based line of `path` in the file; undefined when not even the root has a position. */
  lineOf: (path: readonly PropertyKey[]) => number | undefined;
}

/**
 * Read and parse `file`.
 * @throws ConfigError 'config file not found', a folder or device, invalid UTF-8, 'cannot parse:
 *   ...' with the line of the first syntax error, or too many YAML aliases.
 */
export function readConfigFile(file: string): ConfigFile {
  // A file (not a folder or device), strict UTF-8, BOM dropped (issue 15 items 6 and 9).
  const text = readUserText(file, 'config');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
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
  let value: unknown;
  try {
    // yaml caps alias expansion (maxAliasCount 100), so an alias bomb stops here, not in memory.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError({ file }, `cannot read the YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return { value, lineOf };
}
