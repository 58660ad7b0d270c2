/**
 * `npm run bench:train`: training throughput of treecot's trainer (tfjs WASM, 2 worker threads) next to
 * PyTorch on CPU with the same architecture, batch and sequence lengths (issue 5, "Speed").
 *
 * For L2 d64 (ffn 176) and L2 d128 (ffn 344), 4 heads, treecot's vocabulary: an SFT step on 64 built-in
 * rows and a DPO step on 32 pairs (64 sequences; reference log-probs are cached before the steps, as in
 * training). Tokens/s count real tokens (prompt + response, no padding). treecot buckets rows by length
 * (batch 16 x accum 2 x 2 workers, or 8 x 2 x 2 pairs); torch pads each batch of 64 to its longest row.
 * PyTorch runs twice, both with 2 threads: with Debian's reference BLAS ("default Debian build without
 * OpenBLAS") and with Debian's OpenBLAS (see torch-reference.ts for the BLAS check and core-type fix).
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
let torch: Record<string, any> = {};
if (process.env.BENCH_SKIP_TORCH !== '1') {
  ensureTorchInstalled(say);
  const core = pickOpenBlasCoreType(2);
  say(`OpenBLAS matmul 1024^2: ${core.autoGflops.toFixed(1)} GFLOP/s auto-detected${core.coreType ? `, ${core.tunedGflops!.toFixed(1)} with OPENBLAS_CORETYPE=${core.coreType}` : ''}`);
  const openblas = runTorch(torchSpec, 'openblas', core.coreType);
  say(`torch + OpenBLAS: ${openblas.matmulGflops.toFixed(1)} GFLOP/s, ${JSON.stringify(openblas.blasLibraries)}`);
  const reference = runTorch(torchSpec, 'reference');
  say(`torch + reference BLAS: ${reference.matmulGflops.toFixed(1)} GFLOP/s, ${JSON.stringify(reference.blasLibraries)}`);
  torch = { openblas: { ...openblas, openblasCoreType: core.coreType ?? 'auto', autoDetectedGflops: core.autoGflops }, reference };
}

const ratio = (a: number, b: number | undefined): number | null => (b ? a / b : null);
const configs = Object.fromEntries(
  CONFIGS.map((spec) => {
    const t = treecot[spec]!;
    const ob = torch.openblas?.configs?.[spec];
    const ref = torch.reference?.configs?.[spec];
    return [
      spec,
      {
        params: t.params,
        treecotSftTokensPerSecond: t.sft.realTokensPerSecond,
        treecotDpoTokensPerSecond: t.dpo.realTokensPerSecond,
        torchOpenblasSftTokensPerSecond: ob?.sft.realTokensPerSecond ?? null,
        torchOpenblasDpoTokensPerSecond: ob?.dpo.realTokensPerSecond ?? null,
        torchReferenceSftTokensPerSecond: ref?.sft.realTokensPerSecond ?? null,
        torchReferenceDpoTokensPerSecond: ref?.dpo.realTokensPerSecond ?? null,
        ratioSftVsOpenblas: ratio(t.sft.realTokensPerSecond, ob?.sft.realTokensPerSecond),
        ratioDpoVsOpenblas: ratio(t.dpo.realTokensPerSecond, ob?.dpo.realTokensPerSecond),
        ratioSftVsReference: ratio(t.sft.realTokensPerSecond, ref?.sft.realTokensPerSecond),
        ratioDpoVsReference: ratio(t.dpo.realTokensPerSecond, ref?.dpo.realTokensPerSecond),
        treecot: t,
        torchOpenblas: ob ?? null,
        torchReference: ref ?? null,
      },
    ];
  }),
);
console.log(
  JSON.stringify({
    bench: 'train',
    steps: STEPS,
    warmup: WARMUP,
    workers: 2,
    torchThreads: 2,
    sequencesPerStep: 64,
    configs,
    peakRssMb: { treecot: treecotPeakRssMb, torchOpenblas: torch.openblas?.peakRssMb ?? null, torchReference: torch.reference?.peakRssMb ?? null },
    blas: torch.openblas ? { openblasGflops: torch.openblas.matmulGflops, openblasCoreType: torch.openblas.openblasCoreType, openblasAutoDetectedGflops: torch.openblas.autoDetectedGflops, referenceGflops: torch.reference.matmulGflops, openblasLibraries: torch.openblas.blasLibraries, referenceLibraries: torch.reference.blasLibraries, torch: torch.openblas.torch } : null,
    loadAverage: { before: loadBefore, after: loadavg() },
  }),
);
