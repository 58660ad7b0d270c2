/**
 * Runs bench/train/torch_bench.py (PyTorch CPU, the benchmark's reference; never a runtime dependency)
 * under a chosen BLAS, installing Debian's python3-torch, libopenblas0-pthread and libblas3 when missing.
 *
 * BLAS variants (each selected for one process through LD_LIBRARY_PATH):
 * - `reference`: Debian's reference BLAS (libblas3), the "default Debian build without OpenBLAS";
 * - `openblas`: Debian's OpenBLAS (pthread). OpenBLAS 0.3.21 (bookworm) does not know this CPU model and
 *   falls back to its Prescott kernels (~6-13 GFLOP/s here); when the auto-detected kernels are that
 *   slow, the run sets OPENBLAS_CORETYPE to SkylakeX (AVX-512) or Haswell (AVX2) from /proc/cpuinfo.
 * The 1024x1024 matmul check (GFLOP/s) and the shared objects the process loaded are reported.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('./torch_bench.py', import.meta.url).pathname;
const LIB = '/usr/lib/x86_64-linux-gnu';

export type BlasVariant = 'reference' | 'openblas';

/** Install the Debian packages the reference needs, if missing (apt-get; takes minutes the first time). */
export function ensureTorchInstalled(log: (line: string) => void): void {
  const missing: string[] = [];
  if (spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) missing.push('python3-torch');
  if (!existsSync(`${LIB}/openblas-pthread/libblas.so.3`)) missing.push('libopenblas0-pthread');
  if (!existsSync(`${LIB}/blas/libblas.so.3`)) missing.push('libblas3', 'liblapack3');
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} with apt-get (benchmark reference only)`);
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function envFor(variant: BlasVariant, threads: number, coreType?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  env.LD_LIBRARY_PATH = variant === 'reference' ? `${LIB}/blas:${LIB}/lapack` : `${LIB}/openblas-pthread`;
  if (coreType) env.OPENBLAS_CORETYPE = coreType;
  return env;
}

/** Run torch_bench.py with `spec` under `variant`; returns its JSON result. */
export function runTorch(spec: Record<string, unknown>, variant: BlasVariant, coreType?: string): Record<string, any> {
  const file = join(tmpdir(), `treecot-bench-torch-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const out = execFileSync(PYTHON, [SCRIPT, file], {
    env: envFor(variant, Number(spec.threads), coreType),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/**
 * The OPENBLAS_CORETYPE that makes OpenBLAS fast here, or undefined when its own detection already is
 * (>= 50 GFLOP/s on the matmul check). Returns the matmul figures of both tries.
 */
export function pickOpenBlasCoreType(threads: number): { coreType?: string; autoGflops: number; tunedGflops?: number } {
  const auto = runTorch({ threads, matmulOnly: true }, 'openblas');
  if (auto.matmulGflops >= 50) return { autoGflops: auto.matmulGflops };
  const flags = readFileSync('/proc/cpuinfo', 'utf8');
  const coreType = /\bavx512f\b/.test(flags) ? 'SkylakeX' : /\bavx2\b/.test(flags) ? 'Haswell' : undefined;
  if (!coreType) return { autoGflops: auto.matmulGflops };
  const tuned = runTorch({ threads, matmulOnly: true }, 'openblas', coreType);
  return tuned.matmulGflops > auto.matmulGflops
    ? { coreType, autoGflops: auto.matmulGflops, tunedGflops: tuned.matmulGflops }
    : { autoGflops: auto.matmulGflops };
}
