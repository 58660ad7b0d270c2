/**
 * Fresh weights for a llama model: every matrix normal(0, 0.02), the residual-output
 * projections (attn_output, ffn_down) scaled by 1/sqrt(2L) (GPT-2 / nanoGPT init), RMSNorm
 * gains 1. Seeded through `Rng`, so the same seed gives the same model.
 */
import { Rng } from '../core/rng.ts';
import { weightShapes, type LlamaConfig, type LlamaWeights } from './model-config.ts';

/** Standard normal via Box-Muller from a seeded Rng. */
export function normalSample(rng: Rng): number {
  const u = 1 - rng.float();
  const v = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Initial weights (see module doc). @param std base standard deviation, default 0.02. */
export function initWeights(config: LlamaConfig, seed: number, std = 0.02): LlamaWeights {
  const rng = new Rng(seed).split('init');
  const weights: LlamaWeights = new Map();
  const residualScale = 1 / Math.sqrt(2 * config.layers);
  for (const [name, shape] of weightShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (shape.length === 1) data.fill(1);
    else {
      const s = /attn_output|ffn_down/.test(name) ? std * residualScale : std;
      for (let i = 0; i < n; i++) data[i] = normalSample(rng) * s;
    }
    weights.set(name, { shape, data });
  }
  return weights;
}
