/**
 * Run the real `treecot` CLI (bin/treecot.js) as a child process and collect what it wrote:
 * exit code, stdout and stderr, also when it fails (a non-zero exit is a result to check, not a throw).
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

export const TREECOT_BIN = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The exit code as a shell reports it: 0, the process's own code, or 128 + the signal number for a
 * child killed by a signal (the timeout's SIGTERM, a crash's SIGSEGV), so a crash never reads as a
 * user error (1). An output overflow (no code, no signal) is -1.
 */
function exitCodeOf(error: ExecFileException | null): number {
  if (!error) return 0;
  if (typeof error.code === 'number') return error.code;
  if (error.signal) return 128 + (constants.signals[error.signal as keyof typeof constants.signals] ?? 0);
  return -1;
}

/** Run `node ARGS` (this Node) in a child process: its exit code, stdout and stderr. */
export function runNode(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: exitCodeOf(error), stdout, stderr });
      },
    );
  });
}

export function treecot(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runNode([TREECOT_BIN, ...args], options);
}

/** A non-zero exit of the CLI: its exit code and what it wrote to stderr (as the message). */
export class CliFailure extends Error {
  constructor(
    readonly code: number,
    readonly stderr: string,
  ) {
    super(stderr.trim() || `treecot exited with code ${code}`);
  }
}

/**
 * Run the CLI in a child process and return its stdout; a non-zero exit throws a CliFailure. Tests
 * use this rather than running the program in-process with process.stdout.write swapped: the swap
 * also captured the test runner's own reports now and then, and a test went missing from the count.
 */
export async function treecotOk(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await treecot(args, options);
  if (result.code !== 0) throw new CliFailure(result.code, result.stderr);
  return result.stdout;
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
