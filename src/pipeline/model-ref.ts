/**
 * What a pipeline stage evaluates or searches with: a GGUF file run in-process, or OpenAI-compatible
 * endpoints. A trained model is always a GGUF (the TypeScript trainer writes GGUF).
 */
import type { PipelineConfig } from './config.ts';

export type ModelRef =
  | { kind: 'gguf'; path: string; threads: number; contextSize?: number }
  | {
      kind: 'http';
      urls: string[];
      model?: string;
      specialUrls?: string[];
      chatTemplate?: string;
      apiKeyEnv?: string;
      /** 'completions' (client-side template, default) or 'chat' (the server applies its template). */
      mode?: 'completions' | 'chat';
      templateKwargs?: Record<string, unknown>;
      extraBody?: Record<string, unknown>;
    };

/** Short label for logs and reports. */
export function describeModel(model: ModelRef): string {
  return model.kind === 'gguf' ? model.path : `${model.urls.join(', ')}${model.model ? ` (${model.model})` : ''}`;
}

/** The base model of a config (paths already resolved by the caller). */
export function baseModelRef(policy: PipelineConfig['policy'], resolvePath: (p: string) => string): ModelRef {
  if (policy.gguf) return { kind: 'gguf', path: resolvePath(policy.gguf), threads: policy.threads, contextSize: policy.context_size };
  return {
    kind: 'http',
    urls: policy.urls!,
    model: policy.model,
    specialUrls: policy.special_urls,
    // A built-in template name stays a name; a file or model folder resolves against the config's folder.
    chatTemplate: policy.chat_template
      ? /^(raw|chatml|llama3)$/.test(policy.chat_template)
        ? policy.chat_template
        : resolvePath(policy.chat_template)
      : undefined,
    apiKeyEnv: policy.api_key_env,
    mode: policy.mode,
    templateKwargs: policy.template_kwargs,
    extraBody: policy.extra_body,
  };
}

/** A model the TypeScript trainer can train (and has trained). */
export type GgufModel = Extract<ModelRef, { kind: 'gguf' }>;

/** A model written by training from `from`: same runtime settings, new weights. */
export function trainedModel(path: string, from: GgufModel): GgufModel {
  return { kind: 'gguf', path, threads: from.threads, contextSize: from.contextSize };
}
