/**
 * The CLI's last line of defence (issue 15 item 6): an error that reaches `main` without being
 * a TreecotError is still printed as one line, never as a stack trace. File-system errors name
 * the path and say what is wrong; anything else is reported as an internal error with a hint
 * to get the stack (TREECOT_DEBUG=1) for a bug report.
 */
import { isSqliteError } from '../store/sqlite-error.ts';

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a folder, but a file is needed',
  ENOTDIR: 'a part of the path is a file, but a folder is needed',
  ENOENT: 'no such file or folder',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
};

/** One line for an error that is not a TreecotError, and the exit code to use. */
export function describeUnexpectedError(error: unknown): { line: string; exitCode: number } {
  const e = error as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && e.code in ERRNO_TEXT) {
    const where = e.path ?? (e as { dest?: string }).dest ?? '';
    return { line: `${where ? `${where}: ` : ''}${ERRNO_TEXT[e.code]} (${e.code}${e.syscall ? ` in ${e.syscall}` : ''})`, exitCode: 1 };
  }
  if (isSqliteError(error)) return { line: `SQLite: ${error.message} (${error.code})`, exitCode: 1 };
  const message = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : String(error).slice(0, 300);
  return {
    line: `internal error: ${message}. This is a bug in treecot; run again with TREECOT_DEBUG=1 for the stack trace to report it.`,
    exitCode: 70,
  };
}
