/**
 * Reading user data files with precise errors, and writing outputs atomically.
 */
import { readFileSync, writeFileSync, renameSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ConfigError, DataError } from './errors.ts';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Read a user's text file (data, predictions, config): it must exist, be a file (not a
 * folder, not a device such as /dev/null that reads as nothing), and be valid UTF-8. A
 * leading BOM is dropped. Nothing is silently replaced: an invalid byte would otherwise become
 * U+FFFD inside a question or a training row.
 * @param kind 'config' raises ConfigError, 'data' DataError; both name the file (and the line
 *   of the first invalid byte).
 */
export function readUserText(file: string, kind: 'data' | 'config' = 'data'): string {
  const fail = (problem: string, line?: number): never => {
    const location = line === undefined ? { file } : { file, line };
    throw kind === 'config' ? new ConfigError(location, problem) : new DataError(location, problem);
  };
  if (!existsSync(file)) fail(kind === 'config' ? 'config file not found' : 'file not found');
  const stat = statSync(file);
  if (stat.isDirectory())
    fail(`is a directory; expected a ${kind === 'config' ? 'YAML or JSON config file' : 'JSONL file or a JSON array file'}`);
  if (!stat.isFile()) fail('is not a regular file (a device, pipe or socket)');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return fail(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    return fail(
      `not valid UTF-8 text (first bad byte at offset ${firstBadUtf8Offset(bytes)}); convert it to UTF-8`,
      lineOfOffset(bytes, firstBadUtf8Offset(bytes)),
    );
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Byte offset of the first invalid UTF-8 sequence (bytes.length when none). */
function firstBadUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (need > 0) {
      try {
        STRICT_UTF8.decode(bytes.subarray(i, i + need + 1));
      } catch {
        return i;
      }
    }
    i += need + 1;
  }
  return bytes.length;
}

function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 10) line++;
  return line;
}

/** One record of a data file with the 1-based line it started on (JSON arrays: the element's line). */
export interface SourcedRecord {
  record: Record<string, unknown>;
  line: number;
  index: number;
}

/**
 * Read a JSONL file (one object per line, blank lines skipped) or a JSON file holding an
 * array of objects. Format is chosen by content: a file whose first non-space char is `[`
 * is a JSON array.
 * The text is read with `readUserText` (a file, valid UTF-8, BOM dropped).
 * @throws DataError naming the file (and line) for a missing file, a folder, invalid UTF-8,
 *   malformed JSON, a row that is not an object, or no records at all when `emptyMessage` is given.
 */
export function readRecords(file: string, options: { emptyMessage?: string } = {}): SourcedRecord[] {
  const records = parseRecords(file, readUserText(file));
  if (records.length === 0 && options.emptyMessage) throw new DataError({ file }, options.emptyMessage);
  return records;
}

function parseRecords(file: string, text: string): SourcedRecord[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DataError({ file }, `malformed JSON array: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new DataError({ file }, 'expected a JSON array of objects');
    const lines = lineOfEachArrayElement(text, parsed.length);
    return parsed.map((record, index) => {
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new DataError({ file, line: lines[index] }, `element ${index} is not an object`);
      }
      return { record: record as Record<string, unknown>, line: lines[index] ?? 1, index };
    });
  }
  const out: SourcedRecord[] = [];
  const rows = text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!.trim();
    if (row === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(row);
    } catch (error) {
      if (out.length === 0 && isSingleJsonObject(text)) {
        throw new DataError({ file }, 'the file holds one JSON object; expected JSONL (one object per line) or a JSON array of objects');
      }
      throw new DataError({ file, line: i + 1 }, `malformed JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new DataError({ file, line: i + 1 }, 'row is not a JSON object');
    }
    out.push({ record: parsed as Record<string, unknown>, line: i + 1, index: out.length });
  }
  return out;
}

/** Whether the whole text parses as one JSON object (a pretty-printed object, not JSONL). */
function isSingleJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Best-effort 1-based line numbers of the elements of the JSON array that opens at character
 * `start` (default: the document's top-level array). Tracks depth and strings; returns at most
 * `count` lines.
 */
export function lineOfEachArrayElement(text: string, count: number, start = 0): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  for (let i = 0; i < start; i++) if (text.charCodeAt(i) === 10) line++;
  let inString = false;
  let expectingElement = false;
  for (let i = start; i < text.length && lines.length < count; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectingElement && !/\s/.test(c)) {
      lines.push(line);
      expectingElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectingElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectingElement = true;
  }
  return lines;
}

/**
 * Field access with errors that name file, line and field.
 * @throws DataError when the field is missing or has the wrong type.
 */
export function requireField(
  source: SourcedRecord,
  file: string,
  field: string,
  kind: 'string' | 'number' | 'string|number' | 'any',
): unknown {
  const value = source.record[field];
  if (value === undefined || value === null) {
    throw new DataError({ file, line: source.line, field }, `missing field (row has: ${Object.keys(source.record).join(', ')})`);
  }
  const t = typeof value;
  const ok =
    kind === 'any' ||
    (kind === 'string' && t === 'string') ||
    (kind === 'number' && t === 'number') ||
    (kind === 'string|number' && (t === 'string' || t === 'number'));
  if (!ok) throw new DataError({ file, line: source.line, field }, `expected ${kind}, got ${Array.isArray(value) ? 'array' : t}`);
  return value;
}

/**
 * Write a file atomically: write `<name>.tmp-<pid>` next to it, then rename. A crash
 * leaves either the old file or the new one, never half of one.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}`);
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Serialise rows as JSONL (one JSON object per line, trailing newline). */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}
