/**
 * Client-side chat templating for `/v1/completions`: turn PromptParts into one prompt string
 * whose last assistant turn is OPEN, so the model continues the assistant prefix.
 *
 * Templates:
 * - `raw`: `userText(instruction, question) + assistantPrefix` (base models and the built-in
 *   char-level model, which is trained on exactly that after BOS).
 * - `chatml`: `<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n{prefix}` (Qwen, many others).
 * - `llama3`: `<|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n{prefix}`.
 * - a Jinja `chat_template` read from a Hugging Face tokenizer_config.json, rendered with
 *   @huggingface/jinja (the same engine transformers.js uses).
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
import { readFileSync, existsSync } from 'node:fs';
import { Template } from '@huggingface/jinja';
import { ConfigError, readUserText, userText } from '../core/index.ts';
import type { PromptParts } from './types.ts';

export type BuiltinTemplateName = 'raw' | 'chatml' | 'llama3';
export const BUILTIN_TEMPLATES: readonly BuiltinTemplateName[] = ['raw', 'chatml', 'llama3'];

export interface ChatTemplate {
  /** 'raw', 'chatml', 'llama3' or 'jinja:<file>'. */
  readonly name: string;
  /** The prompt text for a completions endpoint; the assistant turn is left open. */
  render(parts: PromptParts): string;
}

export interface TemplateOptions {
  /** Optional system message (ignored by `raw`). */
  system?: string;
  /** Keep a leading BOS that a Jinja template renders. Default false. */
  keepBos?: boolean;
}

/** A built-in template by name. */
export function builtinTemplate(name: BuiltinTemplateName, options: TemplateOptions = {}): ChatTemplate {
  const system = options.system;
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
    throw new ConfigError({ file: options.file ?? options.name, field: 'chat_template' }, `does not parse as Jinja: ${(error as Error).message}`);
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

/**
 * Resolve a `--template` value: a built-in name, or a path to a tokenizer_config.json
 * (anything ending in `.json`).
 * @throws ConfigError for an unknown name.
 */
export function resolveChatTemplate(spec: string, options: TemplateOptions = {}): ChatTemplate {
  if ((BUILTIN_TEMPLATES as readonly string[]).includes(spec)) return builtinTemplate(spec as BuiltinTemplateName, options);
  if (spec.endsWith('.json')) return jinjaTemplateFromTokenizerConfig(spec, options);
  throw new ConfigError(
    { file: '(command line)', field: 'template' },
    `unknown template "${spec}"; use raw, chatml, llama3 or a path to a tokenizer_config.json`,
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
