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

/** "42s", "3m05s", "1h02m". */
function formatSeconds(total: number): string {
  const s = Math.round(total);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        'search {bar} {value}/{total} questions | {rps} rollouts/s | {correct}% correct | {tps} tok/s | {errors} errors | ETA {remaining}',
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
        // cli-progress's own ETA reads "NFs" until the first question is done; ours says "-".
        remaining:
          p.finished > 0 && p.finished < p.questions
            ? formatSeconds((seconds * (p.questions - p.finished)) / p.finished)
            : p.finished >= p.questions
              ? '0s'
              : '-',
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
