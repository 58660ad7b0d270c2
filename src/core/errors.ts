/**
 * treecot's error types. One base class with `isInstance` (works across module copies and
 * worker threads, where `instanceof` can fail), and a few subclasses that carry what a
 * caller needs to act. Pattern from vercel/ai `packages/provider/src/errors/`.
 */
const MARKER = Symbol.for('treecot.error');

export class TreecotError extends Error {
  readonly [MARKER] = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
  static isInstance(value: unknown): value is TreecotError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Where in a user's file a problem sits. `line` is 1-based; absent for whole-file problems. */
export interface SourceLocation {
  file: string;
  line?: number;
  field?: string;
}

function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.field !== undefined) s += ` field "${loc.field}"`;
  return s;
}

/** Bad input data (a problems file, predictions, a data set): names file, line and field. */
export class DataError extends TreecotError {
  readonly location: SourceLocation;
  constructor(location: SourceLocation, problem: string, options?: { cause?: unknown }) {
    super(`${formatLocation(location)}: ${problem}`, options);
    this.location = location;
  }
}

/** A bad configuration value: names the field, the file, what was found and how to fix it. */
export class ConfigError extends TreecotError {
  readonly location: SourceLocation;
  constructor(location: SourceLocation, problem: string, options?: { cause?: unknown }) {
    super(`${formatLocation(location)}: ${problem}`, options);
    this.location = location;
  }
}

/**
 * A policy (LLM back-end) call failed after every retry. `errors` keeps each failed attempt's
 * error object, first to last (as vercel/ai `RetryError.errors`); `attempts` their one-line messages.
 */
export class PolicyCallError extends TreecotError {
  readonly url?: string;
  readonly status?: number;
  readonly isRetryable: boolean;
  readonly attempts: string[];
  readonly errors: unknown[];
  constructor(
    message: string,
    details: { url?: string; status?: number; isRetryable?: boolean; attempts?: string[]; errors?: unknown[]; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.url = details.url;
    this.status = details.status;
    this.isRetryable = details.isRetryable ?? false;
    this.attempts = details.attempts ?? [];
    this.errors = details.errors ?? [];
  }
}

/**
 * The prompt (question + path so far) does not fit the model's context window. Not
 * retryable. The search treats it as a dead end of that path (reward 0), not as a failure
 * of the whole question: a path that outgrows the context cannot reach an answer.
 */
export class ContextLengthError extends PolicyCallError {
  constructor(message: string, details: { url?: string; status?: number; cause?: unknown } = {}) {
    super(message, { ...details, isRetryable: false });
  }
  /** True for a ContextLengthError, also across module copies (checks the name). */
  static isContextLength(value: unknown): value is ContextLengthError {
    return TreecotError.isInstance(value) && value.name === 'ContextLengthError';
  }
}

/**
 * Whether an HTTP error body says the prompt exceeds the context window. Covers vLLM/SGLang
 * ("maximum context length"), llama.cpp server ("exceeds the available context size"),
 * OpenAI ("context_length_exceeded") and Ollama ("context length").
 */
export function looksLikeContextLengthMessage(message: string): boolean {
  return /maximum context length|context_length_exceeded|exceeds the available context|context length|context window/i.test(message);
}

/** A verifier did not finish within its time limit (milliseconds). */
export class VerifierTimeoutError extends TreecotError {
  readonly limitMs: number;
  constructor(limitMs: number) {
    super(`verifier did not finish within ${limitMs} ms`);
    this.limitMs = limitMs;
  }
  /** True for a VerifierTimeoutError, also across module copies and worker threads (checks the name). */
  static isVerifierTimeout(value: unknown): value is VerifierTimeoutError {
    return TreecotError.isInstance(value) && value.name === 'VerifierTimeoutError';
  }
}

/** A store (SQLite) problem: wrong schema version, a changed config, a broken file. */
export class StoreError extends TreecotError {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}
