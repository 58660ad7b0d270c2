/**
 * Data-parallel worker: holds its own tfjs WASM backend and a model; per request it receives
 * the current parameters and its micro-batches, and returns the summed gradient (one
 * transferred Float32Array) and per-micro-batch statistics. See engine.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initTf } from './tf-backend.ts';
import { LlamaModel } from './model.ts';
import { accumulateGradients, sequenceLogProbs } from './step.ts';
import type { WorkerRequest, WorkerResponse } from './engine.ts';

await initTf();
const config = (workerData as { config: LlamaModel['config'] }).config;
const port = parentPort!;

port.on('message', (request: WorkerRequest) => {
  let response: WorkerResponse;
  try {
    const model = new LlamaModel(config, request.params);
    if (request.kind === 'gradients') {
      const grads = new Float32Array(model.params.length);
      const stats = request.batches.map((mb) => accumulateGradients(model, mb, grads));
      response = { kind: 'gradients', grads, stats };
      port.postMessage(response, [grads.buffer]);
      return;
    }
    response = { kind: 'logps', logps: request.batches.map((mb) => sequenceLogProbs(model, mb)) };
  } catch (error) {
    response = { kind: 'error', message: (error as Error).stack ?? String(error) };
  }
  port.postMessage(response);
});
port.postMessage({ kind: 'ready' } satisfies WorkerResponse);
