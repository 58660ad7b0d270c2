/**
 * TensorFlow.js with the WASM backend (tfjs-node cannot be installed here). One backend per
 * thread: the trainer's worker threads each call `initTf()`. In Node the backend runs with SIMD
 * and one thread (../shared/notes/letter-count-model.md, question 3).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

/** Select and initialise the WASM backend once per thread; returns the tfjs namespace. */
export function initTf(): Promise<typeof tf> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs WASM backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return ready;
}

export { tf };
