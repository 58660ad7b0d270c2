/**
 * Ctrl-C (SIGINT) and SIGTERM (kill, timeout, a job scheduler) during a long command: print what is
 * kept and how to resume, then exit with 130 (128 + SIGINT, the shell convention). Commands whose
 * work can stop cleanly at a safe point (`search`) use their own abort signal instead; this is for
 * commands whose state is already safe on disk at any moment (committed SQLite rows, atomic
 * checkpoint and output files), where exiting at once loses nothing beyond the step in progress.
 */

/** Install the handlers; `hint()` is called at interrupt time. Returns a function that removes them. */
export function exitOnInterrupt(hint: () => string): () => void {
  const handler = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${hint()} [${signal}]\n`);
    process.exit(130);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
