/**
 * The TRL versions a `treecot export-trl` bundle supports, and the config keys it may write.
 *
 * Range `trl>=0.29,<2` (tested: 1.16.0 with transformers 5.23.0, `npm run test:interop`):
 * - 0.29.0 ("Refactor DPO") made the `sigmoid` loss ignore `label_smoothing` (it only feeds
 *   `robust` and `exo_pair` since). The bundle writes cDPO from TRL's own loss terms instead (see
 *   `cdpoLossTerms` in trl-bundle.ts), which needs exactly that behaviour: on 0.20-0.28 the same
 *   config would smooth the sigmoid term twice. 0.20-0.28 users keep the old mapping
 *   (`loss_type: [sigmoid, sft]`, `label_smoothing: eps`), documented in the bundle README.
 * - TRL 2 may drop the deprecated names; the launcher refuses versions it was not written for.
 *
 * The key lists are fields of `trl.ScriptArguments`, `trl.ModelConfig`, `SFTConfig`, `DPOConfig`
 * (trl 1.16.0 `trl/trainer/{sft,dpo}_config.py`, `trl/scripts/utils.py`) and the
 * `transformers.TrainingArguments` fields they inherit (transformers 5.23.0, which removed
 * `warmup_ratio`: a `warmup_steps` below 1 is the ratio). `npm run test:interop` checks every
 * key against the installed classes.
 */
import { ConfigError } from '../core/errors.ts';

export const TRL_VERSION_SPEC = 'trl>=0.29,<2';
export const TRL_MIN_VERSION = '0.29.0';
export const TRL_MAX_VERSION_EXCLUSIVE = '2.0.0';
/** The versions the bundle's requirements.txt pins: the ones `npm run test:interop` ran. */
export const TRL_TESTED_REQUIREMENTS = [
  'trl==1.16.0',
  'transformers==5.23.0',
  'accelerate==1.15.0',
  'datasets==5.2.0',
  'packaging',
] as const;

/** `trl.ScriptArguments` (dataset selection for `trl sft` / `trl dpo`). */
export const SCRIPT_ARGUMENT_FIELDS = [
  'dataset_name',
  'dataset_config',
  'dataset_train_split',
  'dataset_test_split',
  'dataset_streaming',
  'ignore_bias_buffers',
] as const;

/** `trl.ModelConfig`. */
export const MODEL_CONFIG_FIELDS = [
  'model_name_or_path',
  'model_revision',
  'dtype',
  'attn_implementation',
  'use_peft',
  'lora_r',
  'lora_alpha',
  'lora_dropout',
  'lora_target_modules',
] as const;

/** `transformers.TrainingArguments` fields used by treecot bundles (inherited by both configs). */
export const TRAINING_ARGUMENT_FIELDS = [
  'output_dir',
  'num_train_epochs',
  'max_steps',
  'per_device_train_batch_size',
  'per_device_eval_batch_size',
  'gradient_accumulation_steps',
  'learning_rate',
  'weight_decay',
  'adam_beta1',
  'adam_beta2',
  'adam_epsilon',
  'lr_scheduler_type',
  'lr_scheduler_kwargs',
  'warmup_steps',
  'max_grad_norm',
  'logging_steps',
  'save_strategy',
  'save_steps',
  'save_total_limit',
  'eval_strategy',
  'bf16',
  'fp16',
  'use_cpu',
  'gradient_checkpointing',
  'seed',
  'data_seed',
  'report_to',
  'run_name',
  'deepspeed',
  'optim',
  'push_to_hub',
  'hub_model_id',
] as const;

/** `SFTConfig` own fields. */
export const SFT_CONFIG_FIELDS = [
  'model_init_kwargs',
  'trust_remote_code',
  'chat_template_path',
  'dataset_text_field',
  'dataset_num_proc',
  'max_length',
  'truncation_mode',
  'shuffle_dataset',
  'packing',
  'padding_free',
  'completion_only_loss',
  'assistant_only_loss',
  'eos_token',
  'loss_type',
] as const;

/** `DPOConfig` own fields. */
export const DPO_CONFIG_FIELDS = [
  'model_init_kwargs',
  'trust_remote_code',
  'disable_dropout',
  'dataset_num_proc',
  'max_length',
  'truncation_mode',
  'padding_free',
  'precompute_ref_log_probs',
  'loss_type',
  'loss_weights',
  'ld_alpha',
  'f_divergence_type',
  'label_smoothing',
  'beta',
  'use_weighting',
  'sync_ref_model',
  'ref_model_mixup_alpha',
  'ref_model_sync_steps',
] as const;

export type TrlCommand = 'sft' | 'dpo';

/** Every key `trl <command> --config file.yaml` accepts in the supported range. */
export function allowedTrlKeys(command: TrlCommand): ReadonlySet<string> {
  return new Set<string>([
    ...SCRIPT_ARGUMENT_FIELDS,
    ...MODEL_CONFIG_FIELDS,
    ...TRAINING_ARGUMENT_FIELDS,
    ...(command === 'sft' ? SFT_CONFIG_FIELDS : DPO_CONFIG_FIELDS),
  ]);
}

/**
 * Check a config's keys against the supported list.
 * @throws ConfigError naming the first unknown key and the file.
 */
export function checkTrlConfigKeys(config: Record<string, unknown>, command: TrlCommand, file: string): void {
  const allowed = allowedTrlKeys(command);
  for (const key of Object.keys(config)) {
    if (!allowed.has(key)) {
      throw new ConfigError({ file, field: key }, `not a \`trl ${command}\` config field in ${TRL_VERSION_SPEC}`);
    }
  }
}
