/**
 * The step log carries TRL/transformers metric names beside treecot's own: `learning_rate` (= lr),
 * `num_tokens` (= tokens), and for steps with an SFT term `mean_token_accuracy`, checked here against
 * an independent count: the model's full-sequence forward pass (LlamaModel.logits), argmax at each
 * response position, compared with the next token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSftRow, train, type LlamaModel, type CharTokenizer } from '../../src/train/index.ts';
import { eightRows, letterCountRow, WORDS } from './fixtures.ts';

/** Share of response targets (completion + EOS) whose argmax is the target, over all rows. */
function responseTokenAccuracy(model: LlamaModel, tokenizer: CharTokenizer, rows: { prompt: string; completion: string }[]): number {
  let correct = 0;
  let total = 0;
  const V = model.config.vocabSize;
  for (const row of rows) {
    const seq = encodeSftRow(tokenizer, row, model.config.context, { file: 'test' });
    const T = seq.tokens.length - 1;
    const logits = model.logits(seq.tokens.subarray(0, T), 1, T);
    for (let t = seq.responseStart; t < T; t++) {
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[t * V + v]! > logits[t * V + best]!) best = v;
      if (best === seq.tokens[t + 1]) correct++;
      total++;
    }
  }
  return correct / total;
}

test('SFT log: learning_rate, num_tokens and mean_token_accuracy (argmax = target over response tokens)', async () => {
  const rows = eightRows();
  // A partly trained model, so the accuracy is neither 0 nor 1.
  const base = await train({ sftRows: rows, init: 'L1-d32-h4-f64-c96', steps: 12, batch: 8, lr: 1e-2, seed: 3 });
  const expected = responseTokenAccuracy(base.model, base.tokenizer, rows);
  assert.ok(expected > 0.05 && expected < 0.95, `the check needs a partly trained model (accuracy ${expected})`);
  const dir = mkdtempSync(join(tmpdir(), 'treecot-trl-names-'));
  // One step over all 8 rows: the accuracy is measured on the starting model, before the update.
  const result = await train({
    sftRows: rows,
    model: base.model,
    steps: 2,
    batch: 4,
    accum: 2,
    lr: 1e-3,
    seed: 4,
    log: join(dir, 'log.jsonl'),
  });
  const logged = readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const first = logged[0];
  assert.ok(Math.abs(first.mean_token_accuracy - expected) < 1e-9, `mean_token_accuracy ${first.mean_token_accuracy} vs ${expected}`);
  for (const record of logged) {
    assert.equal(record.learning_rate, record.lr);
    assert.equal(record.num_tokens, record.tokens);
    assert.ok('loss' in record && 'tokens' in record && 'lr' in record, 'the existing names stay');
  }
  assert.ok(logged[1].num_tokens > logged[0].num_tokens);
  assert.deepEqual(result.records[0], first);
});

test('preference log: TRL rewards/* for every pair loss; mean_token_accuracy only where an SFT term trains', async () => {
  const pairs = WORDS.map((word) => {
    const letter = word[1]!;
    const good = letterCountRow(word, letter).completion;
    const bad = good.replace(/<answer>(\d+)/, (_, n: string) => `<answer>${Number(n) + 1}`);
    let k = 0;
    while (good[k] === bad[k]) k++;
    return { prompt: `How many ${letter} in ${word}?`, chosen: good, rejected: bad, common_prefix_chars: k };
  });
  const base = await train({ sftRows: eightRows(), init: 'L1-d32-h4-f64-c96', steps: 6, batch: 8, lr: 1e-2, seed: 5 });
  const common = {
    preferenceRows: pairs,
    model: base.model,
    steps: 2,
    batch: 8,
    lr: 1e-3,
    seed: 6,
    refCacheDir: mkdtempSync(join(tmpdir(), 'ref-')),
  };
  const dpo = await train({ ...common, objective: 'dpo' });
  const joint = await train({ ...common, objective: 'cdpo+sft', alpha: 1, eps: 0.1 });
  for (const record of [...dpo.records, ...joint.records]) {
    for (const key of [
      'rewards/chosen',
      'rewards/rejected',
      'rewards/margins',
      'rewards/accuracies',
      'learning_rate',
      'num_tokens',
    ] as const) {
      assert.equal(typeof record[key], 'number', key);
    }
    assert.ok(Math.abs(record['rewards/margins']! - (record['rewards/chosen']! - record['rewards/rejected']!)) < 1e-6);
  }
  assert.equal(dpo.records[0]!.mean_token_accuracy, undefined, 'plain DPO has no SFT term, so no token accuracy');
  const accuracy = joint.records[0]!.mean_token_accuracy!;
  assert.ok(accuracy >= 0 && accuracy <= 1, `joint loss: accuracy of the chosen responses ${accuracy}`);
});
