/**
 * The factory the CLI uses: the main policy (`--policy URL...` or `--gguf FILE`) and the special
 * policy for node types flagged `special_model` (`--special-policy URL...|FILE.gguf`, default: the
 * main policy itself). A policy spec string is an http(s) URL or a path ending in `.gguf`;
 * several URLs are balanced, one `.gguf` path loads in-process.
 *
 * ```ts
 * const { policy, specialPolicy, describe, close } = await createPolicies({
 *   policy: ['http://gpu1:8000/v1', 'http://gpu2:8000/v1'], specialPolicy: ['http://gpu3:8000/v1'],
 *   apiKeyEnv: 'VLLM_KEY', template: 'chatml' });
 * ```
 */
import { ConfigError } from '../core/index.ts';
import type { LlamaCppPolicy } from './llama-cpp/llama-cpp-policy.ts';
import type { EndpointMode } from './openai-compatible/endpoint.ts';
import type { OpenAICompatiblePolicy } from './openai-compatible/create-openai-compatible-policy.ts';
import type { Policy } from './types.ts';
import type { RetryOptions } from './with-retries.ts';

export interface CreatePoliciesOptions {
  /** Main policy: http(s) URLs (balanced) or one `.gguf` path. */
  policy?: string[];
  /** Same as `policy: [gguf]`. */
  gguf?: string;
  /** For `special_model` node types; default the main policy. */
  specialPolicy?: string[];
  /** Model id for HTTP endpoints (default: the first one a server lists). */
  model?: string;
  specialModel?: string;
  /** Environment variable holding the API key (HTTP). */
  apiKeyEnv?: string;
  /** HTTP endpoint mode. Default 'completions'. */
  mode?: EndpointMode;
  /** Template: HTTP default the model's own (model folder or Hugging Face cache, else refused); GGUF default 'raw' ('gguf' = the file's own template). */
  template?: string;
  /** HTTP: template variables (`--template-kwargs`) and extra request-body fields (`--extra-body`). */
  templateKwargs?: Record<string, unknown>;
  extraBody?: Record<string, unknown>;
  specialTemplate?: string;
  system?: string;
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Bound on HTTP requests in flight per HTTP policy. */
  concurrency?: number;
  /** GGUF: CPU threads (default 1) and context sequences (default 4). */
  threads?: number;
  sequences?: number;
  contextSize?: number;
  /** GGUF: seed of the Rng that draws sampling seeds for calls without one. */
  seed?: number;
  /** HTTP: run the capability probe (default true). */
  probe?: boolean;
  env?: Record<string, string | undefined>;
}

export interface Policies {
  policy: Policy;
  /** The main policy object itself when no special policy is given. */
  specialPolicy: Policy;
  /** Effective configuration to store with a run (no secrets). */
  describe(): { policy: Record<string, unknown>; specialPolicy: Record<string, unknown> | 'same' };
  close(): Promise<void>;
}

/**
 * One policy to open: OpenAI-compatible endpoints (balanced when several) or a GGUF file run
 * in-process. Fields left out take the back-end's defaults (HTTP: the model's own template, else
 * refused; GGUF 'raw').
 */
export type PolicySpec =
  | { kind: 'http'; urls: string[]; model?: string; template?: string; apiKeyEnv?: string }
  | { kind: 'gguf'; file: string; template?: string; threads?: number; contextSize?: number };

/** Settings shared by every policy a caller opens (the rest of `CreatePoliciesOptions`). */
export type OpenPolicyOptions = Omit<
  CreatePoliciesOptions,
  'policy' | 'gguf' | 'specialPolicy' | 'model' | 'specialModel' | 'template' | 'specialTemplate'
>;

export interface OpenedPolicy {
  policy: Policy;
  /** Effective configuration to store with a run (no secrets). */
  describe(): Record<string, unknown>;
}

function classify(specs: string[], field: string): { kind: 'http'; urls: string[] } | { kind: 'gguf'; file: string } {
  const isUrl = (s: string) => /^https?:\/\//i.test(s);
  if (specs.length === 0) throw new ConfigError({ file: '(command line)', field }, 'no policy given');
  if (specs.every(isUrl)) return { kind: 'http', urls: specs };
  if (specs.length === 1 && specs[0]!.toLowerCase().endsWith('.gguf')) return { kind: 'gguf', file: specs[0]! };
  throw new ConfigError(
    { file: '(command line)', field },
    `expected http(s) URLs or one .gguf file, got ${specs.map((s) => JSON.stringify(s)).join(', ')}`,
  );
}

/**
 * Open one policy (the factory the CLI, through `createPolicies`, and the pipeline share).
 * @throws ConfigError for a bad URL, a missing API key variable or an unloadable GGUF;
 *   PolicyCallError when a server cannot be probed.
 */
export async function openPolicy(spec: PolicySpec, options: OpenPolicyOptions = {}): Promise<OpenedPolicy> {
  if (spec.kind === 'http') {
    const { createOpenAICompatiblePolicy } = await import('./openai-compatible/create-openai-compatible-policy.ts');
    const policy: OpenAICompatiblePolicy = await createOpenAICompatiblePolicy({
      endpoints: spec.urls,
      apiKeyEnv: spec.apiKeyEnv ?? options.apiKeyEnv,
      model: spec.model,
      mode: options.mode,
      template: spec.template,
      templateKwargs: options.templateKwargs,
      extraBody: options.extraBody,
      system: options.system,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      concurrency: options.concurrency,
      probe: options.probe,
      env: options.env,
    });
    return { policy, describe: () => policy.describe() };
  }
  const { createLlamaCppPolicy } = await import('./llama-cpp/llama-cpp-policy.ts');
  const threads = spec.threads ?? options.threads;
  const policy: LlamaCppPolicy = await createLlamaCppPolicy({
    modelPath: spec.file,
    threads,
    sequences: options.sequences,
    contextSize: spec.contextSize ?? options.contextSize,
    template: spec.template,
    seed: options.seed,
  });
  return {
    policy,
    describe: () => ({
      provider: 'llama-cpp',
      model: spec.file,
      template: policy.template.name,
      threads: threads ?? 1,
      sequences: options.sequences ?? 4,
      contextSize: policy.contextSize,
    }),
  };
}

/** The spec of the main (`special` false) or special policy from command-line style options. */
function specFor(specs: string[], field: string, options: CreatePoliciesOptions, special: boolean): PolicySpec {
  const kind = classify(specs, field);
  const template = (special ? options.specialTemplate : undefined) ?? options.template;
  if (kind.kind === 'gguf') return { ...kind, template };
  return { ...kind, template, model: (special ? options.specialModel : undefined) ?? options.model };
}

/**
 * Create the main and special policies.
 * @throws ConfigError when neither or both of `policy` and `gguf` are given, or a spec is neither
 *   URLs nor one .gguf path; PolicyCallError when a server cannot be probed.
 */
export async function createPolicies(options: CreatePoliciesOptions): Promise<Policies> {
  const hasPolicy = (options.policy?.length ?? 0) > 0;
  if (hasPolicy === (options.gguf !== undefined)) {
    throw new ConfigError({ file: '(command line)', field: 'policy' }, 'give either --policy URL... or --gguf FILE (exactly one)');
  }
  const main = await openPolicy(
    specFor(hasPolicy ? options.policy! : [options.gguf!], hasPolicy ? 'policy' : 'gguf', options, false),
    options,
  );
  let special: OpenedPolicy | undefined;
  if (options.specialPolicy && options.specialPolicy.length > 0) {
    try {
      special = await openPolicy(specFor(options.specialPolicy, 'special-policy', options, true), options);
    } catch (error) {
      await main.policy.close?.();
      throw error;
    }
  }
  return {
    policy: main.policy,
    specialPolicy: special?.policy ?? main.policy,
    describe: () => ({ policy: main.describe(), specialPolicy: special ? special.describe() : 'same' }),
    async close() {
      await main.policy.close?.();
      await special?.policy.close?.();
    },
  };
}
