/**
 * What llama.cpp's own log lines become in treecot's terminal. llama.cpp writes its warnings in its
 * own terms (`n_ctx_seq (256) > n_ctx_train (128) -- possible training context overflow`); a user
 * who set `context_size: 256` for a model trained on 128 tokens (the demo does, so that paths with a
 * reflection fit) needs to know it is expected, not to decode it. Known warnings are explained once
 * in treecot's words; other warnings and errors are printed once each with a `llama.cpp:` prefix, so
 * none is hidden and none repeats for every context a search opens.
 */

/** llama.cpp log levels as node-llama-cpp names them (LlamaLogLevel values). */
export type LlamaLogLevelName = 'disabled' | 'fatal' | 'error' | 'warn' | 'info' | 'log' | 'debug';

const CONTEXT_OVERFLOW = /n_ctx_seq \((\d+)\) > n_ctx_train \((\d+)\)/;

/** The explanation of a known llama.cpp warning, or undefined when treecot has none. */
export function explainLlamaWarning(message: string): string | undefined {
  const overflow = CONTEXT_OVERFLOW.exec(message);
  if (overflow) {
    return (
      `treecot: the llama.cpp context (${overflow[1]} tokens per sequence) is longer than the model's trained context ` +
      `(${overflow[2]}); positions past ${overflow[2]} extrapolate the rotary embeddings. This is what \`context_size\` / ` +
      `\`--context-size\` asked for (the demo does it so that paths with a reflection fit); lower it to silence this.`
    );
  }
  return undefined;
}

/**
 * A node-llama-cpp `logger`: warnings and worse reach `write` (stderr by default) once per distinct
 * text, known ones explained; info and debug lines are dropped (node-llama-cpp's default level, warn,
 * drops them too).
 */
export function createLlamaLogger(
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): (level: LlamaLogLevelName, message: string) => void {
  const seen = new Set<string>();
  return (level, message) => {
    if (level !== 'warn' && level !== 'error' && level !== 'fatal') return;
    const text = message.trim();
    if (text === '') return;
    const line = (level === 'warn' ? explainLlamaWarning(text) : undefined) ?? `llama.cpp ${level}: ${text}`;
    if (seen.has(line)) return;
    seen.add(line);
    write(line);
  };
}
