/**
 * What `treecot view TARGET` opens: a search database file, or a `treecot run` folder, whose
 * search databases are `round-R/search/run.db` (pipeline/run-pipeline.ts). Other `.db` files
 * up to three levels down are listed too, so a folder of shards also works.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError } from '../core/index.ts';

export interface ViewTarget {
  /** Databases to serve; the page switches between them. */
  databases: { label: string; file: string }[];
  /** The run folder, when TARGET was one. */
  folder: string | null;
}

function findDatabases(dir: string, depth: number, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth > 0 && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      findDatabases(path, depth - 1, out);
    else if (entry.isFile() && entry.name.endsWith('.db')) out.push(path);
  }
}

/** @throws ConfigError for a missing target or a folder without a search database. */
export function resolveViewTarget(target: string): ViewTarget {
  if (!existsSync(target)) throw new ConfigError({ file: target }, 'no such search database or run folder');
  if (!statSync(target).isDirectory()) return { databases: [{ label: target, file: target }], folder: null };
  const files: string[] = [];
  findDatabases(target, 3, files);
  if (files.length === 0) {
    throw new ConfigError(
      { file: target, field: 'RUN_FOLDER' },
      'holds no search database (*.db up to three levels down, e.g. round-1/search/run.db)',
    );
  }
  return { databases: files.map((file) => ({ label: relative(target, file), file })), folder: target };
}
