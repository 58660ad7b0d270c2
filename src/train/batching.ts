/**
 * From text rows to padded micro-batches. A sequence is BOS + prompt + response + EOS; the model
 * reads tokens[0..n-2] and predicts tokens[1..n-1] ("targets"), so a sequence of n tokens has
 * n-1 target positions and its response targets start at index |prompt| (the loss covers the
 * response tokens and EOS). Length bucketing: the rows of one optimiser step are sorted by
 * length and cut into micro-batches of similar length, each padded only to its own longest row.
 */
import { DataError, type SourceLocation } from '../core/errors.ts';
import { BOS_ID, EOS_ID, PAD_ID, type CharTokenizer } from './tokenizer.ts';
import { sequenceTokenWeights, sharedPrefixTokens, type PreferenceLossType } from './losses.ts';

/** An SFT row (TRL prompt-completion format): prompt = user text, completion = response. */
export interface SftRow {
  prompt: string;
  completion: string;
}

/** A DPO row (TRL plain preference format) with the recorded shared prefix of the responses. */
export interface PreferenceRow {
  prompt: string;
  chosen: string;
  rejected: string;
  /** Characters shared at the start of `chosen` and `rejected` (src/data); 0 if unknown. */
  common_prefix_chars?: number;
}

/** One tokenised sequence. */
export interface EncodedSequence {
  /** BOS + prompt + response + EOS. */
  tokens: Int32Array;
  /** Index (in target positions) of the first response target = number of prompt tokens. */
  responseStart: number;
}

export interface EncodedPair {
  chosen: EncodedSequence;
  rejected: EncodedSequence;
  /** Shared leading response tokens (masked when prefix masking is on). */
  prefixTokens: number;
}

/** Target positions of a sequence (n - 1). */
export function targetLength(seq: EncodedSequence): number {
  return seq.tokens.length - 1;
}

function encodeSequence(
  tokenizer: CharTokenizer,
  prompt: string,
  response: string,
  context: number,
  where: SourceLocation,
): { seq: EncodedSequence; response: { ids: number[]; ends: number[] } } {
  const p = tokenizer.encode(prompt);
  const r = tokenizer.encodeWithEnds(response);
  const n = p.length + r.ids.length + 2;
  if (n > context) {
    throw new DataError(
      where,
      `sequence is ${n} tokens (BOS + prompt ${p.length} + response ${r.ids.length} + EOS), longer than the model's context of ${context}; shorten the row or train a model with a longer context`,
    );
  }
  const tokens = Int32Array.from([BOS_ID, ...p, ...r.ids, EOS_ID]);
  return { seq: { tokens, responseStart: p.length }, response: r };
}

/**
 * Tokenise an SFT row.
 * @throws DataError naming `where` when the sequence does not fit the context.
 */
export function encodeSftRow(tokenizer: CharTokenizer, row: SftRow, context: number, where: SourceLocation): EncodedSequence {
  return encodeSequence(tokenizer, row.prompt, row.completion, context, { ...where, field: where.field ?? 'completion' }).seq;
}

/**
 * Tokenise a DPO row; the shared prefix in tokens comes from `common_prefix_chars`
 * (see sharedPrefixTokens).
 * @throws DataError naming `where` and the field when a sequence does not fit the context.
 */
export function encodePreferenceRow(tokenizer: CharTokenizer, row: PreferenceRow, context: number, where: SourceLocation): EncodedPair {
  const c = encodeSequence(tokenizer, row.prompt, row.chosen, context, { ...where, field: 'chosen' });
  const r = encodeSequence(tokenizer, row.prompt, row.rejected, context, { ...where, field: 'rejected' });
  const prefixTokens = sharedPrefixTokens(c.response.ids, c.response.ends, r.response.ids, r.response.ends, row.common_prefix_chars ?? 0);
  return { chosen: c.seq, rejected: r.seq, prefixTokens };
}

/** Plain-data micro-batch a worker turns into a loss and gradients (all arrays row-major [B, T]). */
export interface MicroBatch {
  B: number;
  T: number;
  /** Input token ids, PAD after each row's end. */
  ids: Int32Array;
  /** Target token ids (0 where padded). */
  targets: Int32Array;
  /** Weights of the SFT term: loss += -sum(sftWeights * log p(target)). Already normalised. */
  sftWeights: Float32Array;
  /** Preference part: rows [0, P) are chosen, [P, 2P) the matching rejected. */
  preference?: {
    P: number;
    /** Weights summing token log-probs into sequence log-probs (mask, length normalisation). */
    seqWeights: Float32Array;
    /** Reference sequence log-probs [2P] (chosen then rejected); zeros while computing them. */
    refLogps: Float32Array;
    /** Weight of each pair loss in the step loss (the pair term's loss weight / pairs per step). */
    pairWeight: number;
    beta: number;
    /** The pair loss (PREFERENCE_LOSSES) and its label smoothing. */
    lossType: PreferenceLossType;
    labelSmoothing: number;
    /** Weight of the SFT term (alpha; 0 = none); sftWeights hold its unweighted token weights. */
    sftWeight: number;
  };
  /** Real (unpadded) tokens in this micro-batch, prompt included. */
  realTokens: number;
}

function padRows(seqs: readonly EncodedSequence[]): { B: number; T: number; ids: Int32Array; targets: Int32Array } {
  const B = seqs.length;
  const T = Math.max(...seqs.map(targetLength));
  const ids = new Int32Array(B * T).fill(PAD_ID);
  const targets = new Int32Array(B * T);
  seqs.forEach((s, b) => {
    const n = targetLength(s);
    ids.set(s.tokens.subarray(0, n), b * T);
    targets.set(s.tokens.subarray(1), b * T);
  });
  return { B, T, ids, targets };
}

/**
 * SFT micro-batch; each response target gets weight `tokenWeight` (1 / response tokens in the
 * whole optimiser step, so micro-batch losses add up to the step's mean token NLL).
 */
export function sftMicroBatch(seqs: readonly EncodedSequence[], tokenWeight: number): MicroBatch {
  const { B, T, ids, targets } = padRows(seqs);
  const sftWeights = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    for (let t = s.responseStart; t < targetLength(s); t++) sftWeights[b * T + t] = tokenWeight;
  });
  return { B, T, ids, targets, sftWeights, realTokens: seqs.reduce((n, s) => n + s.tokens.length, 0) };
}

export interface PreferenceBatchOptions {
  beta: number;
  lossType: PreferenceLossType;
  labelSmoothing: number;
  maskPrefix: boolean;
  lengthNormalize: boolean;
  /** Weight per pair loss (the pair term's loss weight / pairs in the step). */
  pairWeight: number;
  /** Weight of the SFT term on the chosen responses (alpha); 0 = none. */
  sftWeight: number;
  /** Weight per chosen response token inside the SFT term (1 / chosen tokens in the step). */
  sftTokenWeight: number;
}

/** Response tokens of the chosen sequence counted by the SFT term (prefix excluded when masking). */
export function chosenSftTokens(pair: EncodedPair, maskPrefix: boolean): number {
  return targetLength(pair.chosen) - pair.chosen.responseStart - (maskPrefix ? pair.prefixTokens : 0);
}

/** Preference micro-batch of P pairs (2P rows). `refLogps` [2P] may be filled later. */
export function preferenceMicroBatch(pairs: readonly EncodedPair[], options: PreferenceBatchOptions, refLogps?: Float32Array): MicroBatch {
  const P = pairs.length;
  const seqs = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
  const { B, T, ids, targets } = padRows(seqs);
  const seqWeights = new Float32Array(B * T);
  const sftWeights = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    const masked = options.maskPrefix ? pairs[b % P]!.prefixTokens : 0;
    seqWeights.set(sequenceTokenWeights(targetLength(s), s.responseStart, masked, options.lengthNormalize), b * T);
    if (b < P && options.sftWeight > 0) {
      for (let t = s.responseStart + masked; t < targetLength(s); t++) sftWeights[b * T + t] = options.sftTokenWeight;
    }
  });
  return {
    B,
    T,
    ids,
    targets,
    sftWeights,
    preference: {
      P,
      seqWeights,
      refLogps: refLogps ?? new Float32Array(2 * P),
      pairWeight: options.pairWeight,
      beta: options.beta,
      lossType: options.lossType,
      labelSmoothing: options.labelSmoothing,
      sftWeight: options.sftWeight,
    },
    realTokens: seqs.reduce((n, s) => n + s.tokens.length, 0),
  };
}

/**
 * Length bucketing: sort `items` by `length` (descending) and cut them into groups of at most
 * `rowsPerGroup`. Returns index groups into `items`.
 */
export function bucketByLength(lengths: readonly number[], rowsPerGroup: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const groups: number[][] = [];
  for (let i = 0; i < order.length; i += rowsPerGroup) groups.push(order.slice(i, i + rowsPerGroup));
  return groups;
}

/** Assign micro-batches to `workers` queues, largest padded size first, to the least-loaded queue. */
export function assignToWorkers(batches: readonly MicroBatch[], workers: number): MicroBatch[][] {
  const queues: MicroBatch[][] = Array.from({ length: workers }, () => []);
  const load = new Array<number>(workers).fill(0);
  const order = batches.map((_, i) => i).sort((a, b) => batches[b]!.B * batches[b]!.T - batches[a]!.B * batches[a]!.T || a - b);
  for (const i of order) {
    let w = 0;
    for (let j = 1; j < workers; j++) if (load[j]! < load[w]!) w = j;
    queues[w]!.push(batches[i]!);
    load[w]! += batches[i]!.B * batches[i]!.T;
  }
  return queues;
}
