/**
 * treecot's CharTokenizer as Hugging Face tokenizer files (`tokenizer.json` for the `tokenizers`
 * library, `tokenizer_config.json`, `special_tokens_map.json`), and the check on the way back.
 *
 * The shape is Llama-2's own `tokenizer.json` without its space prefix: a BPE model with NO merges
 * and `byte_fallback`, so every vocabulary character is one token and any other character
 * becomes its UTF-8 byte tokens `<0xXX>`; a normalizer that stores space as "▁"; a decoder that
 * undoes both. The thought tags are non-special added tokens (one token, decoded as text, like
 * llama.cpp's user-defined type), `<unk> <s> </s> <pad>` special ones. The post-processor adds
 * BOS, as treecot's trainer and llama.cpp (`add_bos_token`) do.
 *
 * Known difference: a literal "▁" (U+2581) in the input is a space token here (the normalizer
 * cannot tell it from a space) but three byte tokens in treecot and llama.cpp.
 */
import { DataError } from '../../core/errors.ts';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID, TokenType, type CharTokenizer } from '../tokenizer.ts';

/**
 * The chat template: treecot's prompt format (`raw` in src/policy/chat-template.ts), i.e.
 * BOS + user text, the assistant turn right after it and closed by EOS. `{% generation %}` marks
 * the assistant text for `return_assistant_tokens_mask` (TRL's `assistant_only_loss`).
 * A FINAL assistant message rendered with `add_generation_prompt=True` is left open (no EOS), so
 * the model continues it: that is how llama-cpp-python's server (and other Jinja renderers that
 * always pass add_generation_prompt) render a chat request whose last message is the assistant
 * prefix, which treecot's chat mode sends (transformers' `continue_final_message` does the same).
 * A system message has no place in this format, so it is an error rather than dropped.
 */
export const TREECOT_CHAT_TEMPLATE =
  '{{ bos_token }}{% for message in messages %}' +
  "{% if message['role'] == 'user' %}{{ message['content'] }}" +
  "{% elif message['role'] == 'assistant' %}{% generation %}{{ message['content'] }}{% if not (loop.last and add_generation_prompt) %}{{ eos_token }}{% endif %}{% endgeneration %}" +
  "{% else %}{{ raise_exception('treecot models have no ' + message['role'] + ' role: the prompt format is BOS + user text + assistant text + EOS') }}{% endif %}" +
  '{% endfor %}';

const SPECIAL = new Set([UNK_ID, BOS_ID, EOS_ID, PAD_ID]);

function addedToken(id: number, content: string, special: boolean): Record<string, unknown> {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special };
}

/** `tokenizer.json` (tokenizers format 1.0). */
export function tokenizerJson(tokenizer: CharTokenizer): Record<string, unknown> {
  const added: Record<string, unknown>[] = [];
  const vocab: Record<string, number> = {};
  tokenizer.tokens.forEach((t, id) => {
    vocab[t] = id;
    const type = tokenizer.tokenTypes[id];
    if (SPECIAL.has(id) || type === TokenType.userDefined) added.push(addedToken(id, t, SPECIAL.has(id)));
  });
  const bos = tokenizer.tokens[BOS_ID]!;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [BOS_ID], tokens: [bos] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: tokenizer.tokens[UNK_ID],
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
}

/** `tokenizer_config.json` and `special_tokens_map.json`. */
export function tokenizerConfigFiles(
  tokenizer: CharTokenizer,
  context: number,
): { config: Record<string, unknown>; specialTokensMap: Record<string, string> } {
  const t = tokenizer.tokens;
  const specialTokensMap = { bos_token: t[BOS_ID]!, eos_token: t[EOS_ID]!, unk_token: t[UNK_ID]!, pad_token: t[PAD_ID]! };
  const decoder: Record<string, unknown> = {};
  tokenizer.tokens.forEach((text, id) => {
    if (SPECIAL.has(id) || tokenizer.tokenTypes[id] === TokenType.userDefined) {
      // Keyed by id, without an `id` field (transformers passes each entry to AddedToken(**entry)).
      const { id: _id, ...entry } = addedToken(id, text, SPECIAL.has(id));
      decoder[String(id)] = entry;
    }
  });
  return {
    specialTokensMap,
    config: {
      tokenizer_class: 'PreTrainedTokenizerFast',
      ...specialTokensMap,
      add_bos_token: true,
      add_eos_token: false,
      clean_up_tokenization_spaces: false,
      model_max_length: context,
      padding_side: 'right',
      added_tokens_decoder: decoder,
      chat_template: TREECOT_CHAT_TEMPLATE,
    },
  };
}

/**
 * Check that a `tokenizer.json` holds treecot's vocabulary (same tokens, same ids) so the
 * imported model tokenizes as treecot does.
 * @throws DataError naming the file and the first differing token id.
 */
export function checkTokenizerJson(json: unknown, expected: CharTokenizer, file: string): void {
  const model = (json as { model?: { type?: string; vocab?: Record<string, number> } })?.model;
  if (model?.type !== 'BPE' || !model.vocab)
    throw new DataError({ file, field: 'model' }, 'not a tokenizer written by treecot export-hf (expected a BPE model with a vocab)');
  const byId: string[] = [];
  for (const [text, id] of Object.entries(model.vocab)) byId[id] = text;
  if (byId.length !== expected.vocabSize)
    throw new DataError({ file, field: 'model.vocab' }, `${byId.length} tokens, treecot's character tokenizer has ${expected.vocabSize}`);
  const bad = expected.tokens.findIndex((t, i) => byId[i] !== t);
  if (bad >= 0)
    throw new DataError(
      { file, field: `model.vocab` },
      `token id ${bad} is ${JSON.stringify(byId[bad])}, treecot's character tokenizer has ${JSON.stringify(expected.tokens[bad])}`,
    );
}

/** Thought tag names of a `tokenizer.json` (its non-special added tokens `<tag>`). */
export function tagsOfTokenizerJson(json: unknown): string[] {
  const added = (json as { added_tokens?: { content: string; special: boolean }[] })?.added_tokens ?? [];
  return added.filter((t) => !t.special && /^<[^/].*>$/.test(t.content)).map((t) => t.content.slice(1, -1));
}
