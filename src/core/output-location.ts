/**
 * Check an output location before any work starts (issue 15 item 13): a read-only folder, a
 * file where a folder is needed (or the reverse), or a full disk is refused in one line naming
 * the flag and the path, instead of a stack trace from the last step after minutes of work.
 */
import { existsSync, mkdtempSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors.ts';

/** Free bytes below which an output location is refused. */
export const MIN_FREE_BYTES = 1 << 20;

export interface OutputLocation {
  /** The path given by the user. */
  path: string;
  /** 'folder' (build, export-trees, eval --out) or 'file' (train --out, --log). */
  kind: 'folder' | 'file';
  /** The flag that named it, for the message, e.g. '--out'. */
  flag: string;
}

/** The nearest existing folder at or above `path` (where new entries would be created). */
function nearestExistingFolder(path: string): string {
  let dir = path;
  while (!existsSync(dir)) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dir;
}

/**
 * @throws ConfigError naming the flag and the path when the location cannot be written:
 *   a folder where a file is needed or the reverse, a path under a file, a read-only or
 *   unwritable folder, or less than MIN_FREE_BYTES free.
 */
export function checkOutputLocation(location: OutputLocation): void {
  const full = resolve(location.path);
  const fail = (problem: string): never => {
    throw new ConfigError({ file: '(command line)', field: location.flag }, `${location.path}: ${problem}`);
  };
  if (existsSync(full)) {
    const isDir = statSync(full).isDirectory();
    if (location.kind === 'folder' && !isDir) fail('is a file, not a folder (a folder is needed here)');
    if (location.kind === 'file' && isDir) fail('is a folder, but a file name is needed here (e.g. add /model.gguf)');
  }
  // Staging folders and temporary files are created beside the target, and files inside an
  // existing target folder: probe both.
  const folders = [nearestExistingFolder(dirname(full))];
  if (location.kind === 'folder' && existsSync(full)) folders.push(full);
  for (const folder of folders) probeFolder(folder, fail);
}

function probeFolder(probeIn: string, fail: (problem: string) => never): void {
  if (!statSync(probeIn).isDirectory()) fail(`${probeIn} is a file, so nothing can be created under it`);
  let probe: string | undefined;
  try {
    probe = mkdtempSync(join(probeIn, '.treecot-write-check-'));
    writeFileSync(join(probe, 'probe'), 'x');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why =
      code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code || (error as Error).message;
    fail(`cannot write in ${probeIn} (${why})`);
  } finally {
    if (probe) rmSync(probe, { recursive: true, force: true });
  }
  try {
    const fs = statfsSync(probeIn);
    const free = Number(fs.bavail) * Number(fs.bsize);
    if (free < MIN_FREE_BYTES) fail(`only ${free} bytes free in ${probeIn}; free some space first`);
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    // statfs is unsupported on some file systems; the write probe above already passed.
  }
}
