/**
 * The pipeline config (`treecot run --config pipeline.yaml`): which policy searches, which
 * questions are searched and evaluated, and what each stage does. Validated once with zod; every
 * error names the file and the field. Defaults run on a laptop (docs/design.md "Configuration").
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, configErrorFromZod, readConfigFile } from '../core/index.ts';

/** Where questions come from: a data file (JSON/JSONL, task format) or the letter-count generator. */
const questionSourceShape = {
  /** Data file read by the task's loader; relative paths as in resolveConfigPath. */
  file: z.string().optional(),
  /** Letter-count generator: `count` questions on the built-in model's `train` or `heldout` words. */
  generate: z
    .strictObject({
      count: z.int().min(1),
      words: z.enum(['train', 'heldout']).default('heldout'),
      seed: z.int().default(1),
      /** Share of two-letter questions (the authors' set has only two-letter questions). */
      two_letter_share: z.number().min(0).max(1).default(1),
      /** 'set': letters uniform over the word's distinct letters (the notes' held-out test sets); 'pos': by occurrence. */
      letter_sampling: z.enum(['set', 'pos']).default('set'),
      /** Share of letters drawn from a-z at random (counts of 0 become possible). */
      random_letter_share: z.number().min(0).max(1).default(0),
      /**
       * Question templates: 'builtin' (the built-in model's 12), 'policy' (the built-in policy's 48
       * hand-written training phrasings), 'policy-training' (the policy's whole training mix: the 48
       * and the phrasing grammar's ~7,000 templates with openings and closings) or 'held-out' (its
       * 12 held-out phrasings, never trained on).
       */
      phrasings: z.enum(['builtin', 'policy', 'policy-training', 'held-out']).default('builtin'),
      /**
       * Share of questions whose word gets another preposition or opening ("throughout {word}",
       * "Regarding {word}, ..."); half this share also gets chatter, everyday words before, after or
       * inside the question. The variation of the policy's second training stage
       * (docs/builtin-model.md); default 0, the templates as written.
       */
      context_share: z.number().min(0).max(1).default(0),
    })
    .optional(),
  /** Use only the first `limit` questions. */
  limit: z.int().min(1).optional(),
};
const exactlyOneSource = (s: { file?: string; generate?: unknown }) => (s.file === undefined) !== (s.generate === undefined);
const oneSourceMessage = { message: 'give exactly one of `file` or `generate`' };
const QuestionSource = z.strictObject(questionSourceShape).refine(exactlyOneSource, oneSourceMessage);
/** An evaluation set: a named question source. Names are folder names under eval/<stage>/. */
const EvalSet = z
  .strictObject({ name: z.string().regex(/^[a-z0-9_-]+$/, 'use a-z, 0-9, _ and -'), ...questionSourceShape })
  .refine(exactlyOneSource, oneSourceMessage);

const Policy = z
  .strictObject({
    /** In-process GGUF model via node-llama-cpp. */
    gguf: z.string().optional(),
    /** OpenAI-compatible endpoints (vLLM, SGLang, Ollama, llama.cpp server). */
    urls: z.array(z.string()).optional(),
    /** Model name sent to the server. */
    model: z.string().optional(),
    /** Endpoints for `special_model` node types (default: the main ones). */
    special_urls: z.array(z.string()).optional(),
    /**
     * Chat template for /v1/completions: 'chatml', 'llama3', 'raw', a chat_template.jinja or
     * tokenizer_config.json, or a model folder (relative to this file). Default: the model's own
     * (a local folder or the Hugging Face cache for `model`), else the run is refused.
     */
    chat_template: z.string().optional(),
    /** 'completions' (client-side template, default) or 'chat' (the server applies its template). */
    mode: z.enum(['completions', 'chat']).optional(),
    /** Template variables, e.g. { enable_thinking: false } (sent as chat_template_kwargs in chat mode). */
    template_kwargs: z.record(z.string(), z.unknown()).optional(),
    /** Extra request-body fields for the server (top_k, min_p, repetition_penalty, skip_special_tokens, ...). */
    extra_body: z.record(z.string(), z.unknown()).optional(),
    /** Environment variable holding the API key (never written anywhere). */
    api_key_env: z.string().optional(),
    /** llama.cpp threads (1 is fastest on a 2-core machine). */
    threads: z.int().min(1).default(1),
    /**
     * GGUF only: tokens per llama.cpp sequence (default: the model's trained context). Raise it when
     * search paths with reflection outgrow a small model's context (rotary positions extrapolate).
     */
    context_size: z.int().min(16).optional(),
  })
  .refine((p) => (p.gguf === undefined) !== (p.urls === undefined), { message: 'give exactly one of `gguf` or `urls`' });

const SftStage = z.strictObject({
  enabled: z.boolean().default(true),
  /** Optimiser steps (batches). */
  steps: z.int().min(1).default(60),
  batch_size: z.int().min(1).default(16),
  learning_rate: z.number().positive().default(5e-4),
  /** Which correct paths per question become SFT rows (docs/method.md section 2: the longest). */
  select: z.enum(['longest', 'shortest', 'medium', 'all', 'random']).default('longest'),
  /**
   * No loss on the failed attempts of tree rows (the completion text before its last reflection):
   * the student is not taught to fail first (src/train/failed-attempts.ts).
   * Tree-data SFT only; the long-CoT baseline trains on its rows whole, and the preference stage's
   * joint SFT term on whole chosen paths.
   */
  mask_failed_attempts: z.boolean().default(false),
});

const PreferenceStage = z.strictObject({
  enabled: z.boolean().default(true),
  steps: z.int().min(1).default(60),
  batch_size: z.int().min(1).default(8),
  learning_rate: z.number().positive().default(2e-4),
  /** DPO temperature beta (TRL default 0.1). */
  beta: z.number().positive().default(0.1),
  /** cDPO label smoothing eps in [0, 0.5); 0 = plain DPO. docs/method.md section 3. */
  eps: z.number().min(0).lt(0.5).default(0.1),
  /** Weight of the SFT term in L_cDPO + alpha * L_SFT (docs/method.md section 4; the paper chose 1). */
  alpha: z.number().min(0).default(1),
  /** Mask the shared prefix of chosen and rejected (docs/method.md section 3). */
  mask_prefix: z.boolean().default(true),
  /** DPO `chosen`: the shortest correct path (thoughts-length balance, docs/method.md section 2), or longest / random. */
  chosen: z.enum(['shortest', 'longest', 'random']).default('shortest'),
});

const EvalConfig = z.strictObject({
  /** Samples per question; 1 with temperature 0 = greedy accuracy. */
  n: z.int().min(1).default(1),
  temperature: z.number().min(0).default(0),
  top_p: z.number().gt(0).max(1).default(1),
  /** pass@k values (each <= n). */
  k: z.array(z.int().min(1)).default([1]),
  max_tokens: z.int().min(1).default(96),
  concurrency: z.int().min(1).default(1),
  /** "MCTS decode": answer by a small search at inference instead of one sample. */
  mcts_decode: z.boolean().default(false),
  /** Max rollouts per question under MCTS decode (default 8). */
  mcts_rollouts: z.int().min(1).default(8),
  /** Sampling temperature of the MCTS decode search (default: the search config's). */
  mcts_temperature: z.number().min(0).optional(),
  /** Question sets; the first one is the headline set in summary.json. */
  sets: z.array(EvalSet).min(1),
});

export const PipelineConfigSchema = z.strictObject({
  name: z.string().default('treecot-run'),
  task: z.string(),
  seed: z.int().default(1),
  /** Search -> build -> train rounds; round r > 1 searches with round r-1's final model (GGUF only). */
  rounds: z.int().min(1).default(1),
  policy: Policy,
  /**
   * The paper's two roles (issue 10): when given, `policy` only searches (and is evaluated once, as
   * the stage "policy"), and this smaller GGUF is the model evaluated as "base" and post-trained on
   * the trees. Without it one model does both.
   */
  student: z
    .strictObject({
      gguf: z.string(),
      threads: z.int().min(1).default(1),
      /** Tokens per llama.cpp sequence (default: the model's trained context). */
      context_size: z.int().min(1).optional(),
    })
    .optional(),
  search: z.strictObject({
    /** Search config file (action graph, sampling, stop rule); relative to this file. */
    config: z.string(),
    /** Questions searched to build training data (must not overlap the evaluation sets). */
    questions: QuestionSource,
    /** Override the search config's max rollouts per question. */
    max_rollouts: z.int().min(1).optional(),
    /** Policy requests in flight. */
    concurrency: z.int().min(1).default(4),
  }),
  build: z
    .strictObject({
      /** DPO pairs per question. */
      pairs_per_question: z.int().min(1).default(1),
      /**
       * Drop correct paths whose steps are wrong before selecting SFT rows and DPO `chosen`: an automatic
       * stand-in for the authors' human review (letter counting: the last attempt's count steps and
       * addition must be right). Other tasks: no check.
       */
      process_check: z.boolean().default(false),
      /** Drop paths longer than this: tokens of the model when a GGUF is trained (the model context also caps it), else characters. */
      max_length: z.int().min(1).optional(),
    })
    .default({ pairs_per_question: 1, process_check: false }),
  train: z
    .strictObject({
      /** 'treecot': the TypeScript trainer on the GGUF policy; 'none': stop after build (HTTP policies: train with the TRL bundle). */
      backend: z.enum(['treecot', 'none']).default('treecot'),
      sft: SftStage.default(SftStage.parse({})),
      preference: PreferenceStage.default(PreferenceStage.parse({})),
      /** Worker threads for data-parallel training. */
      workers: z.int().min(1).default(1),
      /**
       * Train with this context length (tokens) when it exceeds the GGUF's: the llama model has rotary
       * positions and no learned position table, so the weights are kept and the written GGUF
       * declares the longer context. Lets SFT/DPO see search paths with reflection. Default: the GGUF's.
       */
      context: z.int().min(16).optional(),
      /**
       * Also SFT the student on as many distilled long-CoT rows (over-thinking "Wait" re-checks) as the
       * tree data has SFT rows, and evaluate it as stage `long-cot` (letter-count; stages/long-cot.ts).
       */
      long_cot_baseline: z.boolean().default(false),
    })
    .default({
      backend: 'treecot',
      sft: SftStage.parse({}),
      preference: PreferenceStage.parse({}),
      workers: 1,
      context: undefined,
      long_cot_baseline: false,
    }),
  eval: EvalConfig,
  /** `--ablation` rows and `--alpha-sweep` values (docs/method.md section 5). */
  ablation: z
    .strictObject({
      alpha_sweep: z.array(z.number().min(0)).default([0, 0.5, 1, 1.5, 2]),
      eps: z.number().min(0).lt(0.5).default(0.1),
    })
    .default({ alpha_sweep: [0, 0.5, 1, 1.5, 2], eps: 0.1 }),
});

export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;
export type QuestionSourceConfig = z.infer<typeof QuestionSource>;
export type EvalSetConfig = z.infer<typeof EvalSet>;
export type PreferenceConfig = z.infer<typeof PreferenceStage>;

/** A validated config plus where it came from (relative paths resolve against `baseDir`). */
export interface LoadedPipelineConfig {
  config: PipelineConfig;
  file: string;
  baseDir: string;
}

/**
 * Parse and validate a pipeline config object. Relative paths (policy.gguf, search.config,
 * question files, a chat template file) are resolved against `baseDir`, the config file's folder.
 * @throws ConfigError naming the file and the first bad field.
 */
export function parsePipelineConfig(
  raw: unknown,
  file: string,
  baseDir = dirname(file),
  lineOf: (path: readonly PropertyKey[]) => number | undefined = () => undefined,
): LoadedPipelineConfig {
  const result = PipelineConfigSchema.safeParse(raw);
  if (!result.success) {
    throw configErrorFromZod(result.error, { file, input: raw, lineOf, docs: 'docs/pipeline.md' });
  }
  const config = result.data;
  // Settings that would change nothing without the stage they belong to are refused, not ignored.
  const given = raw as { eval?: Record<string, unknown>; train?: { sft?: Record<string, unknown> } };
  for (const key of ['mcts_rollouts', 'mcts_temperature'] as const) {
    if (given.eval?.[key] !== undefined && !config.eval.mcts_decode)
      throw new ConfigError(
        { file, line: lineOf(['eval', key]), field: `eval.${key}` },
        `sets the MCTS decode, which is off; add eval.mcts_decode: true or leave it out`,
      );
  }
  if (config.train.sft.mask_failed_attempts && !config.train.sft.enabled)
    throw new ConfigError(
      { file, line: lineOf(['train', 'sft', 'mask_failed_attempts']), field: 'train.sft.mask_failed_attempts' },
      'masks the tree-data SFT, which is off (train.sft.enabled: false); leave it out',
    );
  if (config.eval.k.some((k) => k > config.eval.n)) {
    throw new ConfigError(
      { file, line: lineOf(['eval', 'k']), field: 'eval.k' },
      `every k must be <= eval.n (${config.eval.n}); got ${config.eval.k.join(', ')}`,
    );
  }
  const names = config.eval.sets.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate)
    throw new ConfigError(
      { file, line: lineOf(['eval', 'sets', names.lastIndexOf(duplicate)]), field: 'eval.sets' },
      `set name "${duplicate}" is used twice`,
    );
  return { config, file, baseDir };
}

/** Read a YAML or JSON pipeline config. @throws ConfigError for a missing file, bad YAML or a bad field. */
export function loadPipelineConfig(file: string): LoadedPipelineConfig {
  const { value, lineOf } = readConfigFile(file);
  return parsePipelineConfig(value, file, dirname(resolve(file)), lineOf);
}

/**
 * Resolve a path from the config: absolute paths as they are, relative ones against the config
 * file's folder (never the current directory, so `treecot run --config` and `treecot demo` behave the
 * same from any directory, and a same-named file in the current directory is never picked by accident).
 */
export function resolveConfigPath(loaded: LoadedPipelineConfig, path: string): string {
  return isAbsolute(path) ? path : resolve(loaded.baseDir, path);
}

/** Every file a config names, with its field: what must exist before a run folder is created. */
export function configFiles(loaded: LoadedPipelineConfig): { field: string; path: string }[] {
  const { config } = loaded;
  const files: { field: string; path: string }[] = [{ field: 'search.config', path: config.search.config }];
  if (config.policy.gguf) files.push({ field: 'policy.gguf', path: config.policy.gguf });
  if (config.student?.gguf) files.push({ field: 'student.gguf', path: config.student.gguf });
  const template = config.policy.chat_template;
  if (template !== undefined && !/^(raw|chatml|llama3)$/.test(template)) files.push({ field: 'policy.chat_template', path: template });
  if (config.search.questions.file) files.push({ field: 'search.questions.file', path: config.search.questions.file });
  config.eval.sets.forEach((set, i) => {
    if (set.file) files.push({ field: `eval.sets[${i}].file`, path: set.file });
  });
  return files.map(({ field, path }) => ({ field, path: resolveConfigPath(loaded, path) }));
}

/**
 * Check that every file the config names exists (resolved against the config's folder), before
 * anything is written. @throws ConfigError naming the config file, the field and the resolved path.
 */
export function checkConfigFiles(loaded: LoadedPipelineConfig): void {
  for (const { field, path } of configFiles(loaded)) {
    if (!existsSync(path)) {
      throw new ConfigError(
        { file: loaded.file, field },
        `file not found: ${path} (relative paths in a config resolve against the config's folder, ${loaded.baseDir})`,
      );
    }
  }
}
