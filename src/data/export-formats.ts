/**
 * Row mappers from SFT rows / DPO pairs to the dataset formats of common trainers
 * (issue 4, item 6). Pure functions; write-dataset.ts decides file names.
 *
 * - TRL (docs "Dataset formats": standard = plain text, conversational = message lists):
 *   SFT prompt-completion, DPO preference with explicit prompt.
 * - TRL prefix-in-prompt DPO: the shared prefix of chosen and rejected is moved from both
 *   responses to the end of the prompt, so TRL leaves it out of the loss (prompt tokens are
 *   never scored). Plain format only: in TRL's conversational format a prompt ending in an
 *   assistant message is rendered with `continue_final_message`, but chosen/rejected are
 *   rendered as a second assistant message, which inserts an end-of-turn token after the
 *   prefix. `treecot export-trl` applies the model's chat template instead (prepare_data.py).
 * - LLaMA-Factory: sharegpt (`conversations` with from/value) plus `ranking: true` for DPO,
 *   and the matching `dataset_info.json` entries.
 * - OpenRLHF: message lists under its default key names (SFT `input`/`output`, DPO
 *   `prompt`/`chosen`/`rejected`), for `--apply_chat_template`.
 */
import type { DpoPair, SftRow } from './types.ts';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

const user = (content: string): ChatMessage[] => [{ role: 'user', content }];
const assistant = (content: string): ChatMessage[] => [{ role: 'assistant', content }];

export function trlSftPlain(row: SftRow): { prompt: string; completion: string } {
  return { prompt: row.prompt, completion: row.completion };
}

export function trlSftConversational(row: SftRow): { prompt: ChatMessage[]; completion: ChatMessage[] } {
  return { prompt: user(row.prompt), completion: assistant(row.completion) };
}

export function trlDpoPlain(pair: DpoPair): { prompt: string; chosen: string; rejected: string } {
  return { prompt: pair.prompt, chosen: pair.chosen, rejected: pair.rejected };
}

export function trlDpoConversational(pair: DpoPair): { prompt: ChatMessage[]; chosen: ChatMessage[]; rejected: ChatMessage[] } {
  return { prompt: user(pair.prompt), chosen: assistant(pair.chosen), rejected: assistant(pair.rejected) };
}

/** Where the prefix moved into the prompt ends: whole shared thoughts (default) or the exact common prefix. */
export type PrefixBoundary = 'thought' | 'char';

/** Characters of the responses that the prefix-in-prompt variant moves into the prompt. */
export function movedPrefixChars(pair: DpoPair, boundary: PrefixBoundary = 'thought'): number {
  return boundary === 'thought' ? pair.shared_thoughts_chars : pair.common_prefix_chars;
}

/**
 * Prefix-in-prompt DPO row (plain): `prompt + prefix`, and the two diverging suffixes.
 * `prefix_chars` records how much was moved. The concatenations prompt + chosen and
 * prompt + rejected are unchanged.
 */
export function trlDpoPrefixInPrompt(
  pair: DpoPair,
  boundary: PrefixBoundary = 'thought',
): { prompt: string; chosen: string; rejected: string; prefix_chars: number } {
  const cut = movedPrefixChars(pair, boundary);
  return {
    prompt: pair.prompt + pair.chosen.slice(0, cut),
    chosen: pair.chosen.slice(cut),
    rejected: pair.rejected.slice(cut),
    prefix_chars: cut,
  };
}

export interface SharegptTurn {
  from: 'human' | 'gpt';
  value: string;
}

export function llamaFactorySft(row: SftRow): { conversations: SharegptTurn[] } {
  return {
    conversations: [
      { from: 'human', value: row.prompt },
      { from: 'gpt', value: row.completion },
    ],
  };
}

export function llamaFactoryDpo(pair: DpoPair): { conversations: SharegptTurn[]; chosen: SharegptTurn; rejected: SharegptTurn } {
  return {
    conversations: [{ from: 'human', value: pair.prompt }],
    chosen: { from: 'gpt', value: pair.chosen },
    rejected: { from: 'gpt', value: pair.rejected },
  };
}

/** `dataset_info.json` entries for LLaMA-Factory (data/README.md of LLaMA-Factory, sharegpt + ranking). */
export function llamaFactoryDatasetInfo(sftFile: string, dpoFile: string, name = 'treecot'): Record<string, unknown> {
  return {
    [`${name}_sft`]: { file_name: sftFile, formatting: 'sharegpt', columns: { messages: 'conversations' } },
    [`${name}_dpo`]: {
      file_name: dpoFile,
      formatting: 'sharegpt',
      ranking: true,
      columns: { messages: 'conversations', chosen: 'chosen', rejected: 'rejected' },
    },
  };
}

export function openRlhfSft(row: SftRow): { input: ChatMessage[]; output: ChatMessage[] } {
  return { input: user(row.prompt), output: assistant(row.completion) };
}

export function openRlhfDpo(pair: DpoPair): { prompt: ChatMessage[]; chosen: ChatMessage[]; rejected: ChatMessage[] } {
  return trlDpoConversational(pair);
}
