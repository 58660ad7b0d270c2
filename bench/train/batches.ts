/**
 * The benchmark's fixed batches: 64 SFT rows and 32 preference pairs (64 sequences) of built-in-model
 * letter-counting data, the same token ids for treecot and for PyTorch. A rejected response is the
 * chosen one with its last count step, double-check and answer off by one (a miscount), so the pair
 * shares a real prefix, as search pairs do.
 */
import { buildBuiltinRows } from '../../src/train/builtin/index.ts';
import { BOS_ID, EOS_ID, CharTokenizer } from '../../src/train/index.ts';
import type { PreferenceRow, SftRow } from '../../src/train/batching.ts';

/** Miscount version of a compact letter-count response. */
export function miscount(completion: string): string {
  const steps = [...completion.matchAll(/<thinking>([a-z]):(\d+)<\/thinking>/g)];
  const last = steps.at(-1)!;
  const wrong = Number(last[2]) + 1;
  let out = completion.slice(0, last.index) + `<thinking>${last[1]}:${wrong}</thinking>` + completion.slice(last.index! + last[0].length);
  out = out.replace(
    /<double-check>(\d+)\+(\d+)=(\d+)<\/double-check>/,
    (_, a, b, s) => `<double-check>${a}+${Number(b) + 1}=${Number(s) + 1}</double-check>`,
  );
  return out.replace(/<answer>(\d+)<\/answer>/, (_, n) => `<answer>${Number(n) + 1}</answer>`);
}

export interface BenchBatches {
  sft: SftRow[];
  preference: PreferenceRow[];
  /** Token ids for torch_bench.py: BOS + prompt + completion + EOS, and prompt lengths (BOS included). */
  torch: {
    sft: { ids: number[][]; promptLens: number[] };
    dpo: { chosen: number[][]; rejected: number[][]; promptLens: number[] };
  };
}

export function benchBatches(tokenizer: CharTokenizer, seed = 1): BenchBatches {
  const rows = buildBuiltinRows({ count: 400, seed, arithmeticShare: 0 });
  const sft = rows.slice(0, 64).map(({ prompt, completion }) => ({ prompt, completion }));
  const preference = rows.slice(64, 96).map(({ prompt, completion }) => {
    const rejected = miscount(completion);
    let common = 0;
    while (completion[common] === rejected[common]) common++;
    return { prompt, chosen: completion, rejected, common_prefix_chars: common };
  });
  const seq = (prompt: string, response: string): number[] => [BOS_ID, ...tokenizer.encode(prompt), ...tokenizer.encode(response), EOS_ID];
  const promptLen = (prompt: string): number => 1 + tokenizer.encode(prompt).length;
  return {
    sft,
    preference,
    torch: {
      sft: { ids: sft.map((r) => seq(r.prompt, r.completion)), promptLens: sft.map((r) => promptLen(r.prompt)) },
      dpo: {
        chosen: preference.map((r) => seq(r.prompt, r.chosen)),
        rejected: preference.map((r) => seq(r.prompt, r.rejected)),
        promptLens: preference.map((r) => promptLen(r.prompt)),
      },
    },
  };
}
