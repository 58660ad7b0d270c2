/**
 * Client-side chat templates: built-in ChatML / Llama-3 / raw, and Jinja templates read from a
 * tokenizer_config.json file (rendered by @huggingface/jinja) with the assistant turn left open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { builtinTemplate, jinjaTemplateFromTokenizerConfig, resolveChatTemplate } from '../../src/policy/index.ts';
import { ConfigError } from '../../src/core/index.ts';

const parts = {
  instruction: 'Count letters. Now the question is: ',
  question: 'How many r in "strawberry"?',
  assistantPrefix: '<thinking>First',
};
const user = 'Count letters. Now the question is: How many r in "strawberry"?';

// Templates as published in the models' tokenizer_config.json (Qwen2.5-Instruct is ChatML with a
// default system turn; Meta-Llama-3-8B-Instruct).
const QWEN2_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const LLAMA3_TEMPLATE =
  "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

function writeConfig(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-template-'));
  const file = join(dir, 'tokenizer_config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

test('raw: user text then the assistant prefix, nothing else', () => {
  assert.equal(builtinTemplate('raw').render(parts), `${user}<thinking>First`);
});

test('ChatML and Llama-3 built-ins render an open assistant turn', () => {
  assert.equal(builtinTemplate('chatml').render(parts), `<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n<thinking>First`);
  assert.equal(
    builtinTemplate('llama3').render(parts),
    `<|start_header_id|>user<|end_header_id|>\n\n${user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n<thinking>First`,
  );
  assert.equal(
    builtinTemplate('chatml')
      .render({ ...parts, assistantPrefix: '' })
      .endsWith('<|im_start|>assistant\n'),
    true,
  );
});

test('Jinja chat_template from tokenizer_config.json (Qwen2 ChatML) equals the built-in with its system turn', () => {
  const file = writeConfig({ chat_template: QWEN2_TEMPLATE, eos_token: '<|im_end|>', bos_token: null });
  const rendered = jinjaTemplateFromTokenizerConfig(file).render(parts);
  assert.equal(rendered, builtinTemplate('chatml', { system: 'You are a helpful assistant.' }).render(parts));
  // and equals transformers' continue_final_message rendering: the full conversation cut right
  // after the final assistant message's content
  const full = new Template(QWEN2_TEMPLATE).render({
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: parts.assistantPrefix },
    ],
    add_generation_prompt: false,
  });
  assert.equal(rendered, full.slice(0, full.lastIndexOf(parts.assistantPrefix) + parts.assistantPrefix.length));
});

test('Jinja Llama-3 template: BOS object token read, stripped by default (the server adds it), kept on request', () => {
  const file = writeConfig({
    chat_template: LLAMA3_TEMPLATE,
    bos_token: { content: '<|begin_of_text|>', lstrip: false },
    eos_token: '<|eot_id|>',
  });
  assert.equal(jinjaTemplateFromTokenizerConfig(file).render(parts), builtinTemplate('llama3').render(parts));
  assert.equal(
    jinjaTemplateFromTokenizerConfig(file, { keepBos: true }).render(parts),
    '<|begin_of_text|>' + builtinTemplate('llama3').render(parts),
  );
});

test('chat_template given as a list of named templates uses "default"', () => {
  const file = writeConfig({
    chat_template: [
      { name: 'tool_use', template: 'TOOLS' },
      { name: 'default', template: QWEN2_TEMPLATE },
    ],
  });
  assert.match(jinjaTemplateFromTokenizerConfig(file).render(parts), /^<\|im_start\|>system/);
});

test('bad template specs fail with ConfigError naming the file and field', () => {
  assert.throws(
    () => resolveChatTemplate('vicuna'),
    (e: unknown) => e instanceof ConfigError && /unknown template "vicuna"/.test(e.message),
  );
  assert.throws(() => resolveChatTemplate('/nonexistent/tokenizer_config.json'), /not found/);
  const noTemplate = writeConfig({ bos_token: '<s>' });
  assert.throws(
    () => jinjaTemplateFromTokenizerConfig(noTemplate),
    (e: unknown) => e instanceof ConfigError && e.message.includes('field "chat_template"'),
  );
  const broken = writeConfig({ chat_template: '{% for m in messages %}{{ m.content }' });
  assert.throws(() => jinjaTemplateFromTokenizerConfig(broken), /does not parse as Jinja/);
});
