/**
 * The Python side of the interop tests: the venv made by interop/setup-venv.sh (outside the repo)
 * and a runner for the scripts in interop/py/.
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VENV = process.env.TREECOT_INTEROP_VENV ?? join(homedir(), '.cache', 'treecot', 'interop-venv');
export const PYTHON = join(VENV, 'bin', 'python');
/** LLaMA-Factory's own venv (interop/setup-llamafactory-venv.sh): it pins older transformers/datasets/trl. */
export const LLAMAFACTORY_VENV = process.env.TREECOT_LLAMAFACTORY_VENV ?? join(homedir(), '.cache', 'treecot', 'llamafactory-venv');
export const LLAMAFACTORY_PYTHON = join(LLAMAFACTORY_VENV, 'bin', 'python');
export const TREECOT = join(REPO, 'bin', 'treecot.js');

const run = promisify(execFile);

/** Options of a Python run; `python` is the interpreter (default: the interop venv's). */
export interface PythonOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  python?: string;
}

/** Run `interop/py/<script>` with the venv's Python; returns stdout. Throws with stderr on a non-zero exit. */
export async function python(script: string, args: readonly string[], options: PythonOptions = {}): Promise<string> {
  try {
    const { stdout } = await run(options.python ?? PYTHON, [join(REPO, 'interop', 'py', script), ...args], {
      cwd: options.cwd,
      env: { ...process.env, TOKENIZERS_PARALLELISM: 'false', HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', ...options.env },
      maxBuffer: 1 << 28,
      timeout: options.timeoutMs ?? 10 * 60_000,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${script} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}

/** Run the treecot CLI (node bin/treecot.js); returns stdout. */
export async function treecot(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [TREECOT, ...args], {
      cwd: options.cwd ?? REPO,
      maxBuffer: 1 << 28,
      timeout: options.timeoutMs ?? 10 * 60_000,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`treecot ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}

/** Run a script whose last argument is a result file it writes as JSON; returns the parsed result. */
export async function pythonJson<T>(script: string, args: readonly string[], options: PythonOptions = {}): Promise<T> {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'treecot-py-'));
  try {
    const file = join(dir, 'result.json');
    await python(script, [...args, file], options);
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
