/**
 * SQLite failures as StoreErrors that name the file and say what to do (issue 15 item 6,
 * item 13): a damaged file, a full disk, a read-only location. better-sqlite3 throws a
 * `SqliteError` with a `SQLITE_*` code and no file name.
 */
import { StoreError, TreecotError } from '../core/errors.ts';

const ADVICE: [RegExp, string][] = [
  [/^SQLITE_(CORRUPT|NOTADB)/, 'the file is damaged; restore it from a copy, or salvage it with `sqlite3 FILE .recover | sqlite3 NEW.db`'],
  [/^SQLITE_FULL/, 'the disk is full; free some space and re-run the same command (everything committed so far is kept)'],
  [/^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/, 'the file or its folder is not writable here; choose another location or fix the permissions'],
  [/^SQLITE_IOERR/, 'the disk reported an I/O error (full, removed or failing); re-run the same command once it is fixed'],
];

/** Whether `error` came from SQLite (better-sqlite3's SqliteError). */
export function isSqliteError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && error.name === 'SqliteError' && typeof (error as { code?: unknown }).code === 'string';
}

/** `error` as a StoreError naming `file` when it is a SQLite error; otherwise `error` itself. */
export function asStoreError(file: string, error: unknown): unknown {
  if (TreecotError.isInstance(error) || !isSqliteError(error)) return error;
  const advice = ADVICE.find(([pattern]) => pattern.test(error.code))?.[1];
  return new StoreError(file, `${error.message} (${error.code})${advice ? `: ${advice}` : ''}`, { cause: error });
}
