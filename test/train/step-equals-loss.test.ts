/**
 * The loss that trains is the loss the loss tests check: a step's logged loss and rewards, taken from
 * `train()` itself, equal the named functions of losses.ts (`sigmoidLoss`, `sftLoss`, `jointLoss`,
 * `implicitRewards`) applied to log-probs computed here independently, in plain JS from the model's
 * logits. If the training step built its objective another way (a missing alpha, label smoothing
 * ignored, the SFT term on the wrong tokens), these tests fail.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import {
  initTf,
  train,
  CharTokenizer,
  LlamaModel,
  parseInitSpec,
  encodePreferenceRow,
  encodeSftRow,
  sigmoidLoss,
  sftLoss,
  jointLoss,
  implicitRewards,
  type TrainConfigInput,
  type StepRecord,
} from '../../src/train/index.ts';
import { letterCountRow, WORDS } from './fixtures.ts';

let tf: typeof TF;
before(async () => {
  tf = await initTf();
});

const tok = new CharTokenizer();
const CONTEXT = 96;

function pairRows(): { prompt: string; chosen: string; rejected: string; common_prefix_chars: number }[] {
  return WORDS.map((word) => {
    const letter = word[1]!;
    const good = letterCountRow(word, letter).completion;
    const count = [...word].filter((c) => c === letter).length;
    const bad = good.replace(`${letter}:${count}</thinking><answer>${count}`, `${letter}:${count + 1}</thinking><answer>${count + 1}`);
    let k = 0;
    while (good[k] === bad[k]) k++;
    return { prompt: `How many ${letter} in ${word}?`, chosen: good, rejected: bad, common_prefix_chars: k };
  });
}

/** log p(tokens[t+1] | tokens[..t]) for every t, from the model's logits (log-softmax in float64). */
function tokenLogps(model: LlamaModel, tokens: Int32Array): number[] {
  const T = tokens.length;
  const V = model.config.vocabSize;
  const logits = model.logits(tokens, 1, T);
  const out: number[] = [];
  for (let t = 0; t + 1 < T; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    let max = -Infinity;
    for (const x of row) max = Math.max(max, x);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    out.push(row[tokens[t + 1]!]! - max - Math.log(sum));
  }
  return out;
}

/** The response positions t (predicting token t+1) that count, after `masked` shared tokens. */
function responsePositions(seq: { tokens: Int32Array; responseStart: number }, masked: number): number[] {
  const out: number[] = [];
  for (let t = seq.responseStart + masked; t < seq.tokens.length - 1; t++) out.push(t);
  return out;
}

const scalar = (t: TF.Tensor): number => t.dataSync()[0]!;

/**
 * The step-2 loss and mean rewards of `settings`, from the named functions: step 2 of a run whose
 * step holds every pair uses the parameters after step 1 as policy and the starting model as reference.
 */
function expectedPreferenceStep(
  policy: LlamaModel,
  reference: LlamaModel,
  settings: { beta: number; labelSmoothing: number; pairWeight: number; alpha: number; maskPrefix: boolean; lengthNormalize: boolean },
): { loss: number; chosen: number; rejected: number } {
  const pairs = pairRows().map((r, i) => encodePreferenceRow(tok, r, CONTEXT, { file: 'pairs', line: i + 1 }));
  const seqLogp = (model: LlamaModel, seq: { tokens: Int32Array; responseStart: number }, masked: number): number => {
    const lp = tokenLogps(model, seq.tokens);
    const at = responsePositions(seq, masked);
    const sum = at.reduce((s, t) => s + lp[t]!, 0);
    return settings.lengthNormalize ? sum / at.length : sum;
  };
  const masked = (p: (typeof pairs)[number]): number => (settings.maskPrefix ? p.prefixTokens : 0);
  const col = (f: (p: (typeof pairs)[number]) => number): TF.Tensor => tf.tensor1d(pairs.map(f));
  const rewards = implicitRewards(
    col((p) => seqLogp(policy, p.chosen, masked(p))),
    col((p) => seqLogp(policy, p.rejected, masked(p))),
    col((p) => seqLogp(reference, p.chosen, masked(p))),
    col((p) => seqLogp(reference, p.rejected, masked(p))),
    settings.beta,
  );
  const preference = tf.mul(settings.pairWeight, tf.mean(sigmoidLoss(rewards.h, { labelSmoothing: settings.labelSmoothing })));
  // SFT term: mean NLL over every chosen response token of the step (the masked prefix excluded).
  const chosenLogps: number[] = [];
  for (const p of pairs) {
    const lp = tokenLogps(policy, p.chosen.tokens);
    for (const t of responsePositions(p.chosen, masked(p))) chosenLogps.push(lp[t]!);
  }
  const sft = sftLoss(tf.tensor1d(chosenLogps), tf.fill([chosenLogps.length], 1 / chosenLogps.length));
  const loss = settings.alpha > 0 ? scalar(jointLoss(preference, sft, settings.alpha)) : scalar(preference);
  return { loss, chosen: scalar(tf.mean(rewards.chosen)), rejected: scalar(tf.mean(rewards.rejected)) };
}

/** Train 2 steps of one full batch each and return step 2's record and the policy used in it. */
async function twoSteps(
  settings: TrainConfigInput,
  rows: { preferenceRows?: ReturnType<typeof pairRows>; sftRows?: { prompt: string; completion: string }[] },
): Promise<{ reference: LlamaModel; policy: LlamaModel; record: StepRecord }> {
  const reference = LlamaModel.init(parseInitSpec('L1-d32-h4-f64-c96', tok.vocabSize), 5);
  let policy: LlamaModel | undefined;
  const result = await train({
    ...settings,
    ...rows,
    model: reference,
    tokenizer: tok,
    steps: 2,
    batch: WORDS.length,
    workers: 1,
    lr: 5e-3,
    warmupRatio: 0,
    seed: 3,
    refCacheDir: mkdtempSync(join(tmpdir(), 'treecot-step-loss-')),
    onStep: (record, model) => {
      if (record.step === 1) policy = new LlamaModel(model.config, model.params.slice());
    },
  });
  return { reference, policy: policy!, record: result.records[1]! };
}

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(
    Math.abs(actual - expected) <= 2e-5 * Math.max(1, Math.abs(expected)),
    `${what}: trained ${actual}, named functions ${expected}`,
  );

const cases: { name: string; config: TrainConfigInput; expect: { labelSmoothing: number; pairWeight: number; alpha: number } }[] = [
  {
    name: '--objective cdpo+sft (eps 0.1, alpha 1), masked',
    config: { objective: 'cdpo+sft', eps: 0.1, alpha: 1, maskPrefix: true },
    expect: { labelSmoothing: 0.1, pairWeight: 1, alpha: 1 },
  },
  {
    name: 'lossType [sigmoid, sft], weights [2, 0.5], label smoothing 0.2',
    config: { lossType: ['sigmoid', 'sft'], lossWeights: [2, 0.5], labelSmoothing: 0.2 },
    expect: { labelSmoothing: 0.2, pairWeight: 2, alpha: 0.5 },
  },
  {
    name: 'lossType [sigmoid] (plain DPO), length-normalised',
    config: { lossType: ['sigmoid'], lengthNormalize: true },
    expect: { labelSmoothing: 0, pairWeight: 1, alpha: 0 },
  },
  {
    name: '--objective cdpo (eps 0.3)',
    config: { objective: 'cdpo', eps: 0.3, maskPrefix: true },
    expect: { labelSmoothing: 0.3, pairWeight: 1, alpha: 0 },
  },
];

for (const c of cases) {
  test(`training step = named loss functions: ${c.name}`, async () => {
    const { reference, policy, record } = await twoSteps({ beta: 0.5, ...c.config }, { preferenceRows: pairRows() });
    const expected = expectedPreferenceStep(policy, reference, {
      beta: 0.5,
      maskPrefix: false,
      lengthNormalize: false,
      ...c.expect,
      ...pick(c.config),
    });
    close(record.loss, expected.loss, 'loss');
    close(record['rewards/chosen']!, expected.chosen, 'rewards/chosen');
    close(record['rewards/rejected']!, expected.rejected, 'rewards/rejected');
    close(record['rewards/margins']!, expected.chosen - expected.rejected, 'rewards/margins');
    assert.ok(
      Math.abs(expected.chosen - expected.rejected) > 1e-4,
      'step 1 moved the policy away from the reference (the check is not trivial)',
    );
  });
}

test('training step = named loss functions: SFT alone is the mean token NLL (sftLoss)', async () => {
  const rows = WORDS.map((w) => letterCountRow(w, w[2]!));
  const { policy, record } = await twoSteps({ lossType: ['sft'] }, { sftRows: rows });
  const logps: number[] = [];
  for (const [i, row] of rows.entries()) {
    const seq = encodeSftRow(tok, row, CONTEXT, { file: 'rows', line: i + 1 });
    const lp = tokenLogps(policy, seq.tokens);
    for (const t of responsePositions(seq, 0)) logps.push(lp[t]!);
  }
  close(record.loss, scalar(sftLoss(tf.tensor1d(logps), tf.fill([logps.length], 1 / logps.length))), 'loss');
});

function pick(config: TrainConfigInput): { maskPrefix?: boolean; lengthNormalize?: boolean } {
  return {
    ...(config.maskPrefix !== undefined && { maskPrefix: config.maskPrefix }),
    ...(config.lengthNormalize !== undefined && { lengthNormalize: config.lengthNormalize }),
  };
}
