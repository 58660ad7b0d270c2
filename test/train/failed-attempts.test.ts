/** train.sft.mask_failed_attempts: the failed attempts before a reflection carry no SFT loss. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CharTokenizer, encodeSftRow, maskFailedAttempts } from '../../src/train/index.ts';
import { sftMicroBatch } from '../../src/train/batching.ts';
import { parsePipelineConfig } from '../../src/pipeline/index.ts';

const failed = '<sub-task>p</sub-task><thinking>freehone</thinking><thinking>p:0</thinking><double-check>p=0</double-check>';
const rethink =
  "<reflection>Wait! something is wrong, let's think again.</reflection><thinking>freephone</thinking><thinking>p:1</thinking><double-check>p=1</double-check><answer>1</answer>";
const twice = `${failed}<reflection>Wait!</reflection><thinking>freehone</thinking><double-check>p=0</double-check>${rethink}`;

test('maskFailedAttempts: the text before the last reflection moves to the prompt; rows without one are unchanged', () => {
  const rows = [
    { prompt: 'How many p in freephone?', completion: failed + rethink, question_id: 'q1' },
    { prompt: 'How many p in freephone?', completion: twice, question_id: 'q2' },
    { prompt: 'How many e in tree?', completion: '<sub-task>e</sub-task><thinking>tree</thinking><answer>2</answer>', question_id: 'q3' },
  ];
  const [one, two, plain] = maskFailedAttempts(rows);
  assert.deepEqual(one, { prompt: `How many p in freephone?${failed}`, completion: rethink, question_id: 'q1' });
  // Two reflections: both failed attempts are masked, the loss starts at the last reflection.
  assert.equal(two!.completion, rethink);
  assert.equal(two!.prompt + two!.completion, rows[1]!.prompt + twice);
  assert.equal(plain, rows[2]);
  // Another reflection tag (search.reflection_type's node) and a separator between thoughts.
  const custom = maskFailedAttempts([{ prompt: 'q', completion: '<thinking>a</thinking>\n<rethink>b</rethink>' }], {
    tag: 'rethink',
    separator: '\n',
  });
  assert.deepEqual(custom[0], { prompt: 'q<thinking>a</thinking>\n', completion: '<rethink>b</rethink>' });
  // The tag's text inside a thought is not a reflection thought: the split stays at the real one.
  const inside = `${failed}<reflection>Wait!</reflection><thinking>spell <reflection> again</thinking><answer>1</answer>`;
  assert.equal(maskFailedAttempts([{ prompt: 'q', completion: inside }])[0]!.prompt, `q${failed}`);
  // A completion that opens with its reflection has no failed attempt to move.
  const opening = { prompt: 'q', completion: '<reflection>Wait!</reflection><answer>1</answer>' };
  assert.equal(maskFailedAttempts([opening])[0], opening);
});

test('maskFailedAttempts is a loss mask: the same tokens, and the first weighted target is the reflection tag', () => {
  const tokenizer = new CharTokenizer();
  const row = { prompt: 'How many p in freephone?', completion: failed + rethink };
  const whole = encodeSftRow(tokenizer, row, 384, { file: 'rows' });
  const masked = encodeSftRow(tokenizer, maskFailedAttempts([row])[0]!, 384, { file: 'rows' });
  assert.deepEqual([...masked.tokens], [...whole.tokens]);
  assert.equal(masked.responseStart - whole.responseStart, tokenizer.encode(failed).length);
  const batch = sftMicroBatch([masked], 1);
  const first = batch.sftWeights.findIndex((w) => w > 0);
  assert.equal(tokenizer.decode([batch.targets[first]!]), '<reflection>');
  assert.equal(batch.sftWeights.filter((w) => w > 0).length, tokenizer.encode(rethink).length + 1, 'the re-think and EOS');
});

test('pipeline config: mask_failed_attempts defaults to false; settings of a stage that is off are refused', () => {
  const base = {
    name: 't',
    task: 'letter-count',
    policy: { gguf: 'p.gguf' },
    search: { config: 's.yaml', questions: { file: 'q.jsonl' } },
    eval: { sets: [{ name: 'e', file: 'e.jsonl' }] },
  };
  const parse = (raw: unknown) => parsePipelineConfig(raw, 'pipeline.yaml').config.train.sft.mask_failed_attempts;
  assert.equal(parse(base), false);
  assert.equal(parse({ ...base, train: { sft: { mask_failed_attempts: true } } }), true);
  assert.throws(
    () => parse({ ...base, train: { sft: { enabled: false, mask_failed_attempts: true } } }),
    /field "train\.sft\.mask_failed_attempts": masks the tree-data SFT, which is off/,
  );
  for (const key of ['mcts_rollouts', 'mcts_temperature'])
    assert.throws(
      () => parse({ ...base, eval: { ...base.eval, [key]: 1 } }),
      new RegExp(`field "eval\\.${key}": sets the MCTS decode, which is off`),
    );
  assert.equal(parse({ ...base, eval: { ...base.eval, mcts_decode: true, mcts_temperature: 0.3 } }), false);
  assert.throws(
    () => parse({ ...base, train: { sft: { mask_failed_attempts: 'yes' } } }),
    /pipeline\.yaml field "train\.sft\.mask_failed_attempts"/,
  );
});
