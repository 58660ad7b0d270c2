/**
 * Benchmark (b) of issue 3: throughput of the OpenAI-compatible policy against the loopback server
 * with 50 ms latency, at 1, 8, 64 and 256 requests in flight. Ideal requests/s = in-flight / latency;
 * we report achieved / ideal (target >= 0.9 at 64 and 256). The server runs in a child process so
 * it does not share the client's event loop.
 *
 * Also reported per level: client and server CPU per request, the client's CPU share of one core,
 * the client's event-loop delay and the 1-minute load average, so a shortfall can be attributed
 * (our CPU cost vs. a machine busy with other work).
 *
 * Each level: `in_flight` workers each call `doComplete` (n = 1, no fan-out, retries on) in a loop for
 * `seconds`, after a short warm-up that opens the connections; that window is measured `--repeats`
 * times (default 3) and the level reports the MEDIAN share of ideal with the min and max beside it
 * (this machine is shared, and one window can land on a busy second; for an even count, the upper of
 * the two middle windows). Every window is in `windows`.
 *
 *   npm run bench:search:http            # prints one JSON line
 *   npm run bench:search:http -- --seconds 5 --latency 50 --levels 1,8,64,256 --repeats 5 --transport sdk
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createOpenAICompatiblePolicy } from '../../src/policy/index.ts';
import type { CompleteOptions, Policy } from '../../src/policy/types.ts';
import type { Transport } from '../../src/policy/index.ts';
import { integerOption, numberOption } from '../../src/cli/number-options.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    latency: { type: 'string', default: '50' },
    levels: { type: 'string', default: '1,8,64,256' },
    repeats: { type: 'string', default: '3' },
    transport: { type: 'string', default: 'node-http' },
  },
});
const seconds = numberOption(values.seconds!, '--seconds', 0.1);
const latencyMs = numberOption(values.latency!, '--latency', 1);
const levels = values.levels!.split(',').map((level) => integerOption(level, '--levels', 1));
const repeats = integerOption(values.repeats!, '--repeats', 1);
const transport = values.transport as Transport;

function startServer(): Promise<{ child: ChildProcess; baseURL: string }> {
  const child = fork(fileURLToPath(new URL('./http-server-child.ts', import.meta.url)), [JSON.stringify({ latencyMs })], {
    execArgv: ['--import', 'tsx'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, baseURL: (m as { baseURL: string }).baseURL }));
    child.once('error', reject);
  });
}

function serverStats(child: ChildProcess): Promise<{ requests: number; maxInFlight: number; cpuUs: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as { requests: number; maxInFlight: number; cpuUs: number }));
    child.send('stats');
  });
}

const call: CompleteOptions = {
  prompt: { instruction: 'Count the letters. ', question: 'How many r in "strawberry"?', assistantPrefix: '<thinking>' },
  n: 1,
  stop: ['</thinking>'],
  maxTokens: 32,
  temperature: 1,
  topP: 1,
};

async function drive(policy: Policy, inFlight: number, durationMs: number): Promise<number> {
  const end = performance.now() + durationMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await policy.doComplete(call);
        done++;
      }
    }),
  );
  return done;
}

/** One measured window at `inFlight`: throughput, CPU per request on both sides, event-loop delay. */
async function measure(policy: Policy, inFlight: number) {
  child.send('reset');
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const requests = await drive(policy, inFlight, seconds * 1000);
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  delay.disable();
  const stats = await serverStats(child);
  const rps = requests / elapsed;
  const ideal = inFlight / (latencyMs / 1000);
  return {
    requests,
    seconds: Number(elapsed.toFixed(3)),
    requests_per_s: Number(rps.toFixed(1)),
    share_of_ideal: Number((rps / ideal).toFixed(3)),
    server_max_in_flight: stats.maxInFlight,
    client_cpu_us_per_request: Math.round((cpu.user + cpu.system) / requests),
    client_cpu_share_of_one_core: Number(((cpu.user + cpu.system) / 1e6 / elapsed).toFixed(3)),
    event_loop_delay_p50_ms: Number((delay.percentile(50) / 1e6).toFixed(2)),
    event_loop_delay_p99_ms: Number((delay.percentile(99) / 1e6).toFixed(2)),
    server_cpu_us_per_request: Math.round(stats.cpuUs / Math.max(1, stats.requests)),
    load_average_1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

const { child, baseURL } = await startServer();
const results = [];
try {
  for (const inFlight of levels) {
    const policy = await createOpenAICompatiblePolicy({
      endpoints: [baseURL],
      model: 'test-model',
      template: 'chatml',
      probe: false,
      timeoutMs: 30_000,
      transport,
    });
    await drive(policy, inFlight, Math.max(300, latencyMs * 4)); // warm-up: open connections, JIT
    const windows = [];
    for (let r = 0; r < repeats; r++) windows.push(await measure(policy, inFlight));
    const byShare = [...windows].sort((a, b) => a.share_of_ideal - b.share_of_ideal);
    const mid = byShare[byShare.length >> 1]!; // the median window (upper median for an even count)
    results.push({
      in_flight: inFlight,
      ideal_requests_per_s: inFlight / (latencyMs / 1000),
      share_of_ideal: mid.share_of_ideal,
      share_of_ideal_min: byShare[0]!.share_of_ideal,
      share_of_ideal_max: byShare.at(-1)!.share_of_ideal,
      requests_per_s: mid.requests_per_s,
      client_cpu_us_per_request: mid.client_cpu_us_per_request,
      server_cpu_us_per_request: mid.server_cpu_us_per_request,
      errors: policy.stats()[0]!.errors,
      windows,
    });
  }
} finally {
  child.disconnect();
}
console.log(
  JSON.stringify({
    bench: 'search-http',
    latency_ms: latencyMs,
    seconds_per_window: seconds,
    repeats,
    transport,
    node: process.version,
    cpus: cpus().length,
    results,
  }),
);
