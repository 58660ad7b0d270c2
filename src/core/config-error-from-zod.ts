/**
 * The one conversion of a zod validation failure into a ConfigError, used by every config and
 * options parser (search, pipeline, train, build, export-trl), so they all say the same things:
 * - the location: file (or source label such as "(command line)"), the line when the caller can
 *   map a field path to one (YAML), and the field as a dotted path ("(root)" for the whole value);
 * - an unknown key is named as the field itself (`search.uct`, so the line points at it), and the
 *   message names the object that lacks it and where the valid fields are documented;
 * - any other problem is zod's message plus the value found, e.g. `Too big: expected number to
 *   be <0.5 (got 0.7)` (docs/design.md: "`alpha` must be >= 0 (got -1) in train.yaml").
 * Only the first issue is reported: one fix at a time, as the parsers always did.
 */
import type { ZodError } from 'zod';
import { ConfigError } from './errors.ts';

export interface ZodErrorSource {
  /** File name or source label shown first in the message. */
  file: string;
  /** The value that was validated, to show what was found at the failing field. */
  input: unknown;
  /** 1-based line of a field path in the file, when the caller can tell (YAML documents). */
  lineOf?: (path: readonly PropertyKey[]) => number | undefined;
  /** The page that lists the valid fields, named in the unknown-field message (e.g. 'docs/search.md'). */
  docs?: string;
}

/** Longest shown value before it is cut with '...'. */
const MAX_SHOWN = 60;

/** The value at `path` inside `input`, or undefined when the path does not exist. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A found value as the message shows it: numbers bare, everything else as JSON, cut to MAX_SHOWN. */
function show(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

const fieldName = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(root)';

/** The ConfigError for the first issue of `error` (see the module doc). */
export function configErrorFromZod(error: ZodError, source: ZodErrorSource): ConfigError {
  const issue = error.issues[0]!;
  const at = (path: readonly PropertyKey[], problem: string) =>
    new ConfigError({ file: source.file, line: source.lineOf?.(path), field: fieldName(path) }, problem, { cause: error });
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const owner = issue.path.length === 0 ? 'the top level' : `field "${fieldName(issue.path)}"`;
    const where = source.docs ? ` against ${source.docs}` : '';
    return at(
      [...issue.path, keys[0]!],
      `unknown field: ${owner} has no ${keys.map((k) => JSON.stringify(k)).join(', ')}; check the spelling${where}`,
    );
  }
  const found = valueAt(source.input, issue.path);
  return at(issue.path, `${issue.message}${found !== undefined ? ` (got ${show(found)})` : ''}`);
}
