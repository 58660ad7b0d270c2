/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter 2019; PyTorch `torch.optim.AdamW`
 * update order), a linear warm-up + cosine schedule (to `minLrRatio` of the peak), and global
 * gradient-norm clipping, all on flat Float32Arrays (the model's `params` layout).
 */
import type { ParamEntry } from './model.ts';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay, applied to matrices only (entries with `decay`). */
  weightDecay: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.1 };

export class AdamW {
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Updates applied so far. */
  t = 0;
  private readonly decayMask: Uint8Array;

  constructor(
    layout: readonly ParamEntry[],
    readonly config: AdamWConfig = DEFAULT_ADAMW,
    state?: { m: Float32Array; v: Float32Array; t: number },
  ) {
    const size = layout.reduce((n, e) => n + e.size, 0);
    this.decayMask = new Uint8Array(size);
    for (const e of layout) if (e.decay) this.decayMask.fill(1, e.offset, e.offset + e.size);
    this.m = state?.m ?? new Float32Array(size);
    this.v = state?.v ?? new Float32Array(size);
    this.t = state?.t ?? 0;
  }

  /**
   * One update in place: p <- p - lr * wd * p (matrices), then p <- p - lr * mhat / (sqrt(vhat) + eps).
   * @param lr learning rate of this step
   */
  step(params: Float32Array, grads: Float32Array, lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.config;
    this.t++;
    const c1 = 1 - Math.pow(beta1, this.t);
    const c2 = 1 - Math.pow(beta2, this.t);
    const decay = 1 - lr * weightDecay;
    const { m, v, decayMask } = this;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i]!;
      const mi = (m[i] = beta1 * m[i]! + (1 - beta1) * g);
      const vi = (v[i] = beta2 * v[i]! + (1 - beta2) * g * g);
      let p = params[i]!;
      if (decayMask[i]) p *= decay;
      params[i] = p - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }
}

export interface ScheduleConfig {
  /** Peak learning rate. */
  peakLr: number;
  /** Linear warm-up steps from 0 to peak. */
  warmupSteps: number;
  /** Total planned optimiser steps (the cosine ends here). */
  totalSteps: number;
  /** Final learning rate as a fraction of the peak (0.1 = 10%). */
  minLrRatio: number;
}

/**
 * Learning rate at optimiser step `step` (0-based): linear warm-up to the peak over
 * `warmupSteps`, then cosine decay to `minLrRatio * peak` at `totalSteps - 1`.
 */
export function learningRateAt(step: number, s: ScheduleConfig): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (s.peakLr * (step + 1)) / s.warmupSteps;
  const decaySteps = Math.max(1, s.totalSteps - 1 - s.warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - s.warmupSteps) / decaySteps));
  const minLr = s.peakLr * s.minLrRatio;
  return minLr + 0.5 * (s.peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
}

/** Global L2 norm of `grads`; if above `maxNorm` (> 0), scale `grads` in place to `maxNorm`. Returns the norm before clipping. */
export function clipGradNorm(grads: Float32Array, maxNorm: number): number {
  let sq = 0;
  for (let i = 0; i < grads.length; i++) sq += grads[i]! * grads[i]!;
  const norm = Math.sqrt(sq);
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (let i = 0; i < grads.length; i++) grads[i]! *= scale;
  }
  return norm;
}
