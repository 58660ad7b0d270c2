/**
 * The reader's side of replace-folder.ts. A replacement renames the old folder away and the new
 * one in; between the two renames the folder does not exist. A reader (`train --data DIR` or
 * `--data DIR/sft.jsonl`, `export-trl DIR`) that starts in that gap must not report a plain
 * "no such file": it either gets the folder back or an error that says what happened and how
 * to recover.
 *
 * - The writer was killed: the old folder is renamed back (`recoverFolder`), so the reader reads
 *   the wholly old version. Leftovers it cannot delete are left to the next writer.
 * - The rename back fails (a read-only parent, another user's folder): an error naming the
 *   moved-away folder and the `mv` command that restores it.
 * - The writer is alive between its renames (a moment, or longer when it is stopped): wait up
 *   to `SWITCH_WAIT_MS` for the new folder, then an error naming the process and the backup.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataError } from './errors.ts';
import { folderLeftovers, recoverFolder } from './replace-folder.ts';

/** How long a reader waits for a live replacement to move the new folder in, ms. */
export const SWITCH_WAIT_MS = 5000;
const POLL_MS = 20;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A path quoted for a POSIX shell, for the recovery command in a message. */
function shellQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

function recoverTarget(reading: string, target: string, waitMs: number): void {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      recoverFolder(target, { onCleanupError: () => {} });
    } catch (error) {
      const old = folderLeftovers(target).find((l) => l.kind === 'old' && !l.alive);
      if (!old) throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new DataError(
        { file: reading },
        `${target} is missing: a treecot build or export (process ${old.pid}) was killed while replacing it, and its previous version, ` +
          `${old.path}, cannot be renamed back from here (${reason}). Restore it with: mv ${shellQuote(old.path)} ${shellQuote(target)} ` +
          '(or read that folder directly)',
        { cause: error },
      );
    }
    if (existsSync(target)) return;
    const writer = folderLeftovers(target).find((l) => l.kind === 'old' && l.alive);
    // No replacement under way: the caller reports the missing path as usual.
    if (!writer) return;
    if (Date.now() >= deadline) {
      throw new DataError(
        { file: reading },
        `${target} is being replaced by process ${writer.pid}, which has moved the previous version to ${writer.path} and has not moved ` +
          `the new one in after ${(waitMs / 1000).toFixed(1)} s. Wait for it to finish, then retry. If process ${writer.pid} is not a ` +
          `treecot build or export (a PID reused after a crash, on a system without /proc start times), restore the previous version with: ` +
          `mv ${shellQuote(writer.path)} ${shellQuote(target)}`,
      );
    }
    sleepSync(POLL_MS);
  }
}

/**
 * Make `path` (a folder written by `replaceFolder`, or a file in one) readable after a cut
 * replacement (see the file comment). Does nothing when no replacement left anything.
 * @throws DataError naming `path`, the moved-away previous version and the way to restore it,
 *   when it cannot be restored here or a live writer does not finish within `waitMs`.
 */
export function recoverForReading(path: string, options: { waitMs?: number } = {}): void {
  const full = resolve(path);
  const waitMs = options.waitMs ?? SWITCH_WAIT_MS;
  // The folder that may be mid-switch: `path` itself, or the data folder holding the file `path`.
  for (const target of existsSync(full) ? [full] : [full, dirname(full)]) {
    recoverTarget(path, target, waitMs);
    if (existsSync(full)) return;
  }
}
