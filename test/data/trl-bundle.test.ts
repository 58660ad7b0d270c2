/**
 * `treecot export-trl`: configs map the paper's objective onto TRL DPOConfig, keys checked against
 * the pinned field list, launch script and README content, and prepare_data.py run under python3
 * with a stand-in `transformers` module (a fixed chat template), so the prefix-in-prompt rows are
 * checked byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TreecotError } from '../../src/core/errors.ts';
import {
  allowedTrlKeys,
  buildDataset,
  checkTrlConfigKeys,
  parseTrlBundleOptions,
  trlConfigs,
  writeDataset,
  writeTrlBundle,
} from '../../src/data/index.ts';
import { handTree, PROMPT, run } from './tree-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-trl-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const dataDir = join(dir, 'data');
const tree = handTree({ rejectHypothesis: true }); // rejected = path C, shared sub-task thought (33 chars)
writeDataset(buildDataset({ run: run(), questions: [tree] }), dataDir);

test('dpo.yaml / sft.yaml: the joint cDPO + SFT objective in TRL keys from the pinned list', () => {
  const out = join(dir, 'bundle');
  writeTrlBundle(dataDir, { base: 'Qwen/Qwen2.5-1.5B-Instruct', beta: 0.2, eps: 0.15, alpha: 1.5 }, out);
  const dpo = parse(readFileSync(join(out, 'dpo.yaml'), 'utf8')) as Record<string, unknown>;
  const sft = parse(readFileSync(join(out, 'sft.yaml'), 'utf8')) as Record<string, unknown>;
  assert.equal(dpo.beta, 0.2);
  assert.equal(dpo.label_smoothing, 0.15);
  // cDPO = 2(1-eps) sigmoid - (1-2eps) robust (TRL >= 0.29 has no label smoothing on sigmoid), then alpha * sft.
  assert.deepEqual(dpo.loss_type, ['sigmoid', 'robust', 'sft']);
  assert.deepEqual(dpo.loss_weights, [2 * (1 - 0.15), -(1 - 2 * 0.15), 1.5]);
  assert.equal(dpo.max_prompt_length, undefined, 'TRL 1.x has no max_prompt_length');
  assert.equal(dpo.warmup_ratio, undefined, 'transformers 5 removed warmup_ratio');
  assert.equal(dpo.warmup_steps, 0.1);
  assert.equal(dpo.model_name_or_path, 'output/sft', 'DPO starts from the SFT model');
  assert.equal(dpo.dataset_name, 'data/dpo_prefix_in_prompt');
  assert.equal(sft.model_name_or_path, 'Qwen/Qwen2.5-1.5B-Instruct');
  assert.equal(sft.dataset_name, 'data/sft');
  assert.equal(sft.completion_only_loss, true);
  for (const key of Object.keys(dpo)) assert.ok(allowedTrlKeys('dpo').has(key), key);
  for (const key of Object.keys(sft)) assert.ok(allowedTrlKeys('sft').has(key), key);

  const sftRows = readFileSync(join(out, 'data/sft/train.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(sftRows[0].prompt, [{ role: 'user', content: PROMPT }]);
  const launch = readFileSync(join(out, 'launch.sh'), 'utf8');
  assert.match(
    launch,
    /accelerate launch "\$\{ACCELERATE_ARGS\[@\]\}" "\$TRL_SCRIPTS\/sft.py" --config sft.yaml "\$\{EXTRA_ARGS\[@\]\}" "\$\{SFT_ARGS\[@\]\}"/,
  );
  assert.match(
    launch,
    /accelerate launch "\$\{ACCELERATE_ARGS\[@\]\}" "\$TRL_SCRIPTS\/dpo.py" --config dpo.yaml "\$\{EXTRA_ARGS\[@\]\}" "\$\{DPO_ARGS\[@\]\}"/,
  );
  assert.match(
    launch,
    /python prepare_data.py 'Qwen\/Qwen2.5-1.5B-Instruct' data\/dpo_pairs.jsonl data\/dpo_prefix_in_prompt\/train.jsonl/,
  );
  assert.match(launch, /Version\("0.29.0"\) <= v < Version\("2.0.0"\)/);
  assert.equal(statSync(join(out, 'launch.sh')).mode & 0o111, 0o111, 'launch.sh is executable');
  assert.deepEqual(readFileSync(join(out, 'requirements.txt'), 'utf8').split('\n').slice(1, 3), ['trl==1.16.0', 'transformers==5.23.0']);
  const readme = readFileSync(join(out, 'README.md'), 'utf8');
  assert.match(readme, /0\.29\.0 \("Refactor DPO"\) made the `sigmoid` loss ignore `label_smoothing`/);
  assert.match(readme, /TRL 0\.20-0\.28/);
  assert.match(readme, /\*\*SFT term: changed\.\*\*/);
  assert.match(readme, /\*\*Preference \(sigmoid \/ cDPO\) term: unchanged\.\*\*/);
  const bash = spawnSync('bash', ['-n', join(out, 'launch.sh')]);
  assert.equal(bash.status, 0, `launch.sh parses: ${bash.stderr}`);
});

test('key check: an unknown key is refused with the file and field named', () => {
  assert.throws(
    () => checkTrlConfigKeys({ beta: 0.1, rpo_alpha_typo: 1 }, 'dpo', 'dpo.yaml'),
    (e: unknown) =>
      TreecotError.isInstance(e) &&
      /dpo\.yaml field "rpo_alpha_typo": not a `trl dpo` config field in trl>=0.29,<2/.test((e as Error).message),
  );
  assert.throws(() => checkTrlConfigKeys({ label_smoothing: 0.1 }, 'sft', 'sft.yaml'), /label_smoothing/);
  const options = parseTrlBundleOptions({ base: 'm', masking: 'none', eps: 0 });
  const { dpo } = trlConfigs(options, false);
  assert.equal(dpo.model_name_or_path, 'm', 'without SFT rows DPO starts from the base model');
  assert.equal(dpo.dataset_name, 'data/dpo');
  assert.equal(dpo.label_smoothing, 0);
  assert.deepEqual(
    [dpo.loss_type, dpo.loss_weights],
    [
      ['sigmoid', 'sft'],
      [1, 1],
    ],
    'eps = 0: plain sigmoid DPO + SFT',
  );
  const noSft = trlConfigs(parseTrlBundleOptions({ base: 'm', eps: 0.2, alpha: 0 }), false).dpo;
  assert.deepEqual(
    [noSft.loss_type, noSft.loss_weights],
    [
      ['sigmoid', 'robust'],
      [1.6, -0.6],
    ],
    'alpha = 0: no sft term',
  );
  assert.throws(() => parseTrlBundleOptions({ base: 'm', eps: 0.5 }), /field "eps"/);
  assert.throws(() => parseTrlBundleOptions({ base: 'm', masking: 'tokens' }), /field "masking"/);
});

test('report_to: none by default; wandb or tensorboard goes into both configs, requirements.txt and the README', () => {
  const plain = join(dir, 'bundle-none');
  writeTrlBundle(dataDir, { base: 'm' }, plain);
  assert.equal((parse(readFileSync(join(plain, 'sft.yaml'), 'utf8')) as Record<string, unknown>).report_to, 'none');
  assert.doesNotMatch(readFileSync(join(plain, 'requirements.txt'), 'utf8'), /tensorboard|wandb/);
  for (const logger of ['wandb', 'tensorboard'] as const) {
    const out = join(dir, `bundle-${logger}`);
    writeTrlBundle(dataDir, { base: 'm', reportTo: logger }, out);
    for (const file of ['sft.yaml', 'dpo.yaml']) {
      assert.equal((parse(readFileSync(join(out, file), 'utf8')) as Record<string, unknown>).report_to, logger, file);
    }
    assert.match(readFileSync(join(out, 'requirements.txt'), 'utf8'), new RegExp(`^${logger}$`, 'm'));
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), new RegExp(`\\| logging \\| .*\\| ${logger} \\|`));
  }
  assert.throws(() => parseTrlBundleOptions({ base: 'm', reportTo: 'mlflow' }), /field "reportTo"/);
});

test('bad data folder: missing files or pairs whose prefix is not common -> DataError naming file and line', () => {
  assert.throws(() => writeTrlBundle(join(dir, 'nope'), { base: 'm' }, join(dir, 'b1')), /sft\.jsonl: file not found/);
  const broken = join(dir, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'sft.jsonl'), '');
  writeFileSync(
    join(broken, 'dpo.jsonl'),
    JSON.stringify({ prompt: 'p', chosen: 'abc', rejected: 'abd', common_prefix_chars: 3, shared_thoughts_chars: 0 }) + '\n',
  );
  assert.throws(() => writeTrlBundle(broken, { base: 'm' }, join(dir, 'b2')), /dpo\.jsonl:1 field "common_prefix_chars"/);
  writeFileSync(join(broken, 'dpo.jsonl'), JSON.stringify({ prompt: 'p', chosen: 'abc' }) + '\n');
  assert.throws(() => writeTrlBundle(broken, { base: 'm' }, join(dir, 'b2')), /dpo\.jsonl:1 field "rejected": missing field/);
  assert.ok(!existsSync(join(dir, 'b1')) && !existsSync(join(dir, 'b2')));
});

const python = spawnSync('python3', ['--version']).status === 0;

test(
  'prepare_data.py: chat template applied to the user turn, shared prefix appended, suffixes as responses',
  { skip: !python && 'python3 not found' },
  () => {
    const out = join(dir, 'bundle-py');
    writeTrlBundle(dataDir, { base: 'fake-model' }, out);
    const fake = join(dir, 'fake-python');
    mkdirSync(join(fake, 'transformers'), { recursive: true });
    writeFileSync(
      join(fake, 'transformers', '__init__.py'),
      `class _Tok:
    bos_token = "<s>"
    bos_token_id = 1

    def __call__(self, text):
        return {"input_ids": [ord(c) for c in text]}  # adds no BOS, like Qwen's

    def apply_chat_template(self, messages, tokenize=True, add_generation_prompt=False):
        assert tokenize is False and add_generation_prompt is True and len(messages) == 1
        return "<|user|>" + messages[0]["content"] + "<|end|><|assistant|>"

class AutoTokenizer:
    @staticmethod
    def from_pretrained(name):
        assert name == "fake-model", name
        return _Tok()
`,
    );
    const result = spawnSync(
      'python3',
      ['prepare_data.py', 'fake-model', 'data/dpo_pairs.jsonl', 'data/dpo_prefix_in_prompt/train.jsonl'],
      {
        cwd: out,
        env: { ...process.env, PYTHONPATH: fake },
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stderr);
    const rows = readFileSync(join(out, 'data/dpo_prefix_in_prompt/train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(rows, [
      {
        prompt: `<|user|>${PROMPT}<|end|><|assistant|><sub-task>Break down.</sub-task>\n`,
        chosen: '<thinking>2+2 is 4.</thinking>\n<answer>4</answer>',
        rejected: '<thinking>2+2 is 5.</thinking>\n<answer>5</answer>',
      },
    ]);
  },
);
