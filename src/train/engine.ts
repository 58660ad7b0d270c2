/**
 * Where gradients are computed: in this thread, or data-parallel over worker threads (each with
 * its own WASM backend; the WASM backend is single-threaded in Node, so 2 workers use 2 cores).
 * Every micro-batch's loss is already normalised by the whole step's size (tokens or pairs),
 * so the step gradient is the plain SUM of the workers' gradients, which equals the average
 * gradient over the step's rows whatever the split (batch x accumulation x workers).
 */
import { Worker } from 'node:worker_threads';
import type { LlamaConfig } from './model-config.ts';
import type { MicroBatch } from './batching.ts';
import type { MicroBatchStats } from './step.ts';

export type WorkerRequest =
  { kind: 'gradients'; params: Float32Array; batches: MicroBatch[] } | { kind: 'logps'; params: Float32Array; batches: MicroBatch[] };

export type WorkerResponse =
  | { kind: 'ready' }
  | { kind: 'gradients'; grads: Float32Array; stats: MicroBatchStats[] }
  | { kind: 'logps'; logps: Float32Array[] }
  | { kind: 'error'; message: string };

export interface GradientEngine {
  /** Number of parallel queues (1 in-process). */
  readonly workers: number;
  /**
   * Summed gradient over all micro-batches; `queues[w]` runs on worker w.
   * @returns grads (flat) and stats in queue order (queue 0's batches, then queue 1's, ...).
   */
  gradients(params: Float32Array, queues: MicroBatch[][]): Promise<{ grads: Float32Array; stats: MicroBatchStats[] }>;
  /** Weighted sequence log-probs of preference micro-batches (forward only), in queue order. */
  sequenceLogProbs(params: Float32Array, queues: MicroBatch[][]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

class InProcessEngine implements GradientEngine {
  readonly workers = 1;
  constructor(private readonly config: LlamaConfig) {}
  async gradients(params: Float32Array, queues: MicroBatch[][]): Promise<{ grads: Float32Array; stats: MicroBatchStats[] }> {
    const { LlamaModel } = await import('./model.ts');
    const { accumulateGradients } = await import('./step.ts');
    const model = new LlamaModel(this.config, params);
    const grads = new Float32Array(params.length);
    const stats = queues.flat().map((mb) => accumulateGradients(model, mb, grads));
    return { grads, stats };
  }
  async sequenceLogProbs(params: Float32Array, queues: MicroBatch[][]): Promise<Float32Array[]> {
    const { LlamaModel } = await import('./model.ts');
    const step = await import('./step.ts');
    const model = new LlamaModel(this.config, params);
    return queues.flat().map((mb) => step.sequenceLogProbs(model, mb));
  }
  async close(): Promise<void> {}
}

class WorkerPoolEngine implements GradientEngine {
  private constructor(private readonly pool: Worker[]) {}
  get workers(): number {
    return this.pool.length;
  }

  static async start(config: LlamaConfig, count: number): Promise<WorkerPoolEngine> {
    const pool = Array.from(
      { length: count },
      () => new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { config }, execArgv: [] }),
    );
    await Promise.all(pool.map((w) => WorkerPoolEngine.next(w, 'ready')));
    return new WorkerPoolEngine(pool);
  }

  private static next(worker: Worker, kind: WorkerResponse['kind']): Promise<WorkerResponse> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: WorkerResponse): void => {
        cleanup();
        if (msg.kind === 'error') reject(new Error(`training worker failed: ${msg.message}`));
        else if (msg.kind !== kind) reject(new Error(`training worker sent ${msg.kind}, expected ${kind}`));
        else resolve(msg);
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`training worker exited with code ${code}`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  private async run(request: (w: number) => WorkerRequest, kind: 'gradients' | 'logps', queues: MicroBatch[][]): Promise<WorkerResponse[]> {
    if (queues.length > this.pool.length) throw new RangeError(`${queues.length} queues for ${this.pool.length} workers`);
    return Promise.all(
      queues.map((_, w) => {
        const reply = WorkerPoolEngine.next(this.pool[w]!, kind);
        this.pool[w]!.postMessage(request(w));
        return reply;
      }),
    );
  }

  async gradients(params: Float32Array, queues: MicroBatch[][]): Promise<{ grads: Float32Array; stats: MicroBatchStats[] }> {
    const replies = await this.run((w) => ({ kind: 'gradients', params, batches: queues[w]! }), 'gradients', queues);
    const grads = new Float32Array(params.length);
    const stats: MicroBatchStats[] = [];
    for (const r of replies) {
      if (r.kind !== 'gradients') continue;
      for (let i = 0; i < grads.length; i++) grads[i]! += r.grads[i]!;
      stats.push(...r.stats);
    }
    return { grads, stats };
  }

  async sequenceLogProbs(params: Float32Array, queues: MicroBatch[][]): Promise<Float32Array[]> {
    const replies = await this.run((w) => ({ kind: 'logps', params, batches: queues[w]! }), 'logps', queues);
    return replies.flatMap((r) => (r.kind === 'logps' ? r.logps : []));
  }

  async close(): Promise<void> {
    await Promise.all(this.pool.map((w) => w.terminate()));
  }
}

/**
 * An engine with `workers` threads (<= 1: in this thread, which must have called initTf()).
 */
export async function createEngine(config: LlamaConfig, workers: number): Promise<GradientEngine> {
  if (workers <= 1) {
    const { initTf } = await import('./tf-backend.ts');
    await initTf();
    return new InProcessEngine(config);
  }
  return WorkerPoolEngine.start(config, workers);
}
