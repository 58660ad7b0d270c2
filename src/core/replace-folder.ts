/**
 * Replace a whole output folder (a data set, a TRL bundle) so that it is always either the
 * old folder or the new one, never a mix (issue 15 items 2 and 3).
 *
 * The new files are written into a staging folder `.NAME.staging-PID-TICKS` beside the target
 * (PID and start time of the writer: process-identity.ts; `-TICKS` only where /proc has it).
 * Then two renames switch the folders: the old one to `.NAME.old-PID-TICKS`, the staging folder
 * to NAME; then the old one is deleted. A rename of a folder is atomic, but Linux has no
 * portable "exchange two folders", so a process killed exactly between the two renames
 * leaves no NAME at all, only `.NAME.old-PID-TICKS`. `recoverFolder` repairs that on the next
 * start (of a writer, or of a reader such as `train --data`: recover-for-reading.ts): it
 * renames the old folder back, and deletes staging and old folders whose process is gone.
 * So every crash point ends as the wholly old folder (killed before the second rename) or
 * the wholly new one.
 *
 * An existing folder is only replaced when everything in it is ours: the names the new
 * files use, or names its own `manifest.json` lists (a file of an older build). Anything
 * else (a user's notes, a checkpoint folder) is refused with the names, never deleted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from './errors.ts';
import { isProcessAlive, processTag } from './process-identity.ts';

/** The points between the steps of a replacement, for crash tests (`onStep`). */
export type ReplaceStep = 'staging-started' | 'staged' | 'old-moved-away' | 'new-moved-in' | 'old-removed';

export interface ReplaceFolderOptions {
  /** Called after each step; a crash test kills the process here. */
  onStep?: (step: ReplaceStep) => void;
}

/** `.NAME.staging-PID[-TICKS]` or `.NAME.old-PID[-TICKS]` (names without TICKS: older versions, other systems). */
const LEFTOVER = /^\.(.+)\.(staging|old)-(\d+)(?:-(\d+))?$/;

/** A staging or moved-away old folder of a replacement of some target, beside it. */
export interface FolderLeftover {
  path: string;
  kind: 'staging' | 'old';
  /** The process that made it. */
  pid: number;
  /** Its start time (clock ticks since boot), when the name records it. */
  startTicks?: string;
  /** Whether that process still runs (false when the PID now names another process). */
  alive: boolean;
}

/** Staging and old folders of replacements of `target` (of live and dead processes). */
export function folderLeftovers(target: string): FolderLeftover[] {
  const full = resolve(target);
  const parent = dirname(full);
  const name = basename(full);
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  return entries
    .map((entry) => ({ entry, match: LEFTOVER.exec(entry) }))
    .filter(({ match }) => match && match[1] === name)
    .map(({ entry, match }) => {
      const pid = Number(match![3]);
      const startTicks = match![4];
      return { path: join(parent, entry), kind: match![2] as 'staging' | 'old', pid, startTicks, alive: isProcessAlive(pid, startTicks) };
    });
}

export interface RecoverFolderOptions {
  /**
   * Called when a leftover of a dead process cannot be deleted (e.g. a read-only parent),
   * instead of throwing: a reader needs only the target back, the next writer cleans up.
   */
  onCleanupError?: (path: string, error: unknown) => void;
}

/**
 * Repair what a killed replacement of `target` left behind: put a moved-away old folder
 * back when the target is missing, and delete staging and old folders of dead processes.
 * Returns one line per thing done (empty when nothing was left over).
 * @throws the file-system error of the rename back (e.g. EACCES); of a deletion too, unless
 *   `onCleanupError` is given.
 */
export function recoverFolder(target: string, options: RecoverFolderOptions = {}): string[] {
  const full = resolve(target);
  if (!existsSync(dirname(full))) return [];
  const notes: string[] = [];
  const leftovers = folderLeftovers(full).filter((l) => !l.alive);
  const old = leftovers.find((l) => l.kind === 'old');
  if (old && !existsSync(full)) {
    renameSync(old.path, full);
    notes.push(`restored ${target} from ${basename(old.path)} (a replacement was killed between its two renames)`);
  }
  for (const leftover of leftovers) {
    if (!existsSync(leftover.path)) continue;
    try {
      rmSync(leftover.path, { recursive: true, force: true });
    } catch (error) {
      if (!options.onCleanupError) throw error;
      options.onCleanupError(leftover.path, error);
      continue;
    }
    notes.push(`removed ${basename(leftover.path)} left by a killed run`);
  }
  return notes;
}

/** Top-level names that a folder's `manifest.json` lists (an older build's files). */
function manifestNames(dir: string): Set<string> {
  const names = new Set<string>();
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return names;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { files?: Record<string, unknown> };
    for (const name of Object.keys(manifest.files ?? {})) names.add(name.split('/')[0]!);
  } catch {
    // An unreadable manifest lists nothing; its files then count as foreign (refused, not deleted).
  }
  return names;
}

/**
 * @throws DataError when `target` is a file, or an existing folder holds entries that are
 *   neither written now nor listed in its manifest.
 */
export function checkReplaceable(target: string, newNames: Iterable<string>): void {
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) throw new DataError({ file: target }, 'output path exists and is not a folder');
  const ours = manifestNames(target);
  for (const name of newNames) ours.add(name.split('/')[0]!);
  const foreign = readdirSync(target).filter((entry) => !ours.has(entry));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, ... (${foreign.length} in all)` : '');
    throw new DataError(
      { file: target },
      `the output folder holds entries this command did not write (${shown}); the whole folder is replaced, so move them away or choose another --out`,
    );
  }
}

/**
 * Write `files` (relative path -> bytes) as the new content of folder `target`, replacing
 * the old folder as a whole (see the file comment).
 */
export function replaceFolder(target: string, files: ReadonlyMap<string, string | Uint8Array>, options: ReplaceFolderOptions = {}): void {
  const full = resolve(target);
  const step = options.onStep ?? (() => {});
  recoverFolder(full);
  checkReplaceable(full, files.keys());
  const parent = dirname(full);
  mkdirSync(parent, { recursive: true });
  const tag = processTag();
  const staging = join(parent, `.${basename(full)}.staging-${tag}`);
  const old = join(parent, `.${basename(full)}.old-${tag}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging);
    step('staging-started');
    for (const [name, content] of files) {
      const file = join(staging, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  step('staged');
  const hadOld = existsSync(full);
  if (hadOld) {
    renameSync(full, old);
    step('old-moved-away');
  }
  try {
    renameSync(staging, full);
  } catch (error) {
    if (hadOld) renameSync(old, full);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  step('new-moved-in');
  if (hadOld) {
    rmSync(old, { recursive: true, force: true });
    step('old-removed');
  }
}
