/**
 * Where the benchmark data lives: `$TREECOT_DATA` when set (a folder laid out like `data/`), else the
 * repository's own `data/` folder (copied byte for byte from public repositories; data/SOURCES.md).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository's `data/` folder (absolute). */
export const REPO_DATA_DIR = fileURLToPath(new URL('../../data', import.meta.url));

/** The data root in use: `$TREECOT_DATA` if set and non-empty, else REPO_DATA_DIR. */
export const DATA_DIR = process.env.TREECOT_DATA ? process.env.TREECOT_DATA : REPO_DATA_DIR;

/** Absolute path of a benchmark data file, e.g. `dataFile('gsm8k/test.jsonl')`. Tests fail (not skip) when it is missing. */
export function dataFile(relative: string): string {
  return join(DATA_DIR, relative);
}
