import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, BOS_ID, EOS_ID } from '../../src/train/index.ts';
import { eightRows, letterCountRow, WORDS } from './fixtures.ts';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'treecot-train-'));

test('SFT on 8 examples drives the loss near zero and the model reproduces a completion', async () => {
  const dir = scratch();
  const rows = eightRows();
  const result = await train({
    sftRows: rows,
    init: 'L1-d32-h4-f64-c96',
    steps: 150,
    batch: 8,
    lr: 1e-2,
    warmupRatio: 0.05,
    seed: 1,
    log: join(dir, 'log.jsonl'),
  });
  const first = result.records[0]!.loss;
  const last = result.records.at(-1)!.loss;
  assert.ok(first > 4, `initial loss ${first} is about ln V`);
  assert.ok(last < 0.05, `final loss ${last}`);
  const logged = readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(logged.length, 150);
  for (const key of ['step', 'lr', 'loss', 'grad_norm', 'tokens', 'tokens_per_s']) assert.ok(key in logged[0], key);
  const { model, tokenizer } = result;
  const out = model.greedy([BOS_ID, ...tokenizer.encode(rows[3]!.prompt)], 60, [EOS_ID]);
  assert.equal(tokenizer.decode(out.tokens), rows[3]!.completion);
});

function pairs(): { prompt: string; chosen: string; rejected: string; common_prefix_chars: number }[] {
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

test('DPO on a small pair set raises the reward margin and the preference accuracy; first loss is ln 2', async () => {
  const dir = scratch();
  const base = await train({ sftRows: eightRows(), init: 'L1-d32-h4-f64-c96', steps: 30, batch: 8, lr: 1e-2, seed: 2 });
  const result = await train({
    preferenceRows: pairs(),
    model: base.model,
    objective: 'dpo',
    beta: 0.5,
    steps: 25,
    batch: 8,
    lr: 3e-3,
    warmupRatio: 0,
    seed: 2,
    refCacheDir: dir,
  });
  const first = result.records[0]!;
  const last = result.records.at(-1)!;
  assert.ok(Math.abs(first.loss - Math.LN2) < 1e-5, `first loss ${first.loss}`);
  assert.equal(first['rewards/margins'], 0);
  assert.ok(last['rewards/margins']! > 0.5, `margin ${last['rewards/margins']}`);
  assert.equal(last['rewards/accuracies'], 1);
  assert.ok(last.loss < 0.4, `loss ${last.loss}`);
  assert.ok(last['rewards/chosen']! > last['rewards/rejected']!);
});

test('gradient invariance: batch 8 x accum 1 = batch 1 x accum 8 = batch 4 x 2 workers (same losses and grad norms)', async () => {
  const rows = [...eightRows(), ...WORDS.map((w) => letterCountRow(w, w[0]!))];
  const run = (batch: number, accum: number, workers: number) =>
    train({ sftRows: rows, init: 'L1-d32-h4-f64-c96', steps: 3, batch, accum, workers, lr: 1e-2, warmupRatio: 0, seed: 5 });
  const a = await run(8, 1, 1);
  const b = await run(1, 8, 1);
  const c = await run(4, 1, 2);
  for (const other of [b, c]) {
    other.records.forEach((r, i) => {
      const ref = a.records[i]!;
      assert.ok(Math.abs(r.loss - ref.loss) < 1e-5 * ref.loss, `step ${i + 1} loss ${r.loss} vs ${ref.loss}`);
      assert.ok(Math.abs(r.grad_norm - ref.grad_norm) < 1e-4 * ref.grad_norm, `step ${i + 1} grad norm ${r.grad_norm} vs ${ref.grad_norm}`);
    });
  }
  assert.ok(a.records[2]!.padding_share >= 0);
});

test('preference gradient invariance: 8 pairs x 1 = 2 pairs x 2 accum x 2 workers (cdpo+sft, masked)', async () => {
  const base = await train({ sftRows: eightRows(), init: 'L1-d32-h4-f64-c96', steps: 5, batch: 8, lr: 1e-2, seed: 6 });
  const run = (batch: number, accum: number, workers: number) =>
    train({
      preferenceRows: pairs(),
      model: base.model,
      objective: 'cdpo+sft',
      maskPrefix: true,
      beta: 0.5,
      steps: 2,
      batch,
      accum,
      workers,
      lr: 1e-3,
      warmupRatio: 0,
      seed: 6,
      refCacheDir: scratch(),
    });
  const before = base.model.params.slice();
  const a = await run(8, 1, 1);
  assert.deepEqual(base.model.params, before, 'train() does not modify the model it starts from');
  const b = await run(2, 2, 2);
  a.records.forEach((ra, i) => {
    const rb = b.records[i]!;
    for (const key of ['loss', 'grad_norm', 'sft_loss', 'rewards/margins', 'logps/chosen'] as const) {
      const x = ra[key]!;
      const y = rb[key]!;
      assert.ok(Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(x)), `step ${i + 1} ${key}: ${x} vs ${y}`);
    }
  });
});

test('checkpoint and resume: a crash at step 3 resumes from step 2 and ends equal to 4 uninterrupted steps', async () => {
  const dir = scratch();
  const options = {
    sftRows: eightRows(),
    init: 'L1-d32-h4-f64-c96',
    steps: 4,
    batch: 4,
    lr: 1e-2,
    seed: 9,
    checkpointDir: join(dir, 'ckpt'),
    checkpointEvery: 2,
    log: join(dir, 'log.jsonl'),
  } as const;
  const full = await train({ ...options, checkpointDir: join(dir, 'full'), log: join(dir, 'full.jsonl') });
  let stopped = 0;
  await assert.rejects(
    train({
      ...options,
      onStep: (record) => {
        stopped = record.step;
        if (record.step === 3) throw new Error('simulated crash');
      },
    }),
    /simulated crash/,
  );
  assert.equal(stopped, 3, 'crashed after step 3, last checkpoint at step 2');
  const resumed = await train({ ...options, resume: true });
  assert.equal(resumed.stepsRun, 2);
  assert.deepEqual(
    resumed.records.map((r) => r.step),
    [3, 4],
  );
  assert.deepEqual(
    resumed.records.map((r) => r.loss),
    full.records.slice(2).map((r) => r.loss),
  );
  assert.deepEqual(resumed.model.params, full.model.params);
  const steps = readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { step: number }).step);
  assert.deepEqual(steps, [1, 2, 3, 4], 'the log keeps steps 1-2, drops the lost step 3, then continues');
});

test('reference log-probs are computed once and cached on disk, keyed by model, data and masking', async () => {
  const { createEngine } = await import('../../src/train/engine.ts');
  const { referenceLogps } = await import('../../src/train/reference.ts');
  const { LlamaModel, CharTokenizer, parseInitSpec, encodePreferenceRow } = await import('../../src/train/index.ts');
  const dir = scratch();
  const tok = new CharTokenizer();
  const model = LlamaModel.init(parseInitSpec('L1-d16-h2-c96', tok.vocabSize), 4);
  const encoded = pairs().map((p, i) => encodePreferenceRow(tok, p, 96, { file: 'pairs', line: i + 1 }));
  const engine = await createEngine(model.config, 1);
  try {
    const options = { maskPrefix: false, lengthNormalize: false, batch: 3, cacheDir: dir };
    const first = await referenceLogps(engine, model.params, encoded, options);
    const again = await referenceLogps(engine, model.params, encoded, options);
    assert.equal(first.cached, false);
    assert.equal(again.cached, true);
    assert.deepEqual(again.logps, first.logps);
    assert.equal(first.logps.length, 2 * encoded.length);
    assert.ok(first.logps.every((x) => x < 0));
    const masked = await referenceLogps(engine, model.params, encoded, { ...options, maskPrefix: true });
    assert.equal(masked.cached, false);
    assert.notEqual(masked.key, first.key);
    assert.ok(masked.logps[0]! > first.logps[0]!, 'masking drops prefix tokens from the sum');
    const other = LlamaModel.init(model.config, 5);
    assert.equal((await referenceLogps(engine, other.params, encoded, options)).cached, false, 'another reference model is another key');
  } finally {
    await engine.close();
  }
});
