/**
 * Data shared by the interop tests, made once per `npm run test:interop` run in
 * $TREECOT_INTEROP_WORK (interop/run.sh makes it): letter-count questions, a real
 * `treecot search` with the built-in model, and `treecot build` (JSONL + Parquet exports).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLetterCountProblems } from '../../src/tasks/index.ts';
import { builtinWordSplit } from '../../src/train/builtin/words.ts';
import { treecot, REPO } from './python.ts';

export const BUILTIN_GGUF = join(REPO, 'models', 'builtin.gguf');
export const BUILTIN_CONFIG = join(REPO, 'configs', 'letter-count-builtin.yaml');

/** The work folder of this suite run. */
export function workDir(): string {
  const dir = process.env.TREECOT_INTEROP_WORK ?? join(tmpdir(), 'treecot-interop');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A fresh sub-folder of the work folder. */
export function freshDir(prefix: string): string {
  return mkdtempSync(join(workDir(), `${prefix}-`));
}

/** `count` held-out letter-count questions as JSONL (seeded). */
export function writeQuestions(file: string, count: number, seed: number): string {
  const problems = generateLetterCountProblems({
    words: builtinWordSplit().heldOut,
    count,
    seed,
    twoLetterShare: 1,
    letterSampling: 'set',
    randomLetterShare: 0,
  });
  writeFileSync(file, problems.map((p) => JSON.stringify({ id: p.id, problem: p.question, solution: p.reference })).join('\n') + '\n');
  return file;
}

/** The built data folder (search + build, made on first use). */
export async function builtData(): Promise<string> {
  const dir = join(workDir(), 'fixture');
  const data = join(dir, 'data');
  if (existsSync(join(data, 'manifest.json'))) return data;
  mkdirSync(dir, { recursive: true });
  const questions = writeQuestions(join(dir, 'questions.jsonl'), 8, 5);
  await treecot([
    'search',
    '--config',
    BUILTIN_CONFIG,
    '--task',
    'letter-count',
    '--data',
    questions,
    '--out',
    join(dir, 'run.db'),
    '--gguf',
    BUILTIN_GGUF,
    '--no-progress',
  ]);
  await treecot(['build', join(dir, 'run.db'), '--out', data, '--pairs-per-question', '2', '--parquet']);
  return data;
}
