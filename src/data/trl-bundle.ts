/**
 * `treecot export-trl DATA --base MODEL --out DIR`: a GPU-scale training bundle for TRL
 * (issue 4, item 7; METHOD.md section 4 and "Training mapping onto TRL").
 *
 * The paper's objective L = L_cDPO + alpha * L_SFT maps onto TRL 1.x `DPOConfig` with TRL's own
 * loss terms (`cdpoLossTerms`): `loss_type: [sigmoid, robust, sft]`, `loss_weights:
 * [2(1-eps), -(1-2eps), alpha]`, `label_smoothing: eps`, `beta`. Prefix masking (METHOD.md
 * section 3) is done by moving the shared prefix into the prompt (`prepare_data.py` applies the
 * model's chat template, then appends the prefix). `npm run test:interop` trains this bundle with
 * the real TRL and compares it with treecot's trainer step by step.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { DataError } from '../core/errors.ts';
import { configErrorFromZod } from '../core/config-error-from-zod.ts';
import { readRecords, requireField, toJsonl } from '../core/files.ts';
import { trlDpoConversational, trlSftConversational, type PrefixBoundary } from './export-formats.ts';
import { checkTrlConfigKeys, TRL_MAX_VERSION_EXCLUSIVE, TRL_MIN_VERSION, TRL_TESTED_REQUIREMENTS, TRL_VERSION_SPEC } from './trl-fields.ts';
import { renderBundleReadme } from './trl-bundle-readme.ts';
import type { DpoPair, SftRow } from './types.ts';
import { writeFilesStaged } from './write-dataset.ts';
import { recoverForReading } from '../core/recover-for-reading.ts';

/** The `report_to` integrations the bundle offers, and the package each needs beside requirements.txt's pins. */
export const REPORT_TO = ['none', 'wandb', 'tensorboard'] as const;
const REPORT_TO_PACKAGE: Record<(typeof REPORT_TO)[number], string | null> = { none: null, wandb: 'wandb', tensorboard: 'tensorboard' };

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
    /**
     * Where transformers logs the run (TrainingArguments `report_to`): `none`, `wandb` (Weights & Biases,
     * needs `wandb login` or WANDB_API_KEY) or `tensorboard` (event files in each output folder's runs/).
     */
    reportTo: z.enum(REPORT_TO).default('none'),
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
  recoverForReading(dataDir); // a build cut between its two renames: the old data set back, or a clear error
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
      throw new DataError(
        { file: dpoFile, line: r.line, field: 'common_prefix_chars' },
        `not a common prefix with non-empty suffixes (${cut})`,
      );
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
    // transformers 5 removed `warmup_ratio`; a `warmup_steps` below 1 is the share of the steps.
    warmup_steps: 0.1,
    bf16: true,
    gradient_checkpointing: true,
    logging_steps: 1,
    save_strategy: 'epoch',
    seed: options.seed,
    report_to: options.reportTo,
  };
}

/** The two TRL configs (plain objects; keys checked against the pinned TRL field list). */
export function trlConfigs(
  options: TrlBundleOptions,
  hasSft: boolean,
): { sft: Record<string, unknown> | null; dpo: Record<string, unknown> } {
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
    beta: options.beta,
    label_smoothing: options.eps,
    ...cdpoLossTerms(options.eps, options.alpha),
  };
  if (sft) checkTrlConfigKeys(sft, 'sft', 'sft.yaml');
  checkTrlConfigKeys(dpo, 'dpo', 'dpo.yaml');
  return { sft, dpo };
}

/**
 * cDPO + alpha * SFT written with the loss terms TRL 1.x has (TRL >= 0.29 dropped label smoothing
 * from `sigmoid`). With h = beta * margin, A = -log sigma(h), B = -log sigma(-h):
 *   cDPO  = (1 - eps) A + eps B                       (Mitchell 2023; METHOD.md section 3)
 *   TRL `robust` (label_smoothing = eps) = ((1 - eps) A - eps B) / (1 - 2 eps)   (Chowdhury et al. 2024)
 * so cDPO = 2(1 - eps) * sigmoid - (1 - 2 eps) * robust, exactly, for eps in [0, 0.5). TRL's `sft`
 * term (mean NLL of the chosen completion tokens) takes weight alpha. eps = 0 gives plain `sigmoid`.
 */
export function cdpoLossTerms(eps: number, alpha: number): { loss_type: string[]; loss_weights: number[] } {
  const terms: [string, number][] =
    eps > 0
      ? [
          ['sigmoid', 2 * (1 - eps)],
          ['robust', -(1 - 2 * eps)],
        ]
      : [['sigmoid', 1]];
  if (alpha > 0) terms.push(['sft', alpha]);
  return { loss_type: terms.map(([t]) => t), loss_weights: terms.map(([, w]) => w) };
}

function launchScript(hasSft: boolean, options: TrlBundleOptions): string {
  return `#!/usr/bin/env bash
# Train the student with TRL on every local GPU: SFT on the longest correct paths, then
# cDPO + alpha * SFT on fine-grained pairs (treecot export-trl; see README.md).
# Usage: ./launch.sh            (NUM_GPUS=4 ./launch.sh to choose; ACCELERATE_CONFIG=ds.yaml for DeepSpeed)
#        TRL_EXTRA_ARGS="--bf16 false --use_cpu true --max_steps 3" ./launch.sh   (flags added to both stages;
#        TRL_SFT_ARGS / TRL_DPO_ARGS add flags to one stage)
set -euo pipefail
cd "$(dirname "$0")"
python - <<'PY'
from packaging.version import Version
import trl
v = Version(trl.__version__)
if not (Version("${TRL_MIN_VERSION}") <= v < Version("${TRL_MAX_VERSION_EXCLUSIVE}")):
    raise SystemExit(f"treecot bundle needs ${TRL_VERSION_SPEC} (found trl {trl.__version__}): its cDPO is written as "
                     "2(1-eps)*sigmoid - (1-2eps)*robust, which holds only where sigmoid ignores label_smoothing (0.29+). "
                     "pip install -r requirements.txt (or see README.md for TRL 0.20-0.28)")
PY
NUM_GPUS="\${NUM_GPUS:-$(python -c 'import torch; print(max(1, torch.cuda.device_count()))')}"
TRL_SCRIPTS="$(python -c 'import os, trl; print(os.path.join(os.path.dirname(trl.__file__), "scripts"))')"
ACCELERATE_ARGS=(--num_processes "$NUM_GPUS")
read -r -a EXTRA_ARGS <<< "\${TRL_EXTRA_ARGS:-}"
read -r -a SFT_ARGS <<< "\${TRL_SFT_ARGS:-}"
read -r -a DPO_ARGS <<< "\${TRL_DPO_ARGS:-}"
if [ -n "\${ACCELERATE_CONFIG:-}" ]; then ACCELERATE_ARGS+=(--config_file "$ACCELERATE_CONFIG"); fi
${hasSft ? 'accelerate launch "${ACCELERATE_ARGS[@]}" "$TRL_SCRIPTS/sft.py" --config sft.yaml "${EXTRA_ARGS[@]}" "${SFT_ARGS[@]}"\n' : ''}${
    options.masking === 'prefix-in-prompt'
      ? `python prepare_data.py ${shellQuote(options.base)} data/dpo_pairs.jsonl data/dpo_prefix_in_prompt/train.jsonl\n`
      : ''
  }accelerate launch "\${ACCELERATE_ARGS[@]}" "$TRL_SCRIPTS/dpo.py" --config dpo.yaml "\${EXTRA_ARGS[@]}" "\${DPO_ARGS[@]}"
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
to chosen and rejected in this plain format, and tokenizes the prompt with the tokenizer's own
special tokens: a tokenizer that adds BOS itself (Llama, treecot's) would get it twice, once from
the template and once from the tokenizer, so the template's leading BOS is removed for those.
"""
import json
import os
import sys

from transformers import AutoTokenizer


def main():
    model, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
    tokenizer = AutoTokenizer.from_pretrained(model)
    bos_id = getattr(tokenizer, "bos_token_id", None)
    adds_bos = bos_id is not None and tokenizer("a")["input_ids"][:1] == [bos_id]
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
            if adds_bos and prompt.startswith(tokenizer.bos_token):
                prompt = prompt[len(tokenizer.bos_token):]
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
  files.set(
    'requirements.txt',
    `# the versions treecot's interop tests ran (launch.sh accepts ${TRL_VERSION_SPEC})\n${TRL_TESTED_REQUIREMENTS.join('\n')}\n` +
      (REPORT_TO_PACKAGE[options.reportTo]
        ? `# report_to: ${options.reportTo} (export-trl --report-to) needs its logger; its version is not pinned by treecot's tests\n${REPORT_TO_PACKAGE[options.reportTo]}\n`
        : ''),
  );
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
  files.set(
    'treecot-bundle.json',
    JSON.stringify({ source, options, sftRows: data.sft.length, dpoPairs: data.dpo.length }, null, 2) + '\n',
  );
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
