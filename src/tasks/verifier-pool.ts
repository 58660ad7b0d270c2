/**
 * VerifierPool: runs `task.verify` in worker threads under a hard per-check time limit
 * (docs/design.md `tasks/`: "verifiers are pure functions with hard time limits and never block the
 * event loop"). The limit is enforced without signals: when a check overruns, its worker is
 * stopped with `Worker.terminate()` (V8 stops the thread even inside a busy loop) and replaced,
 * and the caller gets a `timeout` verdict. Workers load TypeScript through tsx's ESM API
 * (`verifier-worker.mjs` bootstrap).
 *
 * Cheap tasks can run in-process (`inProcessTasks`, default `gsm8k`) when the output is short
 * (`inProcessMaxChars`): their extraction is a few linear scans, so a check takes microseconds
 * and cannot approach the limit; longer outputs always go to a worker.
 *
 * Usage:
 *   const pool = new VerifierPool({ workers: 2, timeoutMs: 2000 });
 *   const verdict = await pool.verify('math', modelOutput, problem);
 *   await pool.close();
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Problem, Task, Verdict } from './types.ts';

export interface VerifierPoolOptions {
  /** Worker threads (default: min(2, available cores)). */
  workers?: number;
  /** Hard limit per check in milliseconds, measured from dispatch to a ready worker (default 2000). */
  timeoutMs?: number;
  /** Tasks verified in the calling thread when the output is short (default `['gsm8k']`; `[]` for none). */
  inProcessTasks?: readonly string[];
  /** Longest output (characters) verified in-process (default 20,000). */
  inProcessMaxChars?: number;
  /**
   * Heap limit per worker in MB (default 1024). A check that exhausts it ends its worker; the
   * pool replaces the worker and rejects that check with the worker's error.
   */
  maxHeapMb?: number;
}

interface Job {
  id: number;
  taskName: string;
  output: string;
  problem: Problem;
  timeoutMs: number;
  resolve: (verdict: Verdict) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

type WorkerMessage =
  { type: 'ready' } | { type: 'result'; id: number; verdict: Verdict } | { type: 'error'; id: number; message: string; name: string };

const MAX_STARTUP_FAILURES = 3;
const WORKER_URL = new URL('./verifier-worker.mjs', import.meta.url);

/** The reference as text for a timeout verdict (the task's own formatting is in the stuck worker). */
export function referenceText(problem: Problem): string {
  const reference = problem.reference as unknown;
  if (typeof reference === 'string' || typeof reference === 'number') return String(reference);
  if (reference && typeof reference === 'object' && 'answer' in reference) return String((reference as { answer: unknown }).answer);
  return JSON.stringify(reference) ?? '';
}

export class VerifierPool {
  readonly timeoutMs: number;
  private readonly size: number;
  private readonly inProcess: ReadonlySet<string>;
  private readonly inProcessMaxChars: number;
  private readonly maxHeapMb: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Workers that died before saying `ready`; after MAX_STARTUP_FAILURES the pool stops respawning. */
  private startupFailures = 0;
  private lastStartupError: Error | null = null;
  private tasks: Promise<(name: string) => Task> | null = null;
  /** Counters since construction: checks done, timeouts, workers replaced. */
  readonly stats = { checks: 0, inProcess: 0, timeouts: 0, workersReplaced: 0 };

  constructor(options: VerifierPoolOptions = {}) {
    this.size = Math.max(1, options.workers ?? Math.min(2, availableParallelism()));
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.inProcess = new Set(options.inProcessTasks ?? ['gsm8k']);
    this.inProcessMaxChars = options.inProcessMaxChars ?? 20_000;
    this.maxHeapMb = options.maxHeapMb ?? 1024;
  }

  /** Start the workers now (they start lazily on the first check that needs one) and wait until they are ready. */
  async ready(): Promise<void> {
    this.startWorkers();
    while (this.slots.some((s) => !s.ready)) {
      if (this.startupFailures >= MAX_STARTUP_FAILURES) throw this.lastStartupError ?? new Error('verifier workers failed to start');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private startWorkers(): void {
    if (this.startupFailures >= MAX_STARTUP_FAILURES) throw this.lastStartupError ?? new Error('verifier workers failed to start');
    while (!this.closed && this.slots.length < this.size) this.slots.push(this.spawn());
  }

  /**
   * Verify `output` for `problem` with task `taskName`. Resolves to the task's verdict, or to a
   * `timeout` verdict when the check ran past `timeoutMs`.
   * @param options.timeoutMs this check's limit instead of the pool's.
   * @throws (rejects) ConfigError for an unknown task; the task's own error if verify threw.
   */
  async verify(taskName: string, output: string, problem: Problem, options: { timeoutMs?: number } = {}): Promise<Verdict> {
    if (this.closed) throw new Error('VerifierPool is closed');
    const getTask = await this.loadRegistry();
    const task = getTask(taskName); // throws ConfigError for an unknown name
    if (this.inProcess.has(taskName) && output.length <= this.inProcessMaxChars) {
      this.stats.checks++;
      this.stats.inProcess++;
      return task.verify(output, problem);
    }
    this.startWorkers();
    return new Promise<Verdict>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      this.queue.push({ id: this.nextId++, taskName, output, problem, timeoutMs, resolve, reject });
      this.dispatch();
    });
  }

  /** Stop every worker; pending checks reject. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('VerifierPool closed'));
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.timer) clearTimeout(slot.timer);
        slot.job?.reject(new Error('VerifierPool closed'));
        slot.job = null;
        await slot.worker.terminate();
      }),
    );
  }

  private loadRegistry(): Promise<(name: string) => Task> {
    this.tasks ??= import('./index.ts').then((m) => m.getTask);
    return this.tasks;
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL, { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    const slot: Slot = { worker, ready: false, job: null, timer: null };
    worker.on('message', (message: WorkerMessage) => this.onMessage(slot, message));
    worker.on('error', (error) => this.onCrash(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot)) this.onCrash(slot, new Error(`verifier worker exited with code ${code}`));
    });
    return slot;
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      this.dispatch();
      return;
    }
    const job = slot.job;
    if (!job || job.id !== message.id) return; // a late answer for a job that already timed out
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    this.stats.checks++;
    if (message.type === 'result') job.resolve(message.verdict);
    else job.reject(Object.assign(new Error(message.message), { name: message.name }));
    this.dispatch();
  }

  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    void slot.worker.terminate();
    this.stats.workersReplaced++;
    if (!this.closed && this.startupFailures < MAX_STARTUP_FAILURES) this.slots.push(this.spawn());
  }

  private onCrash(slot: Slot, error: Error): void {
    if (!this.slots.includes(slot)) return;
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = null;
    if (!slot.ready) {
      this.startupFailures++;
      this.lastStartupError = error;
    }
    this.replace(slot);
    if (job) job.reject(error);
    else if (this.startupFailures >= MAX_STARTUP_FAILURES) for (const queued of this.queue.splice(0)) queued.reject(error);
    this.dispatch();
  }

  private onTimeout(slot: Slot): void {
    const job = slot.job;
    if (!job) return;
    slot.job = null;
    slot.timer = null;
    this.stats.checks++;
    this.stats.timeouts++;
    this.replace(slot);
    job.resolve({
      verdict: 'timeout',
      extracted: null,
      reference: referenceText(job.problem),
      reason: `verifier did not finish within ${job.timeoutMs} ms (worker replaced)`,
    });
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.ready || slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.onTimeout(slot), job.timeoutMs);
      slot.worker.postMessage({ id: job.id, taskName: job.taskName, output: job.output, problem: job.problem });
    }
    // Idle workers must not keep the process alive; busy or starting ones (with waiting jobs) must.
    for (const slot of this.slots) {
      if (slot.job || (!slot.ready && this.queue.length > 0)) slot.worker.ref();
      else slot.worker.unref();
    }
  }
}
