/**
 * What llama.cpp's own log lines become in treecot's terminal. llama.cpp writes its warnings in its
 * own terms (`n_ctx_seq (256) > n_ctx_train (128) -- possible training context overflow`); a user
 * who set `context_size: 256` for a model trained on 128 tokens (the demo does, so that paths with a
 * reflection fit) needs to know it is expected, not to decode it; one who asked for the trained
 * context needs no warning at all (ContextRequests). Known warnings are explained once in treecot's
 * words, side effects of llama.cpp's KV-cache blocks are left out; other warnings and errors are
 * printed once each with a `llama.cpp:` prefix, so none is hidden and none repeats for every context
 * a search opens.
 */

/** llama.cpp log levels as node-llama-cpp names them (LlamaLogLevel values). */
export type LlamaLogLevelName = 'disabled' | 'fatal' | 'error' | 'warn' | 'info' | 'log' | 'debug';

const CONTEXT_OVERFLOW = /n_ctx_seq \((\d+)\) > n_ctx_train \((\d+)\)/;
const CONTEXT_ROUNDING = /n_ctx is not divisible by n_seq_max - rounding down to \d+/;

/**
 * The per-sequence context sizes treecot asked node-llama-cpp for, by the model's trained context.
 * llama.cpp sizes its KV cache in blocks (384 tokens x 4 sequences becomes 512 per sequence) and then
 * warns as if 512 had been asked; node-llama-cpp still keeps each sequence within the 384 asked, so
 * no position past the trained context is used. Only the asked size says whether the warning is real.
 */
export class ContextRequests {
  readonly #largest = new Map<number, number>();

  note(perSequence: number, trainContext: number): void {
    this.#largest.set(trainContext, Math.max(perSequence, this.#largest.get(trainContext) ?? 0));
  }

  /** The largest per-sequence size asked for a model trained on `trainContext` tokens, if any. */
  largestFor(trainContext: number): number | undefined {
    return this.#largest.get(trainContext);
  }
}

/** The requests of this process (LlamaCppPolicy.load notes each context it creates). */
export const contextRequests = new ContextRequests();

/**
 * What to print for a llama.cpp warning: treecot's explanation (a string), nothing (null: a known
 * side effect of llama.cpp's KV-cache blocks that changes nothing treecot runs), or undefined when
 * treecot does not know the warning (it is then printed as it is).
 */
export function explainLlamaWarning(message: string, requests: ContextRequests = contextRequests): string | null | undefined {
  const overflow = CONTEXT_OVERFLOW.exec(message);
  if (overflow) {
    const trained = Number(overflow[2]);
    const asked = requests.largestFor(trained);
    if (asked !== undefined && asked <= trained) return null;
    return (
      `treecot: the llama.cpp context (${asked ?? overflow[1]} tokens per sequence) is longer than the model's trained context ` +
      `(${trained}); positions past ${trained} extrapolate the rotary embeddings. This is what \`context_size\` / ` +
      `\`--context-size\` asked for (the demo does it so that paths with a reflection fit); lower it to silence this.`
    );
  }
  // llama.cpp rounds its block-padded total down to a multiple of the sequence count; each sequence
  // still holds at least the tokens node-llama-cpp asked for (and keeps it within them).
  if (CONTEXT_ROUNDING.test(message)) return null;
  return undefined;
}

/**
 * A node-llama-cpp `logger`: warnings and worse reach `write` (stderr by default) once per distinct
 * text, known ones explained; info and debug lines are dropped (node-llama-cpp's default level, warn,
 * drops them too).
 */
export function createLlamaLogger(
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  requests: ContextRequests = contextRequests,
): (level: LlamaLogLevelName, message: string) => void {
  const seen = new Set<string>();
  return (level, message) => {
    if (level !== 'warn' && level !== 'error' && level !== 'fatal') return;
    const text = message.trim();
    if (text === '') return;
    const explained = level === 'warn' ? explainLlamaWarning(text, requests) : undefined;
    if (explained === null) return;
    const line = explained ?? `llama.cpp ${level}: ${text}`;
    if (seen.has(line)) return;
    seen.add(line);
    write(line);
  };
}
