/**
 * Training objectives as a table of small named functions (docs/design.md: one function per
 * variant, unlike TRL's single `_compute_loss`). Inputs are per-sequence log-probabilities
 * (sums, or means with length normalisation) of the policy and the frozen reference model.
 *
 * Notation (docs/method.md section 3): for a pair (y_w chosen, y_l rejected),
 *   h = beta * [(log pi(y_w) - log ref(y_w)) - (log pi(y_l) - log ref(y_l))].
 * Rewards (TRL's `rewards/chosen`, `rewards/rejected`): beta * (log pi(y) - log ref(y)).
 */
import { tf } from './tf-backend.ts';
import { logSigmoid } from './ops.ts';

/**
 * A term of the training loss, named as TRL's `loss_type` names it: `sigmoid` is the DPO loss on
 * preference pairs (with label smoothing: cDPO), `sft` the token NLL (on SFT rows when it is the only
 * term; on the chosen responses of the pairs when it sits beside `sigmoid`, TRL's `loss_type:
 * [sigmoid, sft]`).
 */
export type LossType = 'sigmoid' | 'sft';

/** The pair losses by name (the preference terms of `LossType`). */
export type PreferenceLossType = Exclude<LossType, 'sft'>;

/**
 * The objective names of `treecot train --objective` (docs/method.md sections 3-4), kept as an alias
 * of the independent loss settings: see `objectiveLossSettings` in config.ts.
 */
export type Objective = 'sft' | 'dpo' | 'cdpo' | 'cdpo+sft';

export interface PairLossConfig {
  /** Label smoothing eps in [0, 0.5): the assumed share of flipped preference labels (0 = plain DPO). */
  labelSmoothing: number;
}

/** A per-pair loss of the implicit reward margin h [P] (beta already inside h) -> loss [P]. */
export type PairLoss = (h: tf.Tensor, config: PairLossConfig) => tf.Tensor;

/**
 * Sigmoid DPO with label smoothing (conservative DPO):
 *   L = -(1 - eps) log sigma(h) - eps log sigma(-h);  eps = 0 gives L = -log sigma(h).
 * Sources: Rafailov et al. 2023, "Direct Preference Optimization", eq. 7; cDPO: Mitchell 2023, "A note
 * on DPO with noisy preferences" (docs/method.md section 3). TRL's `loss_type="sigmoid"` applied
 * `label_smoothing` this way in 0.20-0.28 only.
 */
export const sigmoidLoss: PairLoss = (h, { labelSmoothing: eps }) => {
  // eps = 0 computes -log sigma(h) alone: 0 * log sigma(-h) would still cost a kernel and its gradient.
  if (eps === 0) return tf.neg(logSigmoid(h));
  return tf.sub(tf.mul(-(1 - eps), logSigmoid(h)), tf.mul(eps, logSigmoid(tf.neg(h))));
};

/** The pair losses the trainer can run, by TRL name; the training step looks them up here. */
export const PREFERENCE_LOSSES: Record<PreferenceLossType, PairLoss> = {
  sigmoid: sigmoidLoss,
};

/**
 * Mean token negative log-likelihood: L_SFT = -sum_t w_t log p(y_t) with w_t = 1/N over the N
 * response tokens of the step (token-level mean, like TRL's `nll_loss`/`sft` loss).
 * @param tokenLogps [N] log p of each target token
 * @param weights [N] per-token weights (1/N on response tokens, 0 elsewhere; already scaled by alpha)
 */
export function sftLoss(tokenLogps: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  return tf.neg(tf.sum(tf.mul(tokenLogps, weights)));
}

/**
 * Joint objective (docs/method.md section 4): L = L_cDPO + alpha * L_SFT, L_SFT on the chosen response.
 * Both terms arrive already averaged (pairs, tokens); alpha weights the SFT term. The training step
 * builds its loss with this function (step.ts), so what the tests check is what trains.
 */
export function jointLoss(preference: tf.Tensor, sft: tf.Tensor, alpha: number): tf.Tensor {
  return tf.add(preference, tf.mul(alpha, sft));
}

/** Per-pair rewards and margin from sequence log-probs (all [P]). */
export function implicitRewards(
  policyChosen: tf.Tensor,
  policyRejected: tf.Tensor,
  refChosen: tf.Tensor,
  refRejected: tf.Tensor,
  beta: number,
): { chosen: tf.Tensor; rejected: tf.Tensor; h: tf.Tensor } {
  const chosen = tf.mul(beta, tf.sub(policyChosen, refChosen));
  const rejected = tf.mul(beta, tf.sub(policyRejected, refRejected));
  return { chosen, rejected, h: tf.sub(chosen, rejected) };
}

/**
 * Per-token weights that turn token log-probs into a sequence log-prob, for one sequence
 * whose targets occupy positions [0, length) and whose response targets start at `responseStart`.
 *
 * - Shared-prefix masking (docs/method.md section 3): the first `maskedTokens` response tokens (the
 *   common prefix of chosen and rejected, in tokens) get weight 0, like padding.
 * - Length normalisation: weights 1/count instead of 1, so the sequence score is the mean token
 *   log-prob of the unmasked response (as in SimPO/IPO-style normalised variants).
 * @returns Float32Array [length]
 */
export function sequenceTokenWeights(length: number, responseStart: number, maskedTokens: number, lengthNormalize: boolean): Float32Array {
  const w = new Float32Array(length);
  const start = Math.min(length, responseStart + maskedTokens);
  const count = length - start;
  for (let t = start; t < length; t++) w[t] = lengthNormalize && count > 0 ? 1 / count : 1;
  return w;
}

/**
 * Number of leading response tokens shared by chosen and rejected that lie inside the recorded
 * common prefix (`common_prefix_chars`, characters of the responses): the longest run of equal
 * token ids whose characters all end within the prefix. Used for shared-prefix masking.
 * @param chosenTokens / rejectedTokens response token ids; `*Ends` their end character offsets
 */
export function sharedPrefixTokens(
  chosenTokens: readonly number[],
  chosenEnds: readonly number[],
  rejectedTokens: readonly number[],
  rejectedEnds: readonly number[],
  commonPrefixChars: number,
): number {
  let k = 0;
  while (
    k < chosenTokens.length &&
    k < rejectedTokens.length &&
    chosenTokens[k] === rejectedTokens[k] &&
    chosenEnds[k]! <= commonPrefixChars &&
    rejectedEnds[k]! <= commonPrefixChars
  )
    k++;
  return k;
}
