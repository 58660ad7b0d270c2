/**
 * Reading training rows from files: SFT rows `{prompt, completion}` and DPO rows
 * `{prompt, chosen, rejected, common_prefix_chars}` (TRL plain formats, as `treecot build` writes
 * them to DIR/sft.jsonl and DIR/dpo.jsonl). JSONL or a JSON array; errors name file, line, field.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readRecords, requireField } from '../core/files.ts';
import { recoverForReading } from '../core/recover-for-reading.ts';
import { DataError } from '../core/errors.ts';
import type { PreferenceRow, SftRow } from './batching.ts';
import { trainsOnPairs, type LossSettings } from './config.ts';

/** The file to read: `path` itself, or DIR/dpo.jsonl (a pair loss is among the loss terms) / DIR/sft.jsonl (SFT alone). */
export function trainingDataFile(path: string, loss: Pick<LossSettings, 'lossType'>): string {
  recoverForReading(path); // a build cut between its two renames: the old data set back, or a clear error
  if (!existsSync(path)) throw new DataError({ file: path }, 'no such file or folder');
  if (!statSync(path).isDirectory()) return path;
  const name = trainsOnPairs(loss) ? 'dpo.jsonl' : 'sft.jsonl';
  const file = join(path, name);
  if (!existsSync(file))
    throw new DataError(
      { file },
      `the data folder has no ${name} for loss terms [${loss.lossType.join(', ')}] (written by \`treecot build\`)`,
    );
  return file;
}

/** SFT rows of `file`. @throws DataError naming file/line/field for a missing or non-string field. */
export function readSftRows(file: string): SftRow[] {
  return readRecords(file).map((r) => ({
    prompt: requireField(r, file, 'prompt', 'string') as string,
    completion: requireField(r, file, 'completion', 'string') as string,
  }));
}

/**
 * DPO rows of `file`; `common_prefix_chars` is optional (0 when absent) but must be a
 * non-negative integer no longer than both responses when present.
 * @throws DataError naming file/line/field.
 */
export function readPreferenceRows(file: string): PreferenceRow[] {
  return readRecords(file).map((r) => {
    const row: PreferenceRow = {
      prompt: requireField(r, file, 'prompt', 'string') as string,
      chosen: requireField(r, file, 'chosen', 'string') as string,
      rejected: requireField(r, file, 'rejected', 'string') as string,
    };
    const prefix = r.record.common_prefix_chars;
    if (prefix !== undefined && prefix !== null) {
      if (
        typeof prefix !== 'number' ||
        !Number.isInteger(prefix) ||
        prefix < 0 ||
        prefix > Math.min(row.chosen.length, row.rejected.length)
      ) {
        throw new DataError(
          { file, line: r.line, field: 'common_prefix_chars' },
          `expected an integer in [0, ${Math.min(row.chosen.length, row.rejected.length)}], got ${JSON.stringify(prefix)}`,
        );
      }
      row.common_prefix_chars = prefix;
    }
    return row;
  });
}
