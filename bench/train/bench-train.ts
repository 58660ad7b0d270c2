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
 *
 * Rounds: this machine is shared and its speed drifts by up to 1.5x within minutes, so treecot and
 * torch + OpenBLAS run alternately, BENCH_ROUNDS times; each round gives its own ratio (treecot of
 * that round / the faster torch of that round) and the reported ratio is the MEDIAN of the rounds'
 * ratios, with their min and max beside it. Torch with the reference BLAS (not a target, and slow)
 * runs once after the rounds; its ratio uses treecot's median.
 * The last stdout line is one JSON object with every figure and the ratios treecot / torch.
 *
 * Options (env): BENCH_ROUNDS (default 3), BENCH_STEPS (timed steps per run, default 3), BENCH_WARMUP
 * (default 1), BENCH_CONFIGS (comma list, default "L2-d64,L2-d128"), BENCH_SKIP_TORCH=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, CharTokenizer, parseInitSpec, type StepRecord } from '../../src/train/index.ts';
import { benchBatches } from './batches.ts';
import { integerOption } from '../../src/cli/number-options.ts';
import { ensureTorchInstalled, pickOpenBlasCoreType, runTorch } from './torch-reference.ts';

const ROUNDS = integerOption(process.env.BENCH_ROUNDS ?? '3', 'BENCH_ROUNDS', 1);
const STEPS = integerOption(process.env.BENCH_STEPS ?? '3', 'BENCH_STEPS', 1);
const WARMUP = integerOption(process.env.BENCH_WARMUP ?? '1', 'BENCH_WARMUP', 0);
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
type Throughput = ReturnType<typeof throughput>;
type TreecotRun = Record<string, { params: number; sft: Throughput; dpo: Throughput }>;

/** One treecot run over every config: an SFT and a DPO training run of WARMUP + STEPS steps each. */
async function runTreecot(round: number): Promise<TreecotRun> {
  const out: TreecotRun = {};
  for (const spec of CONFIGS) {
    const init = `${spec}-h4-c128`;
    const common = { init, steps: WARMUP + STEPS, workers: 2, accum: 2, seed: 1, tokenizer };
    const sft = await train({ ...common, objective: 'sft', sftRows: batches.sft, batch: 16 });
    const dpo = await train({
      ...common,
      objective: 'dpo',
      preferenceRows: batches.preference,
      batch: 8,
      refCacheDir: join(scratch, `${spec}-${round}`),
    });
    out[spec] = { params: sft.model.parameterCount, sft: throughput(sft.records), dpo: throughput(dpo.records) };
  }
  return out;
}

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
/** The faster torch run's tokens/s for one figure; undefined when no run has it (e.g. BENCH_SKIP_TORCH). */
const bestOf = (runs: TorchRun[], spec: string, kind: 'sft' | 'dpo'): number | undefined => {
  const rates = runs.map((r) => r.configs?.[spec]?.[kind]?.realTokensPerSecond).filter((x): x is number => typeof x === 'number' && x > 0);
  return rates.length ? Math.max(...rates) : undefined;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round3 = (x: number): number => Number(x.toFixed(3));

const runTorchHere = process.env.BENCH_SKIP_TORCH !== '1';
let core: ReturnType<typeof pickOpenBlasCoreType> | undefined;
if (runTorchHere) {
  ensureTorchInstalled(say);
  core = pickOpenBlasCoreType(2);
  say(
    `OpenBLAS matmul 1024^2: ${core.autoGflops.toFixed(1)} GFLOP/s auto-detected${core.coreType ? `, ${core.tunedGflops!.toFixed(1)} with OPENBLAS_CORETYPE=${core.coreType}` : ''}`,
  );
}

interface Round {
  treecot: TreecotRun;
  torchOpenblas: TorchRun[];
  loadAverage1m: number;
}
const rounds: Round[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    const treecot = await runTreecot(r);
    const torchOpenblas: TorchRun[] = [];
    if (runTorchHere) {
      for (const threads of [1, 2]) {
        const run = runTorch({ ...torchSpec, threads }, 'openblas', core!.coreType);
        if (r === 0)
          say(`torch + OpenBLAS, ${threads} thread(s): ${run.matmulGflops.toFixed(1)} GFLOP/s, ${JSON.stringify(run.blasLibraries)}`);
        torchOpenblas.push(run);
      }
    }
    rounds.push({ treecot, torchOpenblas, loadAverage1m: loadavg()[0]! });
    for (const spec of CONFIGS) {
      const t = treecot[spec]!;
      const fig = (kind: 'sft' | 'dpo'): string => {
        const best = bestOf(torchOpenblas, spec, kind);
        return `${Math.round(t[kind].realTokensPerSecond)} tok/s${best ? ` (torch+OpenBLAS ${Math.round(best)}, ratio ${(t[kind].realTokensPerSecond / best).toFixed(2)})` : ''}`;
      };
      say(`round ${r + 1}/${ROUNDS} ${spec}: SFT ${fig('sft')}, DPO ${fig('dpo')}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const treecotPeakRssMb = process.resourceUsage().maxRSS / 1024;

const reference: TorchRun[] = [];
if (runTorchHere) {
  for (const threads of [1, 2]) {
    const run = runTorch({ ...torchSpec, threads }, 'reference');
    say(`torch + reference BLAS, ${threads} thread(s): ${run.matmulGflops.toFixed(1)} GFLOP/s, ${JSON.stringify(run.blasLibraries)}`);
    reference.push(run);
  }
}

/** Per-round ratios treecot / faster torch + OpenBLAS for one figure, and their median, min, max. */
function roundRatios(spec: string, kind: 'sft' | 'dpo'): { median: number; min: number; max: number; perRound: number[] } | null {
  const perRound = rounds.map((r) => {
    const best = bestOf(r.torchOpenblas, spec, kind);
    return best ? r.treecot[spec]![kind].realTokensPerSecond / best : NaN;
  });
  if (perRound.some(Number.isNaN)) return null;
  return { median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound), perRound: perRound.map(round3) };
}
const configs = Object.fromEntries(
  CONFIGS.map((spec) => {
    const med = (kind: 'sft' | 'dpo'): number => median(rounds.map((r) => r.treecot[spec]![kind].realTokensPerSecond));
    const torchMed = (kind: 'sft' | 'dpo'): number | null =>
      runTorchHere ? median(rounds.map((r) => bestOf(r.torchOpenblas, spec, kind)!)) : null;
    const ref = { sft: bestOf(reference, spec, 'sft'), dpo: bestOf(reference, spec, 'dpo') };
    const sft = roundRatios(spec, 'sft');
    const dpo = roundRatios(spec, 'dpo');
    return [
      spec,
      {
        params: rounds[0]!.treecot[spec]!.params,
        treecotSftTokensPerSecond: med('sft'),
        treecotDpoTokensPerSecond: med('dpo'),
        torchOpenblasSftTokensPerSecond: torchMed('sft'),
        torchOpenblasDpoTokensPerSecond: torchMed('dpo'),
        torchReferenceSftTokensPerSecond: ref.sft ?? null,
        torchReferenceDpoTokensPerSecond: ref.dpo ?? null,
        ratioSftVsOpenblas: sft?.median ?? null,
        ratioDpoVsOpenblas: dpo?.median ?? null,
        ratioSftVsOpenblasRange: sft ? [round3(sft.min), round3(sft.max)] : null,
        ratioDpoVsOpenblasRange: dpo ? [round3(dpo.min), round3(dpo.max)] : null,
        ratioSftVsReference: ref.sft ? med('sft') / ref.sft : null,
        ratioDpoVsReference: ref.dpo ? med('dpo') / ref.dpo : null,
        rounds: rounds.map((r) => ({
          treecot: r.treecot[spec],
          torchOpenblas: Object.fromEntries(r.torchOpenblas.map((t) => [`threads${t.threads}`, t.configs[spec]])),
          loadAverage1m: r.loadAverage1m,
        })),
        torchReference: runTorchHere ? Object.fromEntries(reference.map((t) => [`threads${t.threads}`, t.configs[spec]])) : null,
      },
    ];
  }),
);
const peak = (runs: TorchRun[]): number | null => (runs.length ? Math.max(...runs.map((r) => r.peakRssMb)) : null);
const openblasRuns = rounds.flatMap((r) => r.torchOpenblas);
console.log(
  JSON.stringify({
    bench: 'train',
    rounds: ROUNDS,
    steps: STEPS,
    warmup: WARMUP,
    workers: 2,
    torchThreads: [1, 2],
    ratioReference: 'median over rounds of (treecot / the faster of torch + OpenBLAS at 1 and at 2 threads) within each round',
    sequencesPerStep: 64,
    configs,
    peakRssMb: { treecot: treecotPeakRssMb, torchOpenblas: peak(openblasRuns), torchReference: peak(reference) },
    blas: runTorchHere
      ? {
          openblasCoreType: core!.coreType ?? 'auto',
          openblasAutoDetectedGflops: core!.autoGflops,
          openblasGflops: openblasRuns.map((r) => ({ threads: r.threads, gflops: r.matmulGflops })),
          referenceGflops: reference.map((r) => ({ threads: r.threads, gflops: r.matmulGflops })),
          openblasLibraries: openblasRuns[0]!.blasLibraries,
          referenceLibraries: reference[0]!.blasLibraries,
          torch: openblasRuns[0]!.torch,
        }
      : null,
    loadAverage: { before: loadBefore, after: loadavg() },
  }),
);
