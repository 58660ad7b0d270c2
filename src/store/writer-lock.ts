/**
 * One writer per search database (issue 15 item 1).
 *
 * Two `treecot search` processes on one file would both expand the same nodes. The lock is
 * an exclusive SQLite lock (`BEGIN EXCLUSIVE`, busy timeout 0) held on a sidecar file
 * `<db>.lock` for as long as the writer has the database open. The operating system owns
 * that lock (POSIX fcntl), so it disappears with the process however it dies (kill -9, OOM,
 * power cut): a stale holder never blocks the next writer, and there is no PID file to
 * clean up or take over by hand. Readers (`tree`, `export-trees`, `build`, the viewer) never
 * touch the sidecar and keep working during a search.
 *
 * Who holds the lock (PID, host, start time) is written as JSON to `<db>.lock.json` after
 * the lock is won, so a refused writer can name the holder. A holder file whose lock is free
 * (its process died) is simply overwritten by the next writer.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { StoreError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/files.ts';

export interface WriterHolder {
  pid: number;
  host: string;
  /** ISO 8601 time the holder took the lock. */
  started: string;
}

export interface WriterLock {
  readonly holder: WriterHolder;
  release(): void;
}

function lockFile(dbFile: string): string {
  return `${dbFile}.lock`;
}

function holderFile(dbFile: string): string {
  return `${dbFile}.lock.json`;
}

/** The holder recorded for `dbFile`, or null when none (or unreadable). */
export function readWriterHolder(dbFile: string): WriterHolder | null {
  const file = holderFile(dbFile);
  if (!existsSync(file)) return null;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<WriterHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.started !== 'string') return null;
    return { pid: value.pid, host: value.host, started: value.started };
  } catch {
    return null;
  }
}

function describe(holder: WriterHolder | null): string {
  if (!holder) return 'another process (holder not recorded yet)';
  return `PID ${holder.pid} on host ${holder.host}, since ${holder.started}`;
}

/**
 * Take the single-writer lock of a search database, or fail at once.
 * @throws StoreError naming the holder (PID, host, start time) and what to do, when another
 *   process holds the lock.
 */
export function acquireWriterLock(dbFile: string): WriterLock {
  let db: Database.Database;
  try {
    db = new Database(lockFile(dbFile));
    db.pragma('busy_timeout = 0');
  } catch (error) {
    throw new StoreError(dbFile, `cannot open the writer lock ${lockFile(dbFile)}: ${(error as Error).message}`, { cause: error });
  }
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') {
      throw new StoreError(dbFile, `cannot take the writer lock ${lockFile(dbFile)}: ${(error as Error).message}`, { cause: error });
    }
    throw new StoreError(
      dbFile,
      `another treecot process is writing this search database (${describe(readWriterHolder(dbFile))}). ` +
        'Wait for it to finish (then re-run to resume), or search other questions into another file ' +
        '(e.g. --shard 1/2 --out other.db) and combine the files with `treecot merge`.',
    );
  }
  const holder: WriterHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  try {
    writeFileAtomic(holderFile(dbFile), `${JSON.stringify(holder)}\n`);
  } catch (error) {
    db.close();
    throw new StoreError(dbFile, `cannot record the writer in ${holderFile(dbFile)}: ${(error as Error).message}`, { cause: error });
  }
  let released = false;
  return {
    holder,
    release() {
      if (released) return;
      released = true;
      // The holder file goes first, while the lock still keeps others out; closing the
      // connection then ends the transaction and so the OS lock. The `.lock` file itself stays:
      // deleting it could let two processes lock two different inodes of the same name.
      if (readWriterHolder(dbFile)?.pid === process.pid) rmSync(holderFile(dbFile), { force: true });
      db.close();
    },
  };
}
