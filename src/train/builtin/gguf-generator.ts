/**
 * A minimal text generator over a GGUF file through node-llama-cpp, for evaluating the built-in model
 * (greedy and sampled). One context sequence, one thread (generation with 2 threads is 7-25x slower on
 * this 2-core machine, docs/llama-cpp.md "Timings"), flash attention off so logits match
 * the TS model to float tolerance (same notes, section 3). The prompt is BOS + the raw question text.
 */
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';

export interface GenerateOptions {
  /** 0 = greedy (default); > 0 samples from the full softmax at this temperature (topK 0, topP 1). */
  temperature?: number;
  /** Sampling seed (uint32); only used when temperature > 0. */
  seed?: number;
  /** Most new tokens (default 48: the longest built-in response is 47 tokens with EOS). */
  maxTokens?: number;
}

export interface GgufGenerator {
  /** Generated text (EOS excluded) and its token ids. */
  generate(prompt: string, options?: GenerateOptions): Promise<{ text: string; tokens: number[] }>;
  dispose(): Promise<void>;
}

/** Load `file` into node-llama-cpp (CPU, prebuilt binaries) and return a generator over it. */
export async function openGgufGenerator(file: string): Promise<GgufGenerator> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama: Llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model: LlamaModel = await llama.loadModel({ modelPath: file });
  const context: LlamaContext = await model.createContext({
    contextSize: Math.min(256, model.trainContextSize),
    threads: 1,
    flashAttention: false,
    sequences: 1,
  });
  const sequence: LlamaContextSequence = context.getSequence();
  const bos = model.tokens.bos;
  if (bos === null) throw new Error(`${file}: the model has no BOS token`);
  return {
    async generate(prompt, options = {}) {
      const temperature = options.temperature ?? 0;
      const maxTokens = options.maxTokens ?? 48;
      await sequence.clearHistory();
      const input: Token[] = [bos, ...model.tokenize(prompt, false)];
      const out: Token[] = [];
      const sampling = temperature > 0 ? { temperature, seed: options.seed ?? 0, topK: 0, topP: 1, minP: 0 } : { temperature: 0 };
      for await (const token of sequence.evaluate(input, sampling)) {
        if (model.isEogToken(token)) break;
        out.push(token);
        if (out.length >= maxTokens) break;
      }
      return { text: model.detokenize(out), tokens: out.map(Number) };
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
