/**
 * `npm run bench:train`: training throughput of treecot's trainer (tfjs WASM, 2 worker threads) next to
 * PyTorch on CPU with the same architecture, batch and sequence lengths (issue 5, "Speed").
 *
 * For L2 d64 (ffn 176) and L2 d128 (ffn 344), 4 heads, treecot's vocabulary: an SFT step on 64 built-in
 * rows and a DPO step on 32 pairs (64 sequences; reference log-probs are cached before the steps, as in
 * training). Tokens/s count real tokens (prompt + response, no padding). treecot buckets rows by length
 * (batch 16 x accum 2 x 2 workers, or 8 x 2 x 2 pairs); torch pads each batch of 64 to its longest row.
 * PyTorch runs with Debian's reference BLAS ("default Debian build without OpenBLAS") and with Debian's
 * OpenBLAS (see torch-reference.ts for the BLAS check and core-type fix), each at 1 and 2 threads; the
 * ratios use the faster torch run.
 * Peak memory: maxRSS of this process (main + workers) and of each python process.
 * The last stdout line is one JSON object with every figure and the ratios treecot / torch.
 *
 * Options (env): BENCH_STEPS (timed steps, default 3), BENCH_WARMUP (default 1), BENCH_CONFIGS
 * (comma list, default "L2-d64,L2-d128"), BENCH_SKIP_TORCH=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, CharTokenizer, parseInitSpec, type StepRecord } from '../../src/train/index.ts';
import { benchBatches } from './batches.ts';
import { ensureTorchInstalled, pickOpenBlasCoreType, runTorch } from './torch-reference.ts';

const STEPS = Number(process.env.BENCH_STEPS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const CONFIGS = (process.env.BENCH_CONFIGS ?? 'L2-d64,L2-d128').split(',');
const say = (line: string): void => console.log(`[bench:train] ${line}`);

/** Real tokens per second over the timed (post-warm-up) steps. */
function throughput(records: readonly StepRecord[]): { realTokensPerSecond: number; secondsPerStep: number; realTokensPerStep: number } {
  const timed = records.slice(WARMUP);
  let tokens = 0;
  let seconds = 0;
  let previous = records[WARMUP - 1]?.tokens ?? 0;
  for (const r of timed) {
    const real = r.tokens - previous;
    previous = r.tokens;
    tokens += real;
    seconds += real / r.tokens_per_s;
  }
  return { realTokensPerSecond: tokens / seconds, secondsPerStep: seconds / timed.length, realTokensPerStep: tokens / timed.length };
}

const tokenizer = new CharTokenizer();
const batches = benchBatches(tokenizer);
const scratch = mkdtempSync(join(tmpdir(), 'treecot-bench-train-'));
const loadBefore = loadavg();
const treecot: Record<string, { params: number; sft: ReturnType<typeof throughput>; dpo: ReturnType<typeof throughput> }> = {};
try {
  for (const spec of CONFIGS) {
    const init = `${spec}-h4-c128`;
    const common = { init, steps: WARMUP + STEPS, workers: 2, accum: 2, seed: 1, tokenizer };
    const sft = await train({ ...common, objective: 'sft', sftRows: batches.sft, batch: 16 });
    const dpo = await train({ ...common, objective: 'dpo', preferenceRows: batches.preference, batch: 8, refCacheDir: join(scratch, spec) });
    treecot[spec] = { params: sft.model.parameterCount, sft: throughput(sft.records), dpo: throughput(dpo.records) };
    say(`treecot ${spec}: SFT ${Math.round(treecot[spec]!.sft.realTokensPerSecond)} tok/s, DPO ${Math.round(treecot[spec]!.dpo.realTokensPerSecond)} tok/s`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const treecotPeakRssMb = process.resourceUsage().maxRSS / 1024;

const torchSpec = {
  threads: 2,
  steps: STEPS,
  warmup: WARMUP,
  configs: CONFIGS.map((spec) => {
    const c = parseInitSpec(`${spec}-h4-c128`, tokenizer.vocabSize);
    return { name: spec, layers: c.layers, d: c.dim, heads: c.heads, ffn: c.ffn, vocab: c.vocabSize };
  }),
  batches: batches.torch,
};
/**
 * PyTorch at 1 and at 2 threads (torch intra-op and BLAS threads alike): on a shared 2-core machine,
 * 2 OpenMP/OpenBLAS threads stall whenever another process holds a core, so either can be faster. The
 * ratios use the FASTER torch run per figure (the conservative comparison); both runs are reported.
 */
type TorchRun = Record<string, any>;
const bestOf = (runs: TorchRun[], spec: string, kind: 'sft' | 'dpo'): number | undefined =>
  Math.max(...runs.map((r) => r.configs?.[spec]?.[kind]?.realTokensPerSecond ?? 0)) || undefined;
let torch: { openblas?: TorchRun[]; reference?: TorchRun[]; openblasCoreType?: string; openblasAutoDetectedGflops?: number } = {};
if (process.env.BENCH_SKIP_TORCH !== '1') {
  ensureTorchInstalled(say);
  const core = pickOpenBlasCoreType(2);
  say(`OpenBLAS matmul 1024^2: ${core.autoGflops.toFixed(1)} GFLOP/s auto-detected${core.coreType ? `, ${core.tunedGflops!.toFixed(1)} with OPENBLAS_CORETYPE=${core.coreType}` : ''}`);
  torch = { openblas: [], reference: [], openblasCoreType: core.coreType ?? 'auto', openblasAutoDetectedGflops: core.autoGflops };
  for (const threads of [1, 2]) {
    const openblas = runTorch({ ...torchSpec, threads }, 'openblas', core.coreType);
    say(`torch + OpenBLAS, ${threads} thread(s): ${openblas.matmulGflops.toFixed(1)} GFLOP/s, ${JSON.stringify(openblas.blasLibraries)}`);
    const reference = runTorch({ ...torchSpec, threads }, 'reference');
    say(`torch + reference BLAS, ${threads} thread(s): ${reference.matmulGflops.toFixed(1)} GFLOP/s, ${JSON.stringify(reference.blasLibraries)}`);
    torch.openblas!.push(openblas);
    torch.reference!.push(reference);
  }
}

const ratio = (a: number, b: number | undefined): number | null => (b ? a / b : null);
const figures = (runs: TorchRun[] | undefined, spec: string): Record<string, unknown> | null =>
  runs ? Object.fromEntries(runs.map((r) => [`threads${r.threads}`, r.configs[spec]])) : null;
const configs = Object.fromEntries(
  CONFIGS.map((spec) => {
    const t = treecot[spec]!;
    const ob = { sft: bestOf(torch.openblas ?? [], spec, 'sft'), dpo: bestOf(torch.openblas ?? [], spec, 'dpo') };
    const ref = { sft: bestOf(torch.reference ?? [], spec, 'sft'), dpo: bestOf(torch.reference ?? [], spec, 'dpo') };
    return [
      spec,
      {
        params: t.params,
        treecotSftTokensPerSecond: t.sft.realTokensPerSecond,
        treecotDpoTokensPerSecond: t.dpo.realTokensPerSecond,
        torchOpenblasSftTokensPerSecond: ob.sft ?? null,
        torchOpenblasDpoTokensPerSecond: ob.dpo ?? null,
        torchReferenceSftTokensPerSecond: ref.sft ?? null,
        torchReferenceDpoTokensPerSecond: ref.dpo ?? null,
        ratioSftVsOpenblas: ratio(t.sft.realTokensPerSecond, ob.sft),
        ratioDpoVsOpenblas: ratio(t.dpo.realTokensPerSecond, ob.dpo),
        ratioSftVsReference: ratio(t.sft.realTokensPerSecond, ref.sft),
        ratioDpoVsReference: ratio(t.dpo.realTokensPerSecond, ref.dpo),
        treecot: t,
        torchOpenblas: figures(torch.openblas, spec),
        torchReference: figures(torch.reference, spec),
      },
    ];
  }),
);
const peak = (runs: TorchRun[] | undefined): number | null => (runs ? Math.max(...runs.map((r) => r.peakRssMb)) : null);
console.log(
  JSON.stringify({
    bench: 'train',
    steps: STEPS,
    warmup: WARMUP,
    workers: 2,
    torchThreads: [1, 2],
    ratioReference: 'the faster of torch at 1 and at 2 threads, per figure',
    sequencesPerStep: 64,
    configs,
    peakRssMb: { treecot: treecotPeakRssMb, torchOpenblas: peak(torch.openblas), torchReference: peak(torch.reference) },
    blas: torch.openblas
      ? {
          openblasCoreType: torch.openblasCoreType,
          openblasAutoDetectedGflops: torch.openblasAutoDetectedGflops,
          openblasGflops: torch.openblas.map((r) => ({ threads: r.threads, gflops: r.matmulGflops })),
          referenceGflops: torch.reference!.map((r) => ({ threads: r.threads, gflops: r.matmulGflops })),
          openblasLibraries: torch.openblas[0]!.blasLibraries,
          referenceLibraries: torch.reference![0]!.blasLibraries,
          torch: torch.openblas[0]!.torch,
        }
      : null,
    loadAverage: { before: loadBefore, after: loadavg() },
  }),
);
