/**
 * Client-side chat templating for `/v1/completions`: turn PromptParts into one prompt string
 * whose last assistant turn is OPEN, so the model continues the assistant prefix.
 *
 * Templates:
 * - `raw`: `userText(instruction, question) + assistantPrefix` (base models and the built-in
 *   char-level model, which is trained on exactly that after BOS).
 * - `chatml`: `<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n{prefix}` (Qwen, many others).
 * - `llama3`: `<|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n{prefix}`.
 * - a Jinja `chat_template` read from a Hugging Face `chat_template.jinja` or tokenizer_config.json
 *   (a file, a model folder, or a model id found offline in the Hugging Face cache), rendered
 *   with @huggingface/jinja (the same engine transformers.js uses). `kwargs` (`--template-kwargs`,
 *   e.g. Qwen3's `{"enable_thinking": false}`) are passed to the template as transformers'
 *   `apply_chat_template(**kwargs)` does.
 *
 * There is no silent default for served models: resolveServedTemplate finds the model's own
 * template or refuses with a message naming the options (docs/policy.md "Chat templates").
 *
 * The open turn is rendered as transformers' `add_generation_prompt=True` over the messages
 * before the assistant turn, followed by the assistant prefix verbatim; for an empty prefix this
 * is exactly the generation prompt, and for the usual templates it equals transformers'
 * `continue_final_message=True` rendering (tested for ChatML).
 *
 * BOS: OpenAI-compatible servers (vLLM, SGLang, llama.cpp server) add BOS themselves when they
 * tokenize a completions prompt, so a leading `bos_token` that a template renders is removed by
 * default (`keepBos: true` keeps it). The built-in templates therefore omit BOS.
 */
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { ConfigError, readUserText, userText } from '../core/index.ts';
import type { PromptParts } from './types.ts';

export type BuiltinTemplateName = 'raw' | 'chatml' | 'llama3';
export const BUILTIN_TEMPLATES: readonly BuiltinTemplateName[] = ['raw', 'chatml', 'llama3'];

export interface ChatTemplate {
  /** 'raw', 'chatml', 'llama3' or 'jinja:<file>'. */
  readonly name: string;
  /** Where it came from when it was looked up: '--template', 'model folder', 'Hugging Face cache', 'GGUF'. */
  readonly source?: string;
  /** The prompt text for a completions endpoint; the assistant turn is left open. */
  render(parts: PromptParts): string;
}

export interface TemplateOptions {
  /** Optional system message (ignored by `raw`). */
  system?: string;
  /** Keep a leading BOS that a Jinja template renders. Default false. */
  keepBos?: boolean;
  /** Extra template variables (`--template-kwargs`), e.g. `{ enable_thinking: false }`; Jinja templates only. */
  kwargs?: Record<string, unknown>;
}

/** A built-in template by name. */
export function builtinTemplate(name: BuiltinTemplateName, options: TemplateOptions = {}): ChatTemplate {
  const system = options.system;
  if (options.kwargs && Object.keys(options.kwargs).length > 0) {
    throw new ConfigError(
      { file: '(command line)', field: '--template-kwargs' },
      `the built-in ${name} template has no options; --template-kwargs applies to a model's Jinja template (or to --mode chat, where the server renders it)`,
    );
  }
  switch (name) {
    case 'raw':
      return { name, render: (p) => userText(p.instruction, p.question) + p.assistantPrefix };
    case 'chatml':
      return {
        name,
        render: (p) =>
          (system !== undefined ? `<|im_start|>system\n${system}<|im_end|>\n` : '') +
          `<|im_start|>user\n${userText(p.instruction, p.question)}<|im_end|>\n<|im_start|>assistant\n${p.assistantPrefix}`,
      };
    case 'llama3':
      return {
        name,
        render: (p) =>
          (system !== undefined ? `<|start_header_id|>system<|end_header_id|>\n\n${system}<|eot_id|>` : '') +
          `<|start_header_id|>user<|end_header_id|>\n\n${userText(p.instruction, p.question)}<|eot_id|>` +
          `<|start_header_id|>assistant<|end_header_id|>\n\n${p.assistantPrefix}`,
      };
  }
}

function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * The Jinja chat template of a Hugging Face tokenizer_config.json (`chat_template` as a string, or
 * a list of `{name, template}` where the one named 'default' is used).
 * @throws ConfigError naming the file and field when the file is missing, not JSON, has no
 *   usable `chat_template`, or the template does not parse.
 */
export function jinjaTemplateFromTokenizerConfig(file: string, options: TemplateOptions = {}): ChatTemplate {
  if (!existsSync(file)) throw new ConfigError({ file }, 'tokenizer_config.json not found');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readUserText(file, 'config')) as Record<string, unknown>;
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    throw new ConfigError({ file }, `not valid JSON: ${(error as Error).message}`);
  }
  let source: unknown = config.chat_template;
  if (Array.isArray(source)) {
    const entry = source.find((t) => (t as { name?: unknown }).name === 'default') ?? source[0];
    source = (entry as { template?: unknown } | undefined)?.template;
  }
  if (typeof source !== 'string' || source === '') {
    throw new ConfigError({ file, field: 'chat_template' }, 'missing or empty; pass --template chatml|llama3|raw instead');
  }
  return jinjaTemplateFromSource(source, {
    ...options,
    bosToken: tokenText(config.bos_token),
    eosToken: tokenText(config.eos_token),
    name: `jinja:${file}`,
    file,
  });
}

/**
 * A Jinja chat template from its source text (e.g. a GGUF's `tokenizer.chat_template`).
 * @throws ConfigError (naming `file`, field chat_template) when it does not parse.
 */
export function jinjaTemplateFromSource(
  source: string,
  options: TemplateOptions & { bosToken?: string; eosToken?: string; name: string; file?: string },
): ChatTemplate {
  let template: Template;
  try {
    template = new Template(source);
  } catch (error) {
    throw new ConfigError(
      { file: options.file ?? options.name, field: 'chat_template' },
      `does not parse as Jinja: ${(error as Error).message}`,
    );
  }
  const bosToken = options.bosToken;
  return {
    name: options.name,
    render(p) {
      const messages = [
        ...(options.system !== undefined ? [{ role: 'system', content: options.system }] : []),
        { role: 'user', content: userText(p.instruction, p.question) },
      ];
      let text = template.render({
        ...options.kwargs,
        messages,
        add_generation_prompt: true,
        bos_token: bosToken ?? '',
        eos_token: options.eosToken ?? '',
      });
      if (!options.keepBos && bosToken && text.startsWith(bosToken)) text = text.slice(bosToken.length);
      return text + p.assistantPrefix;
    },
  };
}

/** A Jinja template from a `chat_template.jinja` file; BOS/EOS come from a tokenizer_config.json beside it. */
export function jinjaTemplateFromJinjaFile(file: string, options: TemplateOptions = {}): ChatTemplate {
  if (!existsSync(file)) throw new ConfigError({ file }, 'chat template file not found');
  const source = readFileSync(file, 'utf8');
  if (source.trim() === '') throw new ConfigError({ file }, 'empty chat template');
  let tokens: Record<string, unknown> = {};
  const sibling = join(dirname(file), 'tokenizer_config.json');
  if (existsSync(sibling)) {
    try {
      tokens = JSON.parse(readFileSync(sibling, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError({ file: sibling }, `not valid JSON: ${(error as Error).message}`);
    }
  }
  return jinjaTemplateFromSource(source, {
    ...options,
    bosToken: tokenText(tokens.bos_token),
    eosToken: tokenText(tokens.eos_token),
    name: `jinja:${file}`,
    file,
  });
}

/**
 * The template file of a model folder: `chat_template.jinja` (recent transformers save it there),
 * else a tokenizer_config.json that has a `chat_template`; undefined when neither.
 */
export function modelFolderTemplateFile(dir: string): string | undefined {
  const jinja = join(dir, 'chat_template.jinja');
  if (existsSync(jinja)) return jinja;
  const config = join(dir, 'tokenizer_config.json');
  if (!existsSync(config)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(config, 'utf8')) as { chat_template?: unknown };
    return parsed.chat_template ? config : undefined;
  } catch {
    return config; // present but broken: jinjaTemplateFromTokenizerConfig names the JSON error
  }
}

/**
 * The Hugging Face hub cache folder, as huggingface_hub resolves it: `$HF_HUB_CACHE`, else
 * `$HF_HOME/hub`, else `~/.cache/huggingface/hub` (`$XDG_CACHE_HOME/huggingface/hub` when set).
 */
export function huggingFaceHubCache(env: Record<string, string | undefined> = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface', 'hub');
}

/**
 * The snapshot folder of `modelId` (`org/name`) in the local Hugging Face cache, read offline:
 * the snapshot `refs/main` names, else the newest snapshot that holds a template file.
 */
export function cachedModelFolder(modelId: string, env: Record<string, string | undefined> = process.env): string | undefined {
  if (!/^[\w.-]+\/[\w.-]+$/.test(modelId)) return undefined;
  const repo = join(huggingFaceHubCache(env), `models--${modelId.replace('/', '--')}`);
  const snapshots = join(repo, 'snapshots');
  if (!existsSync(snapshots)) return undefined;
  const main = join(repo, 'refs', 'main');
  if (existsSync(main)) {
    const pinned = join(snapshots, readFileSync(main, 'utf8').trim());
    if (modelFolderTemplateFile(pinned)) return pinned;
  }
  const candidates = readdirSync(snapshots)
    .map((name) => join(snapshots, name))
    .filter((dir) => modelFolderTemplateFile(dir) !== undefined)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return candidates[0];
}

function templateFromFile(file: string, options: TemplateOptions, source: string): ChatTemplate {
  const template = file.endsWith('.json') ? jinjaTemplateFromTokenizerConfig(file, options) : jinjaTemplateFromJinjaFile(file, options);
  return { ...template, source };
}

/**
 * Resolve a `--template` value: a built-in name, a tokenizer_config.json (`.json`), a
 * `chat_template.jinja` (`.jinja`), or a model folder holding one of them.
 * @throws ConfigError for an unknown name or a folder without a template.
 */
export function resolveChatTemplate(spec: string, options: TemplateOptions = {}): ChatTemplate {
  if ((BUILTIN_TEMPLATES as readonly string[]).includes(spec))
    return { ...builtinTemplate(spec as BuiltinTemplateName, options), source: '--template' };
  if (spec.endsWith('.json') || spec.endsWith('.jinja')) return templateFromFile(spec, options, '--template');
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const file = modelFolderTemplateFile(spec);
    if (!file)
      throw new ConfigError(
        { file: spec, field: 'template' },
        'this folder has no chat_template.jinja and no tokenizer_config.json with a chat_template',
      );
    return templateFromFile(file, options, '--template');
  }
  throw new ConfigError(
    { file: '(command line)', field: 'template' },
    `unknown template "${spec}"; use raw, chatml, llama3, a chat_template.jinja or tokenizer_config.json file, or a model folder`,
  );
}

/**
 * The client-side template of a served model, without guessing, in this order: `template` (the
 * `--template` flag), the model's own folder when `model` is a local directory, the model's
 * snapshot in the local Hugging Face cache when `model` is a hub id. Nothing is downloaded.
 * @throws ConfigError naming every option when none applies.
 */
export function resolveServedTemplate(
  input: { template?: string; model?: string; env?: Record<string, string | undefined> },
  options: TemplateOptions = {},
): ChatTemplate {
  if (input.template !== undefined) return resolveChatTemplate(input.template, options);
  const model = input.model;
  if (model !== undefined) {
    if (existsSync(model) && statSync(model).isDirectory()) {
      const file = modelFolderTemplateFile(model);
      if (file) return templateFromFile(file, options, 'model folder');
    }
    const cached = cachedModelFolder(model, input.env);
    if (cached) return templateFromFile(modelFolderTemplateFile(cached)!, options, 'Hugging Face cache');
  }
  throw new ConfigError(
    { file: '(command line)', field: '--template' },
    `no chat template found for model ${model === undefined ? '(none given)' : `"${model}"`} (looked in --template, the model folder, ` +
      `and the Hugging Face cache ${huggingFaceHubCache(input.env)}); treecot does not guess one. Pass --template chatml|llama3|raw, ` +
      `a chat_template.jinja or tokenizer_config.json file, or a model folder; or --model a local model folder or a Hugging Face id ` +
      `you have downloaded; or --mode chat so that the server applies the model's own template`,
  );
}

/** The chat messages for `/v1/chat/completions` with continue_final_message (final assistant turn = prefix). */
export function chatMessages(parts: PromptParts, system?: string): { role: 'system' | 'user' | 'assistant'; content: string }[] {
  return [
    ...(system !== undefined ? [{ role: 'system' as const, content: system }] : []),
    { role: 'user' as const, content: userText(parts.instruction, parts.question) },
    { role: 'assistant' as const, content: parts.assistantPrefix },
  ];
}
