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

type Kind = { kind: 'http'; urls: string[] } | { kind: 'gguf'; file: string };

function classify(specs: string[], field: string): Kind {
  const isUrl = (s: string) => /^https?:\/\//i.test(s);
  if (specs.length === 0) throw new ConfigError({ file: '(command line)', field }, 'no policy given');
  if (specs.every(isUrl)) return { kind: 'http', urls: specs };
  if (specs.length === 1 && specs[0]!.toLowerCase().endsWith('.gguf')) return { kind: 'gguf', file: specs[0]! };
  throw new ConfigError(
    { file: '(command line)', field },
    `expected http(s) URLs or one .gguf file, got ${specs.map((s) => JSON.stringify(s)).join(', ')}`,
  );
}

async function open(kind: Kind, options: CreatePoliciesOptions, special: boolean): Promise<{ policy: Policy; describe: () => Record<string, unknown> }> {
  const template = (special ? options.specialTemplate : undefined) ?? options.template;
  if (kind.kind === 'http') {
    const { createOpenAICompatiblePolicy } = await import('./openai-compatible/create-openai-compatible-policy.ts');
    const policy: OpenAICompatiblePolicy = await createOpenAICompatiblePolicy({
      endpoints: kind.urls,
      apiKeyEnv: options.apiKeyEnv,
      model: (special ? options.specialModel : undefined) ?? options.model,
      mode: options.mode,
      template,
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
  const policy: LlamaCppPolicy = await createLlamaCppPolicy({
    modelPath: kind.file,
    threads: options.threads,
    sequences: options.sequences,
    contextSize: options.contextSize,
    template,
    seed: options.seed,
  });
  return {
    policy,
    describe: () => ({
      provider: 'llama-cpp',
      model: kind.file,
      template: policy.template.name,
      threads: options.threads ?? 1,
      sequences: options.sequences ?? 4,
      contextSize: policy.contextSize,
    }),
  };
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
  const main = await open(classify(hasPolicy ? options.policy! : [options.gguf!], hasPolicy ? 'policy' : 'gguf'), options, false);
  let special: Awaited<ReturnType<typeof open>> | undefined;
  if (options.specialPolicy && options.specialPolicy.length > 0) {
    try {
      special = await open(classify(options.specialPolicy, 'special-policy'), options, true);
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
