/**
 * What produced an artifact: treecot's version (package.json) and, when it runs from a git checkout,
 * the commit (with `+dirty` when tracked files differ). Stored in evaluation summaries so a number can
 * be traced to the code that made it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let cached: { version: string; commit: string | null } | undefined;

/** `{version, commit}`; commit is null outside a git checkout (an npm install). */
export function treecotProvenance(): { version: string; commit: string | null } {
  if (cached) return cached;
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  let commit: string | null = null;
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    commit = git('rev-parse', 'HEAD');
    if (git('status', '--porcelain', '--untracked-files=no') !== '') commit += '+dirty';
  } catch {
    commit = null; // not a git checkout, or git is not installed
  }
  cached = { version, commit };
  return cached;
}
