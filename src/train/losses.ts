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

/** The training objective (docs/method.md sections 3-4). */
export type Objective = 'sft' | 'dpo' | 'cdpo' | 'cdpo+sft';

export interface PreferenceLossConfig {
  /** DPO temperature beta > 0 (TRL default 0.1). */
  beta: number;
  /** cDPO label smoothing eps in [0, 0.5) (0 = plain DPO). */
  eps: number;
}

/** A per-pair loss of the implicit reward margin h [P] -> loss [P]. */
export type PairLoss = (h: tf.Tensor, config: PreferenceLossConfig) => tf.Tensor;

/**
 * Sigmoid DPO: L = -log sigma(h).
 * Source: Rafailov et al. 2023, "Direct Preference Optimization", eq. 7; TRL `loss_type="sigmoid"`.
 */
export const sigmoidDpoLoss: PairLoss = (h) => tf.neg(logSigmoid(h));

/**
 * Conservative DPO (label smoothing eps): L = -(1 - eps) log sigma(h) - eps log sigma(-h).
 * Source: docs/method.md section 3; Mitchell 2023 "A note on DPO with noisy preferences"; TRL
 * `label_smoothing` on the sigmoid loss (TRL 0.20-0.28 only, see docs/method.md). eps = 0 is sigmoidDpoLoss.
 */
export const cdpoLoss: PairLoss = (h, { eps }) =>
  tf.sub(tf.mul(-(1 - eps), logSigmoid(h)), tf.mul(eps, logSigmoid(tf.neg(h))));

/** The pair loss each objective uses (`sft` has none). */
export const PAIR_LOSS_BY_OBJECTIVE: Record<Exclude<Objective, 'sft'>, PairLoss> = {
  dpo: sigmoidDpoLoss,
  cdpo: cdpoLoss,
  'cdpo+sft': cdpoLoss,
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
 * Both terms arrive already averaged (pairs, tokens); alpha weights the SFT term.
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
  ) k++;
  return k;
}
