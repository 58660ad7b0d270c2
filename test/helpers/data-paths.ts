/**
 * Where the shared benchmark data lives (never copied into the repo): $TREECOT_DATA, else
 * ../shared/data next to the repository, else /work/shared/data.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const candidates = [
  process.env.TREECOT_DATA,
  fileURLToPath(new URL('../../../shared/data', import.meta.url)),
  '/work/shared/data',
].filter((c): c is string => typeof c === 'string' && existsSync(c));

/** Absolute path of a shared data file, e.g. `dataFile('gsm8k/test.jsonl')`. Tests fail (not skip) when it is missing. */
export function dataFile(relative: string): string {
  return join(candidates[0] ?? '/work/shared/data', relative);
}
