/**
 * The TRL versions a `treecot export-trl` bundle supports, and the config keys it may write.
 *
 * Why `trl>=0.20,<0.29` (METHOD.md "Training mapping onto TRL", STYLE.md "TRL export, one trap"):
 * - 0.20 is the first release where `DPOConfig.loss_type` takes a list with `"sft"` and
 *   `loss_weights` exists, which expresses the joint objective L = L_cDPO + alpha * L_SFT.
 * - 0.29.0 ("Refactor DPO") made the `sigmoid` loss ignore `label_smoothing` without a warning
 *   (it only feeds `robust`/`exo_pair` there), so cDPO (eps > 0) silently becomes plain DPO.
 *
 * The key lists are the fields of `trl.ScriptArguments`, `trl.ModelConfig`, `SFTConfig`,
 * `DPOConfig` and the `transformers.TrainingArguments` fields they inherit, restricted to
 * names present in every release of the pinned range (checked against TRL's
 * `trl/trainer/{sft,dpo}_config.py` and `trl/scripts/utils.py` in that range).
 */
import { ConfigError } from '../core/errors.ts';

export const TRL_VERSION_SPEC = 'trl>=0.20,<0.29';
export const TRL_MIN_VERSION = '0.20.0';
export const TRL_MAX_VERSION_EXCLUSIVE = '0.29.0';

/** `trl.ScriptArguments` (dataset selection for `trl sft` / `trl dpo`). */
export const SCRIPT_ARGUMENT_FIELDS = [
  'dataset_name',
  'dataset_config',
  'dataset_train_split',
  'dataset_test_split',
  'gradient_checkpointing_use_reentrant',
  'ignore_bias_buffers',
] as const;

/** `trl.ModelConfig`. */
export const MODEL_CONFIG_FIELDS = [
  'model_name_or_path',
  'model_revision',
  'trust_remote_code',
  'attn_implementation',
  'use_peft',
  'lora_r',
  'lora_alpha',
  'lora_dropout',
  'lora_target_modules',
  'load_in_8bit',
  'load_in_4bit',
] as const;

/** `transformers.TrainingArguments` fields used by treecot bundles (inherited by both configs). */
export const TRAINING_ARGUMENT_FIELDS = [
  'output_dir',
  'overwrite_output_dir',
  'num_train_epochs',
  'max_steps',
  'per_device_train_batch_size',
  'per_device_eval_batch_size',
  'gradient_accumulation_steps',
  'learning_rate',
  'weight_decay',
  'lr_scheduler_type',
  'warmup_ratio',
  'warmup_steps',
  'max_grad_norm',
  'logging_steps',
  'save_strategy',
  'save_steps',
  'save_total_limit',
  'eval_strategy',
  'bf16',
  'fp16',
  'gradient_checkpointing',
  'seed',
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
  'dataset_text_field',
  'dataset_num_proc',
  'max_length',
  'packing',
  'padding_free',
  'completion_only_loss',
  'assistant_only_loss',
  'eos_token',
  'pad_token',
] as const;

/** `DPOConfig` own fields. */
export const DPO_CONFIG_FIELDS = [
  'model_init_kwargs',
  'ref_model_init_kwargs',
  'dataset_num_proc',
  'max_length',
  'max_prompt_length',
  'max_completion_length',
  'truncation_mode',
  'padding_free',
  'precompute_ref_log_probs',
  'disable_dropout',
  'loss_type',
  'loss_weights',
  'beta',
  'label_smoothing',
  'f_divergence_type',
  'f_alpha_divergence_coef',
  'use_weighting',
  'rpo_alpha',
  'reference_free',
  'sync_ref_model',
  'ref_model_mixup_alpha',
  'ref_model_sync_steps',
] as const;

export type TrlCommand = 'sft' | 'dpo';

/** Every key `trl <command> --config file.yaml` accepts in the pinned range. */
export function allowedTrlKeys(command: TrlCommand): ReadonlySet<string> {
  return new Set<string>([
    ...SCRIPT_ARGUMENT_FIELDS,
    ...MODEL_CONFIG_FIELDS,
    ...TRAINING_ARGUMENT_FIELDS,
    ...(command === 'sft' ? SFT_CONFIG_FIELDS : DPO_CONFIG_FIELDS),
  ]);
}

/**
 * Check a config's keys against the pinned list.
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
