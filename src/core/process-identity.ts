/**
 * Which process left a file behind, robust to PID reuse. A PID alone names a process only while
 * it runs: after a crash (and certainly after a reboot) the number is handed to another process,
 * and a check by `kill(pid, 0)` would take that stranger for the writer forever. On Linux the
 * start time of a process (field 22 of /proc/PID/stat, clock ticks since boot) tells the two
 * apart; together with the PID it names one process. Elsewhere the PID alone is used.
 */
import { readFileSync } from 'node:fs';

/** Start time of process `pid` in clock ticks since boot (Linux /proc), or null when unknown. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/** This process as `PID-TICKS` (or `PID` where start times are unknown), for names of files it leaves. */
export function processTag(): string {
  const ticks = processStartTicks(process.pid);
  return ticks === null ? String(process.pid) : `${process.pid}-${ticks}`;
}

/**
 * Whether the process that wrote `pid` (and `startTicks`, when the name recorded it) still runs:
 * a live process with that PID but another start time is a stranger that reuses the number.
 */
export function isProcessAlive(pid: number, startTicks?: string): boolean {
  if (pid === process.pid) return startTicks === undefined || startTicks === processStartTicks(pid);
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTicks === undefined) return true;
  const now = processStartTicks(pid);
  return now === null || now === startTicks;
}
