/**
 * The --json convention (docs/cli.md): with --json, stdout carries only JSON. main.ts reserves stdout
 * before the action of any command run with --json and releases it after; in between every other
 * write to stdout (a command's lines for people, a library's console.log from llama.cpp bindings or
 * tfjs, a worker thread's output) goes to stderr, and only `writeJsonLine` reaches stdout. So a
 * consumer can parse stdout whatever a dependency prints, instead of each command having to remember.
 */

type Write = typeof process.stdout.write;

/** The reservation in force: stdout's own writer, and the redirect that replaced it. */
let active: { original: Write; redirect: Write } | null = null;

/** Route stdout to stderr, keeping the real stdout for writeJsonLine. A reservation in force is released first. */
export function reserveStdoutForJson(): void {
  releaseStdout();
  const stdout = process.stdout;
  const original = stdout.write;
  const redirect = ((...args: Parameters<Write>) => process.stderr.write(...(args as Parameters<typeof process.stderr.write>))) as Write;
  stdout.write = redirect;
  active = { original, redirect };
}

/**
 * End the reservation. stdout's writer is put back only if the redirect is still in place: a caller
 * that replaced it meanwhile (a test capturing output) keeps its own.
 */
export function releaseStdout(): void {
  if (!active) return;
  if (process.stdout.write === active.redirect) process.stdout.write = active.original;
  active = null;
}

/** One JSON value on one line of stdout: a summary object, or one row of a JSON Lines stream. */
export function writeJsonLine(value: unknown): void {
  const text = `${JSON.stringify(value)}\n`;
  if (active) active.original.call(process.stdout, text);
  else process.stdout.write(text);
}
