/**
 * The TRL bundle, trained for real: `treecot export-trl` writes the bundle, its own launch.sh runs
 * TRL's `sft.py` and `dpo.py` on CPU for a few steps, and treecot's trainer runs the same model, data,
 * batches and hyper-parameters. Every logged step must agree: loss, rewards/chosen,
 * rewards/rejected, rewards/margins (float32 both sides).
 *
 * Batch order: every step takes the whole data set (batch = rows, accumulation 1), so the two
 * trainers' different shuffles cannot change a step. Optimiser: both AdamW (0.9, 0.999, 1e-8), no
 * weight decay, clip 1.0, constant learning rate (TRL_EXTRA_ARGS overrides only these and the step
 * count). The DPO stage starts from TRL's SFT output, which treecot reads through import-hf, so
 * the DPO comparison does not depend on the SFT one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  train,
  initTf,
  LlamaModel,
  parseInitSpec,
  CharTokenizer,
  exportGguf,
  loadHfCheckpoint,
  type StepRecord,
} from '../../src/train/index.ts';
import { allowedTrlKeys } from '../../src/data/index.ts';
import { builtData, freshDir } from './fixture.ts';
import { pythonJson, treecot, VENV } from './python.ts';

const run = promisify(execFile);
const STEPS = 4;
const LR = 3e-3;
/** Relative tolerance, first step and curve over STEPS steps; rewards near 0 also get absoluteFloor's floor (measured: at most 6.6e-5 relative, rewards/rejected of plain DPO at a step where it is small). */
const FIRST_STEP_RTOL = 1e-4;
const CURVE_RTOL = 1e-4;

interface TrlLog {
  step: number;
  loss: number;
  'rewards/chosen'?: number;
  'rewards/rejected'?: number;
  'rewards/margins'?: number;
  /** TRL's mean policy sequence log-prob of the chosen / rejected completions (DPO steps only). */
  'logps/chosen'?: number;
  'logps/rejected'?: number;
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** log_history of the last checkpoint TRL saved under `outputDir`. */
function trlLogs(outputDir: string): TrlLog[] {
  const last = readdirSync(outputDir)
    .filter((d) => /^checkpoint-\d+$/.test(d))
    .sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]))
    .at(-1);
  assert.ok(last, `no checkpoint in ${outputDir}`);
  const state = JSON.parse(readFileSync(join(outputDir, last, 'trainer_state.json'), 'utf8')) as { log_history: TrlLog[] };
  return state.log_history.filter((h) => h.loss !== undefined);
}

/**
 * A reward is beta x (policy - reference) sequence log-prob: the difference of two float32 sums of
 * 100-200 token log-probs, each |sum| ~ 200, which torch and tfjs-wasm add with different kernels
 * (and, after the first step, from weights that AdamW rounded differently). Its absolute error
 * therefore scales with beta x |sequence log-prob|, not with the reward, which may be near 0.
 * Measured: up to ~1.4e-6 of beta x |logps| (CI machine, plain DPO step 2: 5.6e-5 at beta 0.2,
 * with |logps| ~200 on this fixture). 1e-5 per sum (2e-5 for the two) is 14x that, and far below
 * what a real bug moves: one token counted or masked wrongly shifts a sum by a token's log-prob
 * (~1.4 nats here, 7e-3 of the sum).
 */
const SEQUENCE_LOGP_RTOL = 1e-5;

/** Absolute floor for a logged value: 1e-7 for a loss; for a reward, two sums' rounding (above). */
function absoluteFloor(key: string, row: TrlLog, beta: number | undefined): number {
  if (!key.startsWith('rewards/')) return 1e-7;
  assert.ok(beta !== undefined, `compareCurves: ${key} needs beta`);
  const logps = Math.max(Math.abs(row['logps/chosen'] ?? NaN), Math.abs(row['logps/rejected'] ?? NaN));
  assert.ok(Number.isFinite(logps), `TRL step ${row.step}: logps/chosen and logps/rejected not logged`);
  return Math.max(1e-5, 2 * SEQUENCE_LOGP_RTOL * beta * logps);
}

/** |a - b| <= rtol * max(|a|, |b|) + floor. */
function close(a: number, b: number, rtol: number, floor: number): boolean {
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b)) + floor;
}

function compareCurves(
  t: { diagnostic: (m: string) => void },
  label: string,
  trl: TrlLog[],
  ours: StepRecord[],
  keys: (keyof TrlLog & keyof StepRecord)[],
  beta?: number,
): void {
  assert.equal(trl.length, ours.length, `${label}: ${trl.length} TRL steps, ${ours.length} treecot steps`);
  const worst: Record<string, number> = {};
  trl.forEach((row, i) => {
    for (const key of keys) {
      const a = row[key] as number;
      const b = ours[i]![key] as number;
      assert.ok(Number.isFinite(a) && Number.isFinite(b), `${label} step ${i + 1} ${key}: ${a} vs ${b}`);
      const rel = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);
      const slot = `${key}@${i === 0 ? 'step1' : 'curve'}`;
      worst[slot] = Math.max(worst[slot] ?? 0, rel);
      worst[`${key}@abs`] = Math.max(worst[`${key}@abs`] ?? 0, Math.abs(a - b));
      assert.ok(
        close(a, b, i === 0 ? FIRST_STEP_RTOL : CURVE_RTOL, absoluteFloor(key, row, beta)),
        `${label} step ${i + 1} ${key}: TRL ${a}, treecot ${b}`,
      );
    }
  });
  t.diagnostic(
    `${label}: ${trl.length} steps; TRL loss ${trl.map((r) => r.loss.toFixed(6)).join(' ')}; treecot ${ours.map((r) => r.loss.toFixed(6)).join(' ')}`,
  );
  t.diagnostic(
    `${label}: max relative difference ${Object.entries(worst)
      .map(([k, v]) => `${k} ${v.toExponential(1)}`)
      .join(', ')}`,
  );
}

/** A DPO stage's curve (TRL's output/dpo logs against treecot's records): loss and the three rewards. */
function compareDpoCurves(t: { diagnostic: (m: string) => void }, label: string, bundle: string, ours: StepRecord[], beta: number): void {
  compareCurves(
    t,
    label,
    trlLogs(join(bundle, 'output/dpo')),
    ours,
    ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins'],
    beta,
  );
}

/** Run the bundle's launch.sh with the venv first on PATH. */
async function launch(bundle: string, extra: string, stageArgs: Record<string, string> = {}): Promise<void> {
  try {
    await run('bash', ['launch.sh'], {
      cwd: bundle,
      env: {
        ...process.env,
        PATH: `${join(VENV, 'bin')}:${process.env.PATH}`,
        NUM_GPUS: '1',
        TRL_EXTRA_ARGS: extra,
        ...stageArgs,
        HF_HUB_OFFLINE: '1',
        HF_DATASETS_OFFLINE: '1',
        TOKENIZERS_PARALLELISM: 'false',
        OMP_NUM_THREADS: '1',
      },
      maxBuffer: 1 << 28,
      timeout: 20 * 60_000,
    });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`launch.sh failed: ${e.message}\n${(e.stderr ?? '').slice(-4000)}`);
  }
}

const TRAINING_OVERRIDES = [
  `--bf16 false --use_cpu true --gradient_checkpointing false --max_steps ${STEPS} --lr_scheduler_type constant --warmup_steps 0`,
  `--weight_decay 0 --adam_beta1 0.9 --adam_beta2 0.999 --adam_epsilon 1e-8 --max_grad_norm 1.0`,
  '--gradient_accumulation_steps 1 --logging_steps 1 --save_strategy steps --save_steps 1000 --report_to none --dataloader_num_workers 0',
].join(' ');

const OUR_OPTIMISER = {
  warmupRatio: 0,
  minLrRatio: 1,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  clip: 1,
  accum: 1,
  workers: 1,
  steps: STEPS,
  lr: LR,
};

test(
  'TRL 1.x runs the bundle (SFT, then cDPO + alpha*SFT with the prefix in the prompt) and agrees with treecot step by step',
  { timeout: 40 * 60_000 },
  async (t) => {
    await initTf();
    const data = await builtData();
    const dir = freshDir('trl');
    // A fresh model with room for the rows (the built-in one has a 128-token context).
    const tokenizer = new CharTokenizer();
    const baseGguf = join(dir, 'base.gguf');
    exportGguf(LlamaModel.init(parseInitSpec('L2-d64-h4-f176-c512', tokenizer.vocabSize), 11), baseGguf, { tokenizer });
    const baseHf = join(dir, 'base-hf');
    await treecot(['export-hf', baseGguf, '--out', baseHf]);

    const bundle = join(dir, 'bundle');
    const eps = 0.1,
      alpha = 1,
      beta = 0.1;
    await treecot([
      'export-trl',
      data,
      '--base',
      baseHf,
      '--out',
      bundle,
      '--eps',
      String(eps),
      '--alpha',
      String(alpha),
      '--beta',
      String(beta),
      '--sft-lr',
      String(LR),
      '--dpo-lr',
      String(LR),
      '--max-length',
      '512',
    ]);
    const dpoYaml = parse(readFileSync(join(bundle, 'dpo.yaml'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(dpoYaml.loss_type, ['sigmoid', 'robust', 'sft']);
    const sftRows = readJsonl<{ prompt: { content: string }[]; completion: { content: string }[] }>(
      join(bundle, 'data/sft/train.jsonl'),
    ).map((r) => ({ prompt: r.prompt[0]!.content, completion: r.completion[0]!.content }));
    const pairs = readJsonl<{ prompt: string; prefix: string; chosen: string; rejected: string }>(join(bundle, 'data/dpo_pairs.jsonl'));
    assert.ok(sftRows.length >= 4 && pairs.length >= 4, `${sftRows.length} SFT rows, ${pairs.length} pairs`);
    assert.ok(
      pairs.some((p) => p.prefix.length > 0),
      'some pairs share a prefix',
    );

    // Each stage takes all its rows in every step (per-stage batch through TRL_SFT_ARGS / TRL_DPO_ARGS).
    await launch(bundle, TRAINING_OVERRIDES, {
      TRL_SFT_ARGS: `--per_device_train_batch_size ${sftRows.length}`,
      TRL_DPO_ARGS: `--per_device_train_batch_size ${pairs.length}`,
    });

    const ourSft = await train({
      objective: 'sft',
      sftRows,
      modelPath: baseGguf,
      batch: sftRows.length,
      ...OUR_OPTIMISER,
      refCacheDir: join(dir, 'ref'),
    });
    compareCurves(t, 'SFT', trlLogs(join(bundle, 'output/sft')), ourSft.records, ['loss']);

    // DPO from TRL's SFT output: treecot imports it, with the pairs as TRL saw them (prefix + suffix, prefix masked).
    const sftHf = loadHfCheckpoint(join(bundle, 'output/sft'));
    const preferenceRows = pairs.map((p) => ({
      prompt: p.prompt,
      chosen: p.prefix + p.chosen,
      rejected: p.prefix + p.rejected,
      common_prefix_chars: p.prefix.length,
    }));
    const ourDpo = await train({
      objective: 'cdpo+sft',
      preferenceRows,
      model: sftHf.model,
      tokenizer: sftHf.tokenizer,
      beta,
      eps,
      alpha,
      maskPrefix: true,
      batch: pairs.length,
      ...OUR_OPTIMISER,
      refCacheDir: join(dir, 'ref'),
    });
    compareDpoCurves(t, 'cDPO+SFT masked', bundle, ourDpo.records, beta);

    // The TRL-trained model comes back as GGUF and treecot evaluates it.
    const back = join(dir, 'trl-dpo.gguf');
    await treecot(['import-hf', join(bundle, 'output/dpo'), '--out', back]);
    const evalOut = await treecot([
      'eval',
      '--gguf',
      back,
      '--task',
      'letter-count',
      '--data',
      join(data, '..', 'questions.jsonl'),
      '--max-tokens',
      '64',
      '--json',
    ]);
    const summary = JSON.parse(evalOut.trim().split('\n').at(-1)!) as { questions?: number; accuracy?: number };
    t.diagnostic(`treecot eval of the TRL-trained model: ${JSON.stringify(summary).slice(0, 300)}`);
    assert.ok(evalOut.length > 0);
  },
);

test(
  "plain DPO, no masking, from the base model: TRL 1.x equals treecot's sigmoid DPO even with label_smoothing set (TRL >= 0.29 ignores it there)",
  { timeout: 40 * 60_000 },
  async (t) => {
    await initTf();
    const data = await builtData();
    const dir = freshDir('trl-dpo');
    const tokenizer = new CharTokenizer();
    const baseGguf = join(dir, 'base.gguf');
    exportGguf(LlamaModel.init(parseInitSpec('L2-d64-h4-f176-c512', tokenizer.vocabSize), 12), baseGguf, { tokenizer });
    const baseHf = join(dir, 'base-hf');
    await treecot(['export-hf', baseGguf, '--out', baseHf]);
    // Only pairs: no SFT stage, DPO starts from the base model.
    const pairsOnly = join(dir, 'pairs-only');
    await run('mkdir', ['-p', pairsOnly]);
    writeFileSync(join(pairsOnly, 'sft.jsonl'), '');
    writeFileSync(join(pairsOnly, 'dpo.jsonl'), readFileSync(join(data, 'dpo.jsonl')));
    const bundle = join(dir, 'bundle');
    const beta = 0.2;
    await treecot([
      'export-trl',
      pairsOnly,
      '--base',
      baseHf,
      '--out',
      bundle,
      '--eps',
      '0',
      '--alpha',
      '0',
      '--beta',
      String(beta),
      '--masking',
      'none',
      '--dpo-lr',
      String(LR),
      '--max-length',
      '512',
    ]);
    const dpoYaml = parse(readFileSync(join(bundle, 'dpo.yaml'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([dpoYaml.loss_type, dpoYaml.loss_weights], [['sigmoid'], [1]]);
    const rows = readJsonl<{ prompt: { content: string }[]; chosen: { content: string }[]; rejected: { content: string }[] }>(
      join(bundle, 'data/dpo/train.jsonl'),
    ).map((r) => ({ prompt: r.prompt[0]!.content, chosen: r.chosen[0]!.content, rejected: r.rejected[0]!.content }));
    await launch(bundle, TRAINING_OVERRIDES, { TRL_DPO_ARGS: `--per_device_train_batch_size ${rows.length} --label_smoothing 0.1` });
    const ours = await train({
      objective: 'dpo',
      preferenceRows: rows,
      modelPath: baseGguf,
      beta,
      batch: rows.length,
      ...OUR_OPTIMISER,
      refCacheDir: join(dir, 'ref'),
    });
    compareDpoCurves(t, 'DPO unmasked (TRL label_smoothing 0.1 on sigmoid)', bundle, ours.records, beta);

    // Every key the bundle may write is a field of the installed TRL / transformers classes.
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify({ sft: [...allowedTrlKeys('sft')], dpo: [...allowedTrlKeys('dpo')] }));
    const fields = await pythonJson<{ versions: Record<string, string>; unknown: Record<string, string[]> }>('trl_fields_check.py', [
      keysFile,
    ]);
    t.diagnostic(`config keys checked against ${JSON.stringify(fields.versions)}`);
    assert.deepEqual(fields.unknown, { sft: [], dpo: [] });
  },
);
