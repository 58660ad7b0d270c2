/**
 * Soak benchmark (issue 15): grow one search database towards `--nodes` nodes with the real
 * `treecot search` CLI against the loopback OpenAI server with `--fault-rate` injected faults
 * (500, 429, stalls, resets, invalid JSON, HTTP 200 with `choices: []`), kill it with SIGKILL part
 * way, resume it, and check the store and the view on the result. Not part of `npm test`.
 *
 *   npm run bench:soak                                   # 7 + 1.5 minutes (about 9.5 with the checks), aim 1,000,000 nodes
 *   npm run bench:soak -- --minutes 3 --nodes 200000 --concurrency 32 --fault-rate 0.2 --max-rollouts 400 --copies 4
 *
 * Questions: the 500 letter-count problems, `--copies` times (distinct ids); each question stops
 * after `--max-rollouts` rollouts (solved or not), so questions keep finishing and new ones start.
 *
 * Sampled every `--sample-s` seconds (stderr, and in the final JSON): nodes, nodes/s over the
 * window, the search process's RSS and open file descriptors (/proc), the server's RSS, requests
 * and faults, the 1-minute load average; and every 30 s the time of the view's questions page
 * (GET /api/questions?limit=100, a view server started here on the live database).
 *
 * Checks at the end (final JSON, `ok` only when all hold): no node committed before the kill is
 * lost or changed; no duplicate siblings (same parent, type and text; reflections excepted); no
 * orphan (a parent missing or of another question); no rollout whose leaf is missing; visit
 * counts and Q-value sums equal a recount from the rollouts; the resumed process added nodes;
 * `readRun` numbers every question; the questions page answered within `--api-bound-ms`; and,
 * after the same search without faults for `--fault-free-minutes` (0: skip) into another file,
 * every question finished in both runs has a byte-identical tree (per-question ids).
 * Prints one JSON line on stdout.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { integerOption, numberOption } from '../../src/cli/number-options.ts';
import { exportTree } from '../../src/search/index.ts';
import { readRun, SearchStore } from '../../src/store/index.ts';
import { startViewServer, type ViewServer } from '../../src/view/index.ts';
import { LETTER_COUNT_DATA } from '../../test/search/helpers.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '7' },
    nodes: { type: 'string', default: '1000000' },
    'fault-rate': { type: 'string', default: '0.2' },
    concurrency: { type: 'string', default: '64' },
    'max-rollouts': { type: 'string', default: '400' },
    copies: { type: 'string', default: '4' },
    'kill-at': { type: 'string', default: '0.4' },
    'sample-s': { type: 'string', default: '5' },
    'api-bound-ms': { type: 'string', default: '2000' },
    'fault-free-minutes': { type: 'string', default: '1.5' },
    seed: { type: 'string', default: '1' },
  },
});
const budgetMs = numberOption(values.minutes!, '--minutes', 0.1) * 60_000;
const targetNodes = integerOption(values.nodes!, '--nodes', 1);
const faultRate = numberOption(values['fault-rate']!, '--fault-rate', 0);
const concurrency = integerOption(values.concurrency!, '--concurrency', 1);
const maxRollouts = integerOption(values['max-rollouts']!, '--max-rollouts', 1);
const killAt = numberOption(values['kill-at']!, '--kill-at', 0);
const sampleMs = numberOption(values['sample-s']!, '--sample-s', 0.5) * 1000;
const apiBoundMs = numberOption(values['api-bound-ms']!, '--api-bound-ms', 1);
const seed = integerOption(values.seed!, '--seed', 0);
const copies = integerOption(values.copies!, '--copies', 1);
const faultFreeMs = numberOption(values['fault-free-minutes']!, '--fault-free-minutes', 0) * 60_000;

const BIN = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'treecot-soak-'));
const db = join(dir, 'soak.db');
// Questions: the 500 letter-count problems, `--copies` times under distinct ids, so enough questions
// finish (and leave memory) for RSS over the run to say something.
const problems = JSON.parse(readFileSync(LETTER_COUNT_DATA, 'utf8')) as { id: string }[];
const data = join(dir, 'questions.json');
writeFileSync(data, JSON.stringify(Array.from({ length: copies }, (_, c) => problems.map((p) => ({ ...p, id: `${p.id}-c${c}` }))).flat()));
// The letter-count config whose stop rule is `--max-rollouts` per question, solved or not
// (thresholds [1, R] and give_up_factor 1: solved with one correct rollout, else given up, at R).
const config = join(dir, 'soak.yaml');
writeFileSync(
  config,
  readFileSync(fileURLToPath(new URL('../../configs/letter-count.yaml', import.meta.url)), 'utf8')
    .replace('max_rollouts: 32', `max_rollouts: ${maxRollouts}`)
    .replace('reward_thresholds: [4, 8]', `reward_thresholds: [1, ${maxRollouts}]`)
    .replace('give_up_factor: 4', 'give_up_factor: 1')
    .replace('max_tokens: 512', 'max_tokens: 64'),
);

function startServer(failureRate: number): Promise<{ child: ChildProcess; baseURL: string }> {
  const child = fork(
    fileURLToPath(new URL('./soak-server-child.ts', import.meta.url)),
    [JSON.stringify({ failureRate, stallMs: 200, seed })],
    {
      execArgv: ['--import', 'tsx'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, baseURL: (m as { baseURL: string }).baseURL }));
    child.once('error', reject);
  });
}

function serverStats(child: ChildProcess): Promise<{ requests: number; failures: number; rssBytes: number }> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as { requests: number; failures: number; rssBytes: number }));
    child.send('stats');
  });
}

/** RSS (MiB) and open file descriptors of a live process, from /proc. */
function processUsage(pid: number): { rssMb: number; fds: number } | null {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { rssMb: rss ? Math.round(Number(rss[1]) / 1024) : -1, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return null;
  }
}

const { child: server, baseURL } = await startServer(faultRate);
const searchArgsFor = (out: string, url: string) => [
  BIN,
  'search',
  '--config',
  config,
  '--task',
  'letter-count',
  '--data',
  data,
  '--out',
  out,
  '--policy',
  url,
  '--model',
  'test-model',
  '--template',
  'chatml',
  '--concurrency',
  String(concurrency),
  '--timeout-ms',
  '2000',
  '--no-progress',
];

interface Sample {
  t_s: number;
  phase: number;
  nodes: number;
  nodes_per_s: number;
  search_rss_mb: number | null;
  search_fds: number | null;
  server_rss_mb: number;
  requests: number;
  faults: number;
  load_1m: number;
}
const samples: Sample[] = [];
const apiTimes: { t_s: number; nodes: number; questions_page_ms: number }[] = [];
const started = Date.now();
let reader: Database.Database | null = null;
let view: ViewServer | null = null;

function nodeCount(): number {
  if (!reader) {
    if (!existsSync(db)) return 0;
    reader = new Database(db, { readonly: true, fileMustExist: true });
  }
  try {
    return (reader.prepare('SELECT COUNT(*) AS n FROM nodes').get() as { n: number }).n;
  } catch {
    return samples.at(-1)?.nodes ?? 0; // the schema is not there yet
  }
}

async function timeQuestionsPage(): Promise<number> {
  view ??= await startViewServer({ target: db, reviewer: 'soak' });
  const t0 = performance.now();
  const response = await fetch(`${view.url}api/questions?limit=100`);
  if (response.status !== 200) throw new Error(`questions page: HTTP ${response.status}: ${await response.text()}`);
  await response.json();
  return performance.now() - t0;
}

/** Run one search process until `stop()` says so (then SIGKILL or SIGTERM) or it exits by itself. */
async function runPhase(
  phase: number,
  stop: (nodes: number, elapsedMs: number) => boolean,
  signal: NodeJS.Signals,
): Promise<{ exitedBySelf: boolean; stderrTail: string }> {
  const child = spawn(process.execPath, searchArgsFor(db, baseURL), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let exitedBySelf = true;
  let last = { t: Date.now(), nodes: nodeCount() };
  let lastApi = 0;
  for (;;) {
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), sampleMs))]);
    const nodes = nodeCount();
    const now = Date.now();
    const usage = child.pid && !done ? processUsage(child.pid) : null;
    const stats = await serverStats(server);
    const sample: Sample = {
      t_s: Math.round((now - started) / 100) / 10,
      phase,
      nodes,
      nodes_per_s: Math.round(((nodes - last.nodes) / Math.max(1, now - last.t)) * 1000),
      search_rss_mb: usage?.rssMb ?? null,
      search_fds: usage?.fds ?? null,
      server_rss_mb: Math.round(stats.rssBytes / 2 ** 20),
      requests: stats.requests,
      faults: stats.failures,
      load_1m: Number(loadavg()[0]!.toFixed(2)),
    };
    samples.push(sample);
    process.stderr.write(`${JSON.stringify(sample)}\n`);
    last = { t: now, nodes };
    if (done) break;
    if (nodes > 0 && now - lastApi >= 30_000) {
      lastApi = now;
      apiTimes.push({ t_s: sample.t_s, nodes, questions_page_ms: Math.round(await timeQuestionsPage()) });
      process.stderr.write(`${JSON.stringify(apiTimes.at(-1))}\n`);
    }
    if (stop(nodes, now - started)) {
      exitedBySelf = false;
      child.kill(signal);
      await exited;
      break;
    }
  }
  return { exitedBySelf, stderrTail: stderr.slice(-800) };
}

/** Every node as (id -> hash of its parent, question, type and text). */
function snapshot(): Map<number, string> {
  const map = new Map<number, string>();
  const source = new Database(db, { readonly: true });
  for (const row of source.prepare('SELECT id, parent_id, question_id, type, content FROM nodes').iterate() as Iterable<{
    id: number;
    parent_id: number | null;
    question_id: string;
    type: string;
    content: string;
  }>)
    map.set(row.id, createHash('sha1').update(`${row.parent_id}|${row.question_id}|${row.type}|${row.content}`).digest('base64'));
  source.close();
  return map;
}

// Phase 1: until `--kill-at` of the budget (or of the node target), then SIGKILL.
const first = await runPhase(1, (nodes, elapsed) => elapsed >= killAt * budgetMs || nodes >= killAt * targetNodes, 'SIGKILL');
const committed = snapshot();
const killedAt = { t_s: (Date.now() - started) / 1000, nodes: committed.size };
// Phase 2: resume until the budget or the node target, then stop cleanly (SIGTERM).
const second = await runPhase(2, (nodes, elapsed) => elapsed >= budgetMs || nodes >= targetNodes, 'SIGTERM');
const wallS = (Date.now() - started) / 1000;

// Checks.
const after = snapshot();
let lost = 0;
for (const [id, hash] of committed) if (after.get(id) !== hash) lost++;
const check = new Database(db, { readonly: true });
const count = (sql: string) => (check.prepare(sql).get() as { n: number }).n;
const duplicates = count(
  `SELECT COUNT(*) AS n FROM (SELECT 1 FROM nodes WHERE parent_id IS NOT NULL AND type != 'reflection'
     GROUP BY run_id, question_id, parent_id, type, content HAVING COUNT(*) > 1)`,
);
const orphans = count(
  `SELECT COUNT(*) AS n FROM nodes n WHERE n.parent_id IS NOT NULL AND NOT EXISTS
     (SELECT 1 FROM nodes p WHERE p.id = n.parent_id AND p.run_id = n.run_id AND p.question_id = n.question_id)`,
);
const rolloutsWithoutLeaf = count('SELECT COUNT(*) AS n FROM rollouts r WHERE NOT EXISTS (SELECT 1 FROM nodes WHERE id = r.leaf_id)');
const byStatus = Object.fromEntries(
  (check.prepare('SELECT status, COUNT(*) AS n FROM questions GROUP BY status').all() as { status: string; n: number }[]).map((r) => [
    r.status,
    r.n,
  ]),
);
const rollouts = count('SELECT COUNT(*) AS n FROM rollouts');
check.close();
(reader as Database.Database | null)?.close();
let countsFixed = 0;
const store = SearchStore.open(db);
const runId = store.latestRun()!.run_id;
for (const q of store.questions(runId)) countsFixed += store.rebuildCounts(runId, q.question_id);
store.close();
const readStarted = performance.now();
const perQuestion = readRun(db).questions;
const readRunMs = Math.round(performance.now() - readStarted);
const numbered = perQuestion.every((q) => q.nodes.every((n, i) => n.id === i));
const coldApi = Math.round(await timeQuestionsPage());
const warmApi = Math.round(await timeQuestionsPage());
const biggest = perQuestion.reduce((a, b) => (b.nodes.length > a.nodes.length ? b : a));
const t0 = performance.now();
const tree = await fetch(`${view!.url}api/question?id=${encodeURIComponent(biggest.questionId)}`);
await tree.json();
const treeMs = Math.round(performance.now() - t0);
await (view as ViewServer | null)?.close();
server.disconnect();

// The same search without faults, into another file: every question that finished in both runs
// must have a byte-identical tree (per-question ids), whatever the faults and the kill did.
let faultFree: { minutes: number; nodes: number; finished_in_both: number; identical: number; differing: string[] } | null = null;
if (faultFreeMs > 0) {
  const clean = await startServer(0);
  const cleanDb = join(dir, 'fault-free.db');
  const child = spawn(process.execPath, searchArgsFor(cleanDb, clean.baseURL), { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGTERM'), faultFreeMs);
  await exited;
  clearTimeout(timer);
  clean.child.disconnect();
  const done = (q: { status: string }) => q.status === 'solved' || q.status === 'gave_up';
  const reference = new Map(
    readRun(cleanDb)
      .questions.filter(done)
      .map((q) => [q.questionId, JSON.stringify(exportTree(q))]),
  );
  const both = perQuestion.filter((q) => done(q) && reference.has(q.questionId));
  const differing = both.filter((q) => JSON.stringify(exportTree(q)) !== reference.get(q.questionId)).map((q) => q.questionId);
  faultFree = {
    minutes: faultFreeMs / 60_000,
    nodes: readRun(cleanDb).questions.reduce((n, q) => n + q.nodes.length, 0),
    finished_in_both: both.length,
    identical: both.length - differing.length,
    differing: differing.slice(0, 10),
  };
  process.stderr.write(`${JSON.stringify({ fault_free: faultFree })}\n`);
}

const phase1 = samples.filter((s) => s.phase === 1 && s.nodes_per_s > 0);
const phase2 = samples.filter((s) => s.phase === 2 && s.nodes_per_s > 0);
const apiMax = Math.max(...apiTimes.map((a) => a.questions_page_ms), coldApi, warmApi);
const resumed = after.size > committed.size;
const result = {
  ok:
    lost === 0 &&
    duplicates === 0 &&
    orphans === 0 &&
    rolloutsWithoutLeaf === 0 &&
    countsFixed === 0 &&
    resumed &&
    numbered &&
    apiMax <= apiBoundMs &&
    (faultFree === null || (faultFree.finished_in_both > 0 && faultFree.differing.length === 0)),
  nodes: after.size,
  target_nodes: targetNodes,
  reached_target: after.size >= targetNodes,
  wall_s: Number(wallS.toFixed(1)),
  nodes_per_s_overall: Math.round(after.size / wallS),
  nodes_per_s_first_samples: phase1.slice(0, 3).map((s) => s.nodes_per_s),
  nodes_per_s_last_samples: phase2.slice(-3).map((s) => s.nodes_per_s),
  killed_at: killedAt,
  phase1_exited_by_itself: first.exitedBySelf,
  phase2_exited_by_itself: second.exitedBySelf,
  rollouts,
  questions_by_status: byStatus,
  checks: {
    lost_nodes: lost,
    duplicate_siblings: duplicates,
    orphans,
    rollouts_without_leaf: rolloutsWithoutLeaf,
    visit_counts_fixed: countsFixed,
    resumed_added_nodes: after.size - committed.size,
    read_run_per_question_ids: numbered,
  },
  view: {
    questions_page_ms_during_search: apiTimes,
    questions_page_ms_cold_end: coldApi,
    questions_page_ms_warm_end: warmApi,
    bound_ms: apiBoundMs,
    biggest_tree_nodes: biggest.nodes.length,
    biggest_tree_ms: treeMs,
  },
  read_run_ms: readRunMs,
  fault_free: faultFree,
  rss_mb: {
    min: Math.min(...samples.flatMap((s) => (s.search_rss_mb === null ? [] : [s.search_rss_mb]))),
    max: Math.max(...samples.flatMap((s) => (s.search_rss_mb === null ? [] : [s.search_rss_mb]))),
  },
  fds: {
    min: Math.min(...samples.flatMap((s) => (s.search_fds === null ? [] : [s.search_fds]))),
    max: Math.max(...samples.flatMap((s) => (s.search_fds === null ? [] : [s.search_fds]))),
  },
  samples,
  fault_rate: faultRate,
  concurrency,
  load_1m_end: Number(loadavg()[0]!.toFixed(2)),
  search_stderr_tail: second.stderrTail,
  db,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(result.ok ? 0 : 1);
