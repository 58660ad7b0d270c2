/**
 * TensorFlow.js (tfjs-core, not the @tensorflow/tfjs umbrella: docs/install.md) with the WASM
 * backend (tfjs-node cannot be installed here). One backend per thread: the trainer's worker
 * threads each call `initTf()`. In Node the backend runs with SIMD and one thread
 * (docs/letter-count-study.md, question 3).
 */
import { createRequire, register } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

/**
 * Identity without a copy: share the input's buffer and bump its reference count, as
 * tfjs-backend-cpu's Identity and tfjs-backend-wasm's own Reshape do (tfjs tensors are immutable,
 * kernels write only their outputs). The tape clones every tensor it saves for the backward pass
 * through Identity (tfjs-core engine.ts `saveTensorsForBackwardMode`), and the WASM kernel copied
 * each one: 160 copies, ~4% of a training micro-batch here.
 */
function registerZeroCopyIdentity(): void {
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') throw new TypeError('treecot registers Identity for numeric tensors only');
      (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}

/** Select and initialise the WASM backend once per thread; returns the tfjs namespace. */
export function initTf(): Promise<typeof tf> {
  ready ??= (async () => {
    // tfjs-core's Node bundle registers no gradient; its ES-module gradient files need the hooks of
    // tfjs-gradient-hooks.mjs to load in Node (why there). Here, not at import: only training pays
    // for the 452 modules (about 0.15 s), not every command that imports src/train.
    register('./tfjs-gradient-hooks.mjs', import.meta.url);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs WASM backend failed to initialise');
    await tf.ready();
    registerZeroCopyIdentity();
    return tf;
  })();
  return ready;
}

export { tf };
