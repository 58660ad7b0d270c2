/**
 * treecot's character-level tokenizer, shared by the TS trainer and the GGUF files it writes,
 * so a model trained here tokenizes the same way inside llama.cpp.
 *
 * Vocabulary (ids in this order; 372 tokens with the 8 standard thought types):
 *   0 `<unk>` (type 2), 1 `<s>` BOS (3), 2 `</s>` EOS (3), 3 `<pad>` (3),
 *   then `<tag>` / `</tag>` for every tag of STANDARD_THOUGHT_TAGS as USER-DEFINED tokens (type 4:
 *   llama.cpp tokenizes them as one token even with specialTokens=false and detokenizes them to
 *   text, so string stop triggers such as "</thinking>" fire),
 *   `\n`, the 95 printable ASCII characters 0x20..0x7E (space stored as "▁" U+2581, the
 *   SentencePiece convention) as NORMAL tokens (type 1),
 *   and the 256 byte-fallback tokens `<0x00>`..`<0xFF>` (type 6), so any other character becomes
 *   its UTF-8 bytes instead of crashing llama.cpp (see docs/llama-cpp.md section 2).
 *
 * Encoding is greedy left to right: a thought tag where one starts, else the character, else the
 * character's UTF-8 bytes. This matches llama.cpp's SPM tokenizer with add_space_prefix=false.
 */
import { STANDARD_THOUGHT_TAGS, openTag, closeTag } from '../core/thought-format.ts';

/** GGUF `tokenizer.ggml.token_type` values (llama.cpp `llama_token_type`). */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, byte: 6 } as const;

export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const PAD_ID = 3;

/** SentencePiece's visible space. */
export const SPM_SPACE = '\u2581';

export class CharTokenizer {
  /** Token texts as stored in GGUF (`tokenizer.ggml.tokens`); space is "▁". */
  readonly tokens: readonly string[];
  /** GGUF token types, same length as `tokens`. */
  readonly tokenTypes: readonly number[];
  /** The user-defined tag tokens, longest first (for greedy matching). */
  private readonly tags: { text: string; id: number }[];
  private readonly charToId = new Map<string, number>();
  private readonly byteBase: number;

  /** @param thoughtTags tag names (e.g. "thinking"); default STANDARD_THOUGHT_TAGS. */
  constructor(thoughtTags: readonly string[] = STANDARD_THOUGHT_TAGS) {
    const tokens: string[] = ['<unk>', '<s>', '</s>', '<pad>'];
    const types: number[] = [TokenType.unknown, TokenType.control, TokenType.control, TokenType.control];
    this.tags = [];
    for (const tag of thoughtTags) {
      for (const text of [openTag(tag), closeTag(tag)]) {
        this.tags.push({ text, id: tokens.length });
        tokens.push(text);
        types.push(TokenType.userDefined);
      }
    }
    this.tags.sort((a, b) => b.text.length - a.text.length);
    const chars = ['\n'];
    for (let c = 0x20; c <= 0x7e; c++) chars.push(String.fromCharCode(c));
    for (const ch of chars) {
      this.charToId.set(ch, tokens.length);
      tokens.push(ch === ' ' ? SPM_SPACE : ch);
      types.push(TokenType.normal);
    }
    this.byteBase = tokens.length;
    for (let b = 0; b < 256; b++) {
      tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
      types.push(TokenType.byte);
    }
    this.tokens = tokens;
    this.tokenTypes = types;
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  /** Token ids of `text` (no BOS/EOS added). Never fails: unknown characters become byte tokens. */
  encode(text: string): number[] {
    return this.encodeWithEnds(text).ids;
  }

  /**
   * Token ids of `text` and, for each token, the UTF-16 offset in `text` just after it (byte
   * tokens of one character all end after that character). Used to map character prefixes to tokens.
   */
  encodeWithEnds(text: string): { ids: number[]; ends: number[] } {
    const ids: number[] = [];
    const ends: number[] = [];
    let i = 0;
    outer: while (i < text.length) {
      if (text.charCodeAt(i) === 0x3c /* '<' */) {
        for (const tag of this.tags) {
          if (text.startsWith(tag.text, i)) {
            ids.push(tag.id);
            i += tag.text.length;
            ends.push(i);
            continue outer;
          }
        }
      }
      const ch = String.fromCodePoint(text.codePointAt(i)!);
      i += ch.length;
      const id = this.charToId.get(ch);
      if (id !== undefined) {
        ids.push(id);
        ends.push(i);
      } else {
        for (const byte of Buffer.from(ch, 'utf8')) {
          ids.push(this.byteBase + byte);
          ends.push(i);
        }
      }
    }
    return { ids, ends };
  }

  /**
   * Text of `ids`. Control tokens (BOS, EOS, pad, unk) give "" unless `showSpecial`; byte tokens
   * are joined and decoded as UTF-8.
   */
  decode(ids: readonly number[], showSpecial = false): string {
    let text = '';
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length) text += Buffer.from(bytes).toString('utf8');
      bytes = [];
    };
    for (const id of ids) {
      const type = this.tokenTypes[id];
      if (type === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`);
      if (type === TokenType.byte) {
        bytes.push(id - this.byteBase);
        continue;
      }
      flush();
      if (type === TokenType.control || type === TokenType.unknown) {
        if (showSpecial) text += this.tokens[id];
      } else {
        const t = this.tokens[id]!;
        text += t === SPM_SPACE ? ' ' : t;
      }
    }
    flush();
    return text;
  }

  /** Id of a single-token text (a tag, `<s>`, a character); undefined if it is not one token. */
  tokenId(text: string): number | undefined {
    const stored = text === ' ' ? SPM_SPACE : text;
    const id = this.tokens.indexOf(stored);
    return id >= 0 ? id : undefined;
  }

  /** The tag names this tokenizer was built with, recovered from a GGUF token list. */
  static tagsFromTokens(tokens: readonly string[], types: readonly number[]): string[] {
    const tags: string[] = [];
    tokens.forEach((t, i) => {
      if (types[i] === TokenType.userDefined && /^<[^/].*>$/.test(t)) tags.push(t.slice(1, -1));
    });
    return tags;
  }
}
