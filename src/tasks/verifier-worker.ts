/**
 * VerifierPool worker (started through verifier-worker.mjs): loads the task registry, warms up
 * the compute engine, says `ready`, then answers `{id, taskName, output, problem}` messages with
 * `{type: 'result', id, verdict}` or `{type: 'error', id, message, name}`. A check that hangs is
 * ended by the pool terminating this thread.
 */
import { parentPort } from 'node:worker_threads';
import { getTask } from './index.ts';
import { answersEquivalent } from './math/index.ts';
import type { Problem } from './types.ts';

if (!parentPort) throw new Error('verifier-worker must run in a worker thread');
const port = parentPort;

// Warm-up: the first compute-engine parse builds its dictionaries (~0.4 s); pay it before `ready`.
answersEquivalent('\\frac{1}{2}+x', '0.5+x');

port.on('message', (message: { id: number; taskName: string; output: string; problem: Problem }) => {
  try {
    const verdict = getTask(message.taskName).verify(message.output, message.problem);
    port.postMessage({ type: 'result', id: message.id, verdict });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ type: 'error', id: message.id, message: e.message, name: e.name });
  }
});
port.postMessage({ type: 'ready' });
