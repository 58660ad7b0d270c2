/**
 * In-process GGUF policy through node-llama-cpp 3.21.1 (prebuilt CPU binaries:
 * `getLlama({gpu: false, build: 'never'})`).
 *
 * - One context with `sequences` context sequences (a pool). A completion takes the free sequence
 *   whose cached tokens share the longest prefix with its prompt; LlamaCompletion then keeps that
 *   common prefix in the KV cache and evaluates only the rest (notes section 4a). Siblings of one
 *   call and later calls on the same path therefore reuse the shared path prefix. The n completions
 *   of one call run concurrently on up to `sequences` sequences; their tokens are batched into one
 *   decode.
 * - Sampling: temperature / top-p from the call, top-k and min-p off, `repeatPenalty: false`
 *   (LlamaCompletion's default penalty would change the distribution, notes 4c). Completion i of a
 *   call uses seed `seed + i`; without a seed, seeds come from this policy's own Rng (option `seed`).
 * - Stop strings end a completion and are excluded; control-type tags are matched by token.
 * - Template: `raw` (default: BOS + userText + assistantPrefix, the built-in model's format),
 *   `gguf` (the file's own `tokenizer.chat_template`), or any ChatTemplate spec
 *   ('chatml', 'llama3', a tokenizer_config.json path). LlamaCompletion adds BOS.
 * - `threads` default 1: on this 2-core machine 2 threads make generation 7-25x slower (notes, Timings).
 * - Flash attention off by default (matches the TS trainer's numbers; notes section 3).
 */
import type {
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  LlamaCompletion as LlamaCompletionType,
  LlamaLogLevel,
  Token,
} from 'node-llama-cpp';
import { ConfigError, ContextLengthError, Rng } from '../../core/index.ts';
import { builtinTemplate, jinjaTemplateFromSource, resolveChatTemplate, type ChatTemplate } from '../chat-template.ts';
import { abortError } from '../request-error.ts';
import type { Completion, CompleteOptions, CompleteResult, EndpointStats, FinishReason, Policy } from '../types.ts';
import { inspectVocabulary, stopTriggers, tokenizePrompt, type VocabularyInfo } from './vocabulary.ts';
import { contextRequests, createLlamaLogger } from './llama-log.ts';

export interface LlamaCppPolicyOptions {
  /** Path of the .gguf file. */
  modelPath: string;
  /** CPU threads for the context. Default 1. */
  threads?: number;
  /** Context sequences (completions decoded in parallel). Default 4. */
  sequences?: number;
  /** Tokens per sequence. Default min(trainContextSize, 2048). */
  contextSize?: number;
  /** 'raw' (default), 'gguf', 'chatml', 'llama3' or a tokenizer_config.json path. */
  template?: string;
  /** Seed of the Rng that draws sampling seeds for calls without one. Default 0. */
  seed?: number;
  /** Default false. */
  flashAttention?: boolean;
}

/** One Llama (native bindings, CPU) per process, shared by all GGUF policies. */
let llamaInstance: Promise<Llama> | undefined;

interface PooledSequence {
  sequence: LlamaContextSequence;
  completion: LlamaCompletionType;
  busy: boolean;
}

function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function mapStopReason(reason: string): FinishReason {
  if (reason === 'customStopTrigger' || reason === 'eogToken' || reason === 'stopGenerationTrigger') return 'stop';
  if (reason === 'maxTokens') return 'length';
  return 'other';
}

export class LlamaCppPolicy implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'llama-cpp';
  readonly modelId: string;
  readonly template: ChatTemplate;
  readonly contextSize: number;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #pool: PooledSequence[];
  readonly #waiters: (() => void)[] = [];
  readonly #vocabulary: VocabularyInfo;
  readonly #rng: Rng;
  readonly #stats: EndpointStats;
  /** Prompt tokens evaluated, after KV-cache reuse (for tests and the benchmark). */
  evaluatedPromptTokens = 0;

  private constructor(parts: {
    modelId: string;
    model: LlamaModel;
    context: LlamaContext;
    pool: PooledSequence[];
    vocabulary: VocabularyInfo;
    template: ChatTemplate;
    contextSize: number;
    seed: number;
  }) {
    this.modelId = parts.modelId;
    this.#model = parts.model;
    this.#context = parts.context;
    this.#pool = parts.pool;
    this.#vocabulary = parts.vocabulary;
    this.template = parts.template;
    this.contextSize = parts.contextSize;
    this.#rng = new Rng(parts.seed);
    this.#stats = { endpoint: parts.modelId, requests: 0, errors: 0, outstanding: 0, promptTokens: 0, completionTokens: 0 };
  }

  /** Load the model and build the sequence pool. @throws ConfigError for a missing/unloadable file. */
  static async load(options: LlamaCppPolicyOptions): Promise<LlamaCppPolicy> {
    const { existsSync } = await import('node:fs');
    if (!existsSync(options.modelPath)) throw new ConfigError({ file: options.modelPath, field: 'gguf' }, 'model file not found');
    const { getLlama, LlamaCompletion } = await import('node-llama-cpp');
    // llama.cpp's warnings go through treecot's logger: explained once, never repeated per context.
    llamaInstance ??= getLlama({
      gpu: false,
      build: 'never',
      logger: createLlamaLogger() as (level: LlamaLogLevel, message: string) => void,
    });
    const llama = await llamaInstance;
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath });
    } catch (error) {
      throw new ConfigError({ file: options.modelPath, field: 'gguf' }, `node-llama-cpp cannot load it: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const sequences = options.sequences ?? 4;
    const perSequence = options.contextSize ?? Math.min(model.trainContextSize, 2048);
    contextRequests.note(perSequence, model.trainContextSize); // so the logger can tell llama.cpp's padding from a real overflow
    const context = await model.createContext({
      sequences,
      contextSize: perSequence, // per sequence in node-llama-cpp 3 (n_ctx_seq)
      threads: options.threads ?? 1,
      flashAttention: options.flashAttention ?? false,
    });
    const pool: PooledSequence[] = [];
    for (let i = 0; i < sequences; i++) {
      const sequence = context.getSequence();
      pool.push({ sequence, completion: new LlamaCompletion({ contextSequence: sequence }), busy: false });
    }
    const spec = options.template ?? 'raw';
    let template: ChatTemplate;
    if (spec === 'gguf') {
      const source = (model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } }).tokenizer?.chat_template;
      if (typeof source !== 'string') {
        throw new ConfigError(
          { file: options.modelPath, field: 'tokenizer.chat_template' },
          'the GGUF has no chat template; use --template raw|chatml|llama3',
        );
      }
      const bos = model.tokens.bos === null ? '' : model.detokenize([model.tokens.bos], true);
      const eos = model.tokens.eos === null ? '' : model.detokenize([model.tokens.eos], true);
      template = jinjaTemplateFromSource(source, { bosToken: bos, eosToken: eos, name: `gguf:${options.modelPath}` });
    } else {
      template = spec === 'raw' ? builtinTemplate('raw') : resolveChatTemplate(spec);
    }
    return new LlamaCppPolicy({
      modelId: options.modelPath,
      model,
      context,
      pool,
      vocabulary: inspectVocabulary(model),
      template,
      contextSize: perSequence,
      seed: options.seed ?? 0,
    });
  }

  stats(): EndpointStats[] {
    return [{ ...this.#stats }];
  }

  /** Prompt token ids for `parts` (no BOS), as this policy feeds them. */
  tokenize(text: string): number[] {
    return tokenizePrompt(this.#model, this.#vocabulary, text, this.modelId).map(Number);
  }

  async doComplete(options: CompleteOptions): Promise<CompleteResult> {
    if (options.signal?.aborted) throw abortError(options.signal);
    const text = this.template.render(options.prompt);
    const input = tokenizePrompt(this.#model, this.#vocabulary, text, this.modelId);
    const promptLength = input.length + 1; // + BOS
    if (promptLength >= this.contextSize) {
      throw new ContextLengthError(
        `${this.modelId}: prompt of ${promptLength} tokens does not fit the context of ${this.contextSize} tokens`,
      );
    }
    const maxTokens = Math.min(options.maxTokens, this.contextSize - promptLength);
    const baseSeed = options.seed ?? this.#rng.int(0, 0xffffffff);
    const triggers = stopTriggers(this.#vocabulary, options.stop);
    this.#stats.requests++;
    this.#stats.outstanding++;
    try {
      const completions = await Promise.all(
        Array.from({ length: options.n }, (_, i) => this.#completeOne(input, options, maxTokens, (baseSeed + i) >>> 0, triggers)),
      );
      const completionTokens = completions.reduce((a, c) => a + c.tokens, 0);
      this.#stats.promptTokens += promptLength * options.n;
      this.#stats.completionTokens += completionTokens;
      return {
        completions: completions.map((c) => c.completion),
        usage: { promptTokens: promptLength * options.n, completionTokens },
        requests: 1,
        warnings: [],
      };
    } catch (error) {
      this.#stats.errors++;
      if (options.signal?.aborted) throw abortError(options.signal);
      throw error;
    } finally {
      this.#stats.outstanding--;
    }
  }

  async #acquire(input: readonly number[]): Promise<PooledSequence> {
    for (;;) {
      let best: PooledSequence | undefined;
      let bestShared = -1;
      for (const entry of this.#pool) {
        if (entry.busy) continue;
        const shared = commonPrefixLength(entry.sequence.contextTokens as readonly number[], input);
        if (shared > bestShared) {
          best = entry;
          bestShared = shared;
        }
      }
      if (best) {
        best.busy = true;
        return best;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #release(entry: PooledSequence): void {
    entry.busy = false;
    this.#waiters.shift()?.();
  }

  async #completeOne(
    input: Token[],
    options: CompleteOptions,
    maxTokens: number,
    seed: number,
    triggers: ReturnType<typeof stopTriggers>,
  ): Promise<{ completion: Completion; tokens: number }> {
    const bos = this.#model.tokens.bos;
    const full = (bos === null ? input : [bos, ...input]).map(Number);
    const entry = await this.#acquire(full);
    try {
      if (options.signal?.aborted) throw abortError(options.signal);
      const reused = commonPrefixLength(entry.sequence.contextTokens as readonly number[], full);
      this.evaluatedPromptTokens += full.length - reused;
      let tokens = 0;
      const result = await entry.completion.generateCompletionWithMeta(input, {
        maxTokens,
        temperature: options.temperature,
        topP: options.topP,
        topK: 0,
        minP: 0,
        seed,
        repeatPenalty: false,
        customStopTriggers: triggers,
        disableContextShift: true,
        signal: options.signal,
        onToken: (t) => {
          tokens += t.length;
        },
      });
      return { completion: { text: result.response, finishReason: mapStopReason(result.metadata.stopReason) }, tokens };
    } finally {
      this.#release(entry);
    }
  }

  async close(): Promise<void> {
    for (const entry of this.#pool) entry.completion.dispose();
    await this.#context.dispose();
    await this.#model.dispose();
    // the Llama instance (native bindings) is shared by every policy of this process; not disposed
  }
}

/** Load a GGUF policy (see LlamaCppPolicy). */
export function createLlamaCppPolicy(options: LlamaCppPolicyOptions): Promise<LlamaCppPolicy> {
  return LlamaCppPolicy.load(options);
}
