/**
 * Run the real `treecot` CLI (bin/treecot.js) as a child process and collect what it wrote:
 * exit code, stdout and stderr, also when it fails (a non-zero exit is a result to check, not a throw).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TREECOT_BIN = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function treecot(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TREECOT_BIN, ...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The --json convention's check (docs/cli.md): stdout is nothing but JSON Lines (each line one JSON
 * value, newline-terminated). Returns the parsed lines; throws naming the first line that is not JSON.
 */
export function parseJsonLines(stdout: string): unknown[] {
  if (stdout === '') return [];
  if (!stdout.endsWith('\n')) throw new Error(`stdout does not end with a newline:\n${stdout.slice(-200)}`);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
      }
    });
}
