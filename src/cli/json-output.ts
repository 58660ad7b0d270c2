/**
 * The --json convention (docs/cli.md): with --json, stdout carries only JSON. main.ts calls
 * `reserveStdoutForJson()` before the action of any command run with --json; from then on every other
 * write to stdout (a command's lines for people, a library's console.log from llama.cpp bindings or
 * tfjs, a worker thread's output) goes to stderr, and only `writeJsonLine` reaches stdout. So a
 * consumer can parse stdout whatever a dependency prints, instead of each command having to remember.
 */

type Write = (text: string) => boolean;

/** stdout's own writer while it is reserved; null otherwise. */
let reservedStdout: Write | null = null;

/** Route stdout to stderr, keeping the real stdout for writeJsonLine. Returns the function that undoes it. */
export function reserveStdoutForJson(): () => void {
  if (reservedStdout) return () => {};
  const stdout = process.stdout;
  const originalWrite = stdout.write;
  reservedStdout = (text) => originalWrite.call(stdout, text);
  stdout.write = ((...args: Parameters<typeof process.stderr.write>) => process.stderr.write(...args)) as typeof stdout.write;
  return () => {
    stdout.write = originalWrite;
    reservedStdout = null;
  };
}

/** One JSON value on one line of stdout: a summary object, or one row of a JSON Lines stream. */
export function writeJsonLine(value: unknown): void {
  const text = `${JSON.stringify(value)}\n`;
  if (reservedStdout) reservedStdout(text);
  else process.stdout.write(text);
}
