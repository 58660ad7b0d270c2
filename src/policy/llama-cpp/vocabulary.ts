/**
 * What the llama-cpp policy needs to know about a GGUF vocabulary:
 * - control-type tokens (GGUF token type 3) written as text in a prompt (`<|im_start|>`, a control
 *   `<thinking>`) must be fed as their single token, so prompts are tokenized piecewise: control
 *   texts as tokens, everything else with specialTokens = false (user-defined tokens, type 4, are
 *   single tokens either way);
 * - the crash guard: with an SPM vocabulary that has no byte-fallback tokens, llama.cpp aborts the
 *   whole process (uncaught C++ std::out_of_range in byte_to_token) on a character outside the
 *   vocabulary. We check every character first and throw a clear error instead
 *   (docs/llama-cpp.md section 2, "PITFALL, crash").
 */
import type { LlamaModel, Token } from 'node-llama-cpp';
import { PolicyCallError } from '../../core/index.ts';
import { escapeRegExp } from '../../core/regexp.ts';

/** A character the model cannot tokenize (and llama.cpp would crash on). Not retryable. */
export class UnsupportedCharacterError extends PolicyCallError {
  readonly character: string;
  constructor(modelFile: string, character: string, position: number) {
    const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    super(
      `${modelFile}: character ${JSON.stringify(character)} (${code}) at position ${position} of the prompt is not in the model's ` +
        'vocabulary, and the model has no byte-fallback tokens (<0x00>..<0xFF>), so llama.cpp would abort the process. ' +
        'Remove or replace such characters in the data, or use a GGUF with byte-fallback tokens.',
      { isRetryable: false },
    );
    this.character = character;
  }
}

export interface VocabularyInfo {
  /** Control tokens by their text (BOS excluded, since LlamaCompletion adds BOS itself). */
  controlTokens: Map<string, Token>;
  /** Regex matching any control text; null when there are none. */
  controlPattern: RegExp | null;
  /** Characters the model can tokenize without byte fallback; null = anything is safe. */
  alphabet: Set<string> | null;
}

/** Scan the vocabulary once at load. */
export function inspectVocabulary(model: LlamaModel): VocabularyInfo {
  const controlTokens = new Map<string, Token>();
  const singleChars = new Set<string>();
  let byteTokens = 0;
  const bos = model.tokens.bos;
  for (const token of model.iterateAllTokens()) {
    const attributes = model.getTokenAttributes(token);
    if (attributes.byte) {
      byteTokens++;
      continue;
    }
    if (attributes.control) {
      const text = model.detokenize([token], true);
      if (token !== bos && text.length > 1) controlTokens.set(text, token);
      continue;
    }
    if (attributes.normal || attributes.userDefined) {
      const text = model.detokenize([token], true);
      if ([...text].length === 1) singleChars.add(text);
    }
  }
  const texts = [...controlTokens.keys()].sort((a, b) => b.length - a.length);
  const needsGuard = model.vocabularyType === 'spm' && byteTokens < 256;
  return {
    controlTokens,
    controlPattern: texts.length > 0 ? new RegExp(texts.map(escapeRegExp).join('|'), 'g') : null,
    alphabet: needsGuard ? singleChars : null,
  };
}

/** Throw UnsupportedCharacterError for the first character outside `alphabet` (no-op for null). */
export function checkAlphabet(text: string, alphabet: Set<string> | null, modelFile: string): void {
  if (alphabet === null) return;
  let position = 0;
  for (const ch of text) {
    if (!alphabet.has(ch)) throw new UnsupportedCharacterError(modelFile, ch, position);
    position += ch.length;
  }
}

/**
 * Tokens of `text` (no BOS): control texts become their token, the rest is tokenized with
 * specialTokens = false after the alphabet check.
 */
export function tokenizePrompt(model: LlamaModel, vocabulary: VocabularyInfo, text: string, modelFile: string): Token[] {
  const out: Token[] = [];
  const plain = (segment: string) => {
    if (segment === '') return;
    checkAlphabet(segment, vocabulary.alphabet, modelFile);
    out.push(...model.tokenize(segment, false));
  };
  if (vocabulary.controlPattern === null) {
    plain(text);
    return out;
  }
  let last = 0;
  for (const match of text.matchAll(vocabulary.controlPattern)) {
    plain(text.slice(last, match.index));
    out.push(vocabulary.controlTokens.get(match[0])!);
    last = match.index + match[0].length;
  }
  plain(text.slice(last));
  return out;
}

/**
 * Stop triggers for LlamaCompletion: each stop string as text (fires for text and user-defined
 * tokens), plus `[token]` when the string is one control token (whose text detokenizes to "" and
 * would never match as text; notes section 4b).
 */
export function stopTriggers(vocabulary: VocabularyInfo, stop: readonly string[]): (string | Token)[][] {
  const triggers: (string | Token)[][] = [];
  for (const s of stop) {
    if (s === '') continue;
    triggers.push([s]);
    const control = vocabulary.controlTokens.get(s);
    if (control !== undefined) triggers.push([control]);
  }
  return triggers;
}
