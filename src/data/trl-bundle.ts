/**
 * `treecot export-trl DATA --base MODEL --out DIR`: a GPU-scale training bundle for TRL
 * (issue 4, item 7; METHOD.md section 4 and "Training mapping onto TRL").
 *
 * The paper's objective L = L_cDPO + alpha * L_SFT maps onto `DPOConfig` as
 * `loss_type: [sigmoid, sft]`, `loss_weights: [1, alpha]`, `label_smoothing: eps`, `beta`.
 * Prefix masking (METHOD.md section 3) is done by moving the shared prefix into the prompt
 * (`prepare_data.py` applies the model's chat template, then appends the prefix).
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { DataError } from '../core/errors.ts';
import { configErrorFromZod } from '../core/config-error-from-zod.ts';
import { readRecords, requireField, toJsonl } from '../core/files.ts';
import { trlDpoConversational, trlSftConversational, type PrefixBoundary } from './export-formats.ts';
import { checkTrlConfigKeys, TRL_MAX_VERSION_EXCLUSIVE, TRL_MIN_VERSION, TRL_VERSION_SPEC } from './trl-fields.ts';
import { renderBundleReadme } from './trl-bundle-readme.ts';
import type { DpoPair, SftRow } from './types.ts';
import { writeFilesStaged } from './write-dataset.ts';

export const TrlBundleOptionsSchema = z
  .object({
    /** Hugging Face model id or local path of the student (an instruct model). */
    base: z.string().min(1),
    /** DPO beta (TRL default 0.1; the paper gives none). */
    beta: z.number().positive().default(0.1),
    /** cDPO label smoothing eps in [0, 0.5) (the paper gives none; 0 = plain DPO). */
    eps: z.number().min(0).lt(0.5).default(0.1),
    /** Weight of the SFT term (the paper chose 1 from {0, 0.5, 1, 1.5, 2}). */
    alpha: z.number().min(0).default(1),
    /** `prefix-in-prompt`: shared prefix moved into the prompt (paper's masking); `none`: full responses. */
    masking: z.enum(['prefix-in-prompt', 'none']).default('prefix-in-prompt'),
    /** What prefix-in-prompt moves: whole shared thoughts (default) or the exact common prefix. */
    prefixBoundary: z.enum(['thought', 'char']).default('thought'),
    sftLearningRate: z.number().positive().default(2e-5),
    dpoLearningRate: z.number().positive().default(1e-6),
    sftEpochs: z.number().positive().default(3),
    dpoEpochs: z.number().positive().default(1),
    perDeviceBatchSize: z.number().int().min(1).default(1),
    gradientAccumulationSteps: z.number().int().min(1).default(8),
    /** Maximum prompt + completion tokens. */
    maxLength: z.number().int().min(16).default(4096),
    seed: z.number().int().default(0),
  })
  .strict();

export type TrlBundleOptions = z.output<typeof TrlBundleOptionsSchema>;
export type TrlBundleOptionsInput = z.input<typeof TrlBundleOptionsSchema>;

/** Validate bundle options. @throws ConfigError naming the field. */
export function parseTrlBundleOptions(input: unknown, source = 'export-trl options'): TrlBundleOptions {
  const parsed = TrlBundleOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw configErrorFromZod(parsed.error, { file: source, input, docs: 'docs/data.md' });
  }
  return parsed.data;
}

/** Read `DATA/sft.jsonl` and `DATA/dpo.jsonl` of a built data set. @throws DataError naming file, line, field. */
export function readBuiltData(dataDir: string): { sft: Pick<SftRow, 'prompt' | 'completion'>[]; dpo: DpoPair[] } {
  const sftFile = join(dataDir, 'sft.jsonl');
  const dpoFile = join(dataDir, 'dpo.jsonl');
  const sft = readRecords(sftFile).map((r) => ({
    prompt: requireField(r, sftFile, 'prompt', 'string') as string,
    completion: requireField(r, sftFile, 'completion', 'string') as string,
  }));
  const dpo = readRecords(dpoFile).map((r) => {
    const pair = {
      ...(r.record as unknown as DpoPair),
      prompt: requireField(r, dpoFile, 'prompt', 'string') as string,
      chosen: requireField(r, dpoFile, 'chosen', 'string') as string,
      rejected: requireField(r, dpoFile, 'rejected', 'string') as string,
      common_prefix_chars: requireField(r, dpoFile, 'common_prefix_chars', 'number') as number,
      shared_thoughts_chars: requireField(r, dpoFile, 'shared_thoughts_chars', 'number') as number,
    };
    const cut = Math.max(pair.common_prefix_chars, pair.shared_thoughts_chars);
    if (cut >= pair.chosen.length || cut >= pair.rejected.length || pair.chosen.slice(0, cut) !== pair.rejected.slice(0, cut)) {
      throw new DataError({ file: dpoFile, line: r.line, field: 'common_prefix_chars' }, `not a common prefix with non-empty suffixes (${cut})`);
    }
    return pair;
  });
  if (dpo.length === 0) throw new DataError({ file: dpoFile }, 'no DPO pairs: build the data set with `treecot build` first');
  return { sft, dpo };
}

function trainingArguments(options: TrlBundleOptions, outputDir: string, learningRate: number, epochs: number): Record<string, unknown> {
  return {
    output_dir: outputDir,
    num_train_epochs: epochs,
    per_device_train_batch_size: options.perDeviceBatchSize,
    gradient_accumulation_steps: options.gradientAccumulationSteps,
    learning_rate: learningRate,
    lr_scheduler_type: 'cosine',
    warmup_ratio: 0.1,
    bf16: true,
    gradient_checkpointing: true,
    logging_steps: 1,
    save_strategy: 'epoch',
    seed: options.seed,
    report_to: 'none',
  };
}

/** The two TRL configs (plain objects; keys checked against the pinned TRL field list). */
export function trlConfigs(options: TrlBundleOptions, hasSft: boolean): { sft: Record<string, unknown> | null; dpo: Record<string, unknown> } {
  const sft = hasSft
    ? {
        model_name_or_path: options.base,
        dataset_name: 'data/sft',
        dataset_train_split: 'train',
        ...trainingArguments(options, 'output/sft', options.sftLearningRate, options.sftEpochs),
        max_length: options.maxLength,
        packing: false,
        completion_only_loss: true,
      }
    : null;
  const dpo = {
    model_name_or_path: hasSft ? 'output/sft' : options.base,
    dataset_name: options.masking === 'prefix-in-prompt' ? 'data/dpo_prefix_in_prompt' : 'data/dpo',
    dataset_train_split: 'train',
    ...trainingArguments(options, 'output/dpo', options.dpoLearningRate, options.dpoEpochs),
    max_length: options.maxLength,
    // TRL 0.20-0.28 default max_prompt_length = 512 and cut longer prompts from the left; a
    // prefix-in-prompt prompt (instruction + question + shared thoughts) is often longer.
    max_prompt_length: options.maxLength,
    beta: options.beta,
    label_smoothing: options.eps,
    loss_type: ['sigmoid', 'sft'],
    loss_weights: [1, options.alpha],
  };
  if (sft) checkTrlConfigKeys(sft, 'sft', 'sft.yaml');
  checkTrlConfigKeys(dpo, 'dpo', 'dpo.yaml');
  return { sft, dpo };
}

function launchScript(hasSft: boolean, options: TrlBundleOptions): string {
  return `#!/usr/bin/env bash
# Train the student with TRL on every local GPU: SFT on the longest correct paths, then
# cDPO + alpha * SFT on fine-grained pairs (treecot export-trl; see README.md).
# Usage: ./launch.sh            (NUM_GPUS=4 ./launch.sh to choose; ACCELERATE_CONFIG=ds.yaml for DeepSpeed)
set -euo pipefail
cd "$(dirname "$0")"
python - <<'PY'
from packaging.version import Version
import trl
v = Version(trl.__version__)
if not (Version("${TRL_MIN_VERSION}") <= v < Version("${TRL_MAX_VERSION_EXCLUSIVE}")):
    raise SystemExit(f"treecot bundle needs ${TRL_VERSION_SPEC} (found trl {trl.__version__}): "
                     "TRL 0.29+ ignores label_smoothing for the sigmoid loss, so cDPO would silently become plain DPO. "
                     "pip install -r requirements.txt")
PY
NUM_GPUS="\${NUM_GPUS:-$(python -c 'import torch; print(max(1, torch.cuda.device_count()))')}"
TRL_SCRIPTS="$(python -c 'import os, trl; print(os.path.join(os.path.dirname(trl.__file__), "scripts"))')"
ACCELERATE_ARGS=(--num_processes "$NUM_GPUS")
if [ -n "\${ACCELERATE_CONFIG:-}" ]; then ACCELERATE_ARGS+=(--config_file "$ACCELERATE_CONFIG"); fi
${hasSft ? 'accelerate launch "${ACCELERATE_ARGS[@]}" "$TRL_SCRIPTS/sft.py" --config sft.yaml\n' : ''}${
    options.masking === 'prefix-in-prompt'
      ? `python prepare_data.py ${shellQuote(options.base)} data/dpo_pairs.jsonl data/dpo_prefix_in_prompt/train.jsonl\n`
      : ''
  }accelerate launch "\${ACCELERATE_ARGS[@]}" "$TRL_SCRIPTS/dpo.py" --config dpo.yaml
`;
}

/** POSIX single-quoted shell word. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Applies the model's chat template to the user turn and appends the shared prefix (plain TRL format). */
export const PREPARE_DATA_PY = `"""Prefix-in-prompt DPO data for TRL, written by treecot export-trl.

usage: python prepare_data.py MODEL_OR_TOKENIZER data/dpo_pairs.jsonl OUT.jsonl

Each input row has the user text, the shared prefix of both responses, and the two diverging
suffixes. The prompt becomes chat_template(user, add_generation_prompt=True) + prefix, so TRL
scores only the suffixes (prompt tokens are never part of the loss). TRL appends the EOS token
to chosen and rejected in this plain format.
"""
import json
import os
import sys

from transformers import AutoTokenizer


def main():
    model, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
    tokenizer = AutoTokenizer.from_pretrained(model)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    temporary = target + ".tmp"
    rows = 0
    with open(source, encoding="utf-8") as reader, open(temporary, "w", encoding="utf-8") as writer:
        for line in reader:
            if not line.strip():
                continue
            row = json.loads(line)
            prompt = tokenizer.apply_chat_template(
                [{"role": "user", "content": row["prompt"]}], tokenize=False, add_generation_prompt=True
            )
            out = {"prompt": prompt + row["prefix"], "chosen": row["chosen"], "rejected": row["rejected"]}
            writer.write(json.dumps(out, ensure_ascii=False) + "\\n")
            rows += 1
    os.replace(temporary, target)
    print(f"prepare_data.py: wrote {rows} rows to {target}")


if __name__ == "__main__":
    main()
`;

/** The bundle's files (relative path -> content). */
export function renderTrlBundle(
  data: { sft: Pick<SftRow, 'prompt' | 'completion'>[]; dpo: DpoPair[] },
  options: TrlBundleOptions,
  source: string,
): Map<string, string> {
  const hasSft = data.sft.length > 0;
  const configs = trlConfigs(options, hasSft);
  const boundary: PrefixBoundary = options.prefixBoundary;
  const files = new Map<string, string>();
  if (configs.sft) files.set('sft.yaml', stringify(configs.sft));
  files.set('dpo.yaml', stringify(configs.dpo));
  files.set('launch.sh', launchScript(hasSft, options));
  files.set('prepare_data.py', PREPARE_DATA_PY);
  files.set('requirements.txt', `${TRL_VERSION_SPEC}\naccelerate\ndatasets\ntransformers\npackaging\n`);
  if (hasSft) files.set('data/sft/train.jsonl', toJsonl(data.sft.map((r) => trlSftConversational(r as SftRow))));
  files.set('data/dpo/train.jsonl', toJsonl(data.dpo.map(trlDpoConversational)));
  files.set(
    'data/dpo_pairs.jsonl',
    toJsonl(
      data.dpo.map((p) => {
        const cut = boundary === 'thought' ? p.shared_thoughts_chars : p.common_prefix_chars;
        return { prompt: p.prompt, prefix: p.chosen.slice(0, cut), chosen: p.chosen.slice(cut), rejected: p.rejected.slice(cut) };
      }),
    ),
  );
  files.set('README.md', renderBundleReadme({ options, source, sftRows: data.sft.length, dpoPairs: data.dpo.length }));
  files.set('treecot-bundle.json', JSON.stringify({ source, options, sftRows: data.sft.length, dpoPairs: data.dpo.length }, null, 2) + '\n');
  return files;
}

/** Read DATA, render the bundle and write it to `outDir` (staged, then renamed). */
export function writeTrlBundle(dataDir: string, optionsInput: TrlBundleOptionsInput, outDir: string): Map<string, string> {
  const options = parseTrlBundleOptions(optionsInput);
  const files = renderTrlBundle(readBuiltData(dataDir), options, dataDir);
  writeFilesStaged(outDir, files);
  chmodSync(join(outDir, 'launch.sh'), 0o755);
  return files;
}
