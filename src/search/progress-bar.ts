/**
 * The live progress bar of `treecot search` (cli-progress, on stderr): questions done,
 * rollouts/s, share of correct rollouts, tokens/s, errors, ETA. Without a TTY it prints a
 * plain line every 10 s instead.
 */
import cliProgress from 'cli-progress';
import type { SearchProgress } from './run-search.ts';

export interface ProgressReporter {
  update: (progress: SearchProgress) => void;
  stop: () => void;
}

export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'search {bar} {value}/{total} questions | {rps} rollouts/s | {correct}% correct | {tps} tok/s | {errors} errors | ETA {eta_formatted}',
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      etaBuffer: 20,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(p: SearchProgress) {
      if (stopped) return;
      const seconds = Math.max(p.elapsedMs / 1000, 1e-3);
      const c = p.counters;
      const payload = {
        rps: (c.rollouts / seconds).toFixed(1),
        correct: c.rollouts > 0 ? ((100 * c.correctRollouts) / c.rollouts).toFixed(0) : '-',
        tps: ((c.promptTokens + c.completionTokens) / seconds).toFixed(0),
        errors: p.errors,
      };
      if (!started) {
        bar.start(p.questions, p.finished, payload);
        started = true;
      } else bar.update(p.finished, payload);
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
