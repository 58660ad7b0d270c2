/**
 * bench/search (a) and (c): engine overhead and memory, with an instant in-process policy
 * (ScriptedPolicy, no latency) and the real letter-count verifier, into a real SQLite file.
 *
 * (a) node expansions/s including SQLite commits: many questions of the authors' demo graph
 *     (configs/letter-count.yaml, smaller stop rule), concurrency 64.
 * Also the store alone (group-committed expansions and rollouts, no search) for comparison.
 * (c) memory per 10,000 stored nodes: one question whose answers are always wrong, so its
 *     tree (held in memory while it is searched) grows until give-up after 1,500 rollouts;
 *     peak RSS above the baseline, and the live heap after a full GC, per 10,000 nodes.
 *
 * Prints one JSON line. Run: node --expose-gc --import tsx bench/search/engine.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashString } from '../../src/core/index.ts';
import { ScriptedPolicy } from '../../src/policy/scripted-policy.ts';
import { loadSearchConfig, runSearch, type SearchConfig } from '../../src/search/index.ts';
import { SearchStore } from '../../src/store/index.ts';
import { getTask, parseLetterCountQuestion, letterCountAnswer } from '../../src/tasks/index.ts';
import { dataFile } from '../../test/helpers/data-paths.ts';

const task = getTask('letter-count');
const problems = task.load(dataFile('letter-count/letter_count_hard.json'));
const dir = mkdtempSync(join(tmpdir(), 'treecot-bench-search-'));

function instantPolicy(pCorrect: number): ScriptedPolicy {
  const truths = new Map<string, number>();
  const truthOf = (question: string) => {
    let truth = truths.get(question);
    if (truth === undefined) {
      const parsed = parseLetterCountQuestion(question);
      truths.set(question, (truth = parsed ? letterCountAnswer(parsed) : 0));
    }
    return truth;
  };
  return new ScriptedPolicy({
    modelId: 'instant',
    record: false,
    respond: (request, i) => {
      const prefix = request.prompt.assistantPrefix;
      const h = hashString(`${prefix.length}|${request.seed}|${i}`);
      if (prefix.endsWith('The answer is:')) {
        const truth = truthOf(request.prompt.question);
        return ` \\boxed{${(h % 1000) / 1000 < pCorrect ? truth : truth + 1}}`;
      }
      return ` thought ${h % 7}`;
    },
  });
}

function configWith(search: Partial<SearchConfig['search']>): SearchConfig {
  const { config } = loadSearchConfig(new URL('../../configs/letter-count.yaml', import.meta.url).pathname);
  return { ...config, search: { ...config.search, ...search } };
}

async function engineThroughput() {
  const dbPath = join(dir, 'engine.db');
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const summary = await runSearch({
    config: configWith({ max_rollouts: 16, reward_thresholds: [4, 8] }),
    task: 'letter-count',
    defaultInstruction: task.defaultInstruction,
    problems: problems.slice(0, 200),
    dbPath,
    policy: instantPolicy(0.3),
    verify: (o, p) => task.verify(o, p),
    concurrency: 64,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    questions: summary.questions,
    nodes: summary.nodes_created,
    policy_calls: summary.policy_calls,
    store_transactions: summary.store_transactions,
    rollouts: summary.rollouts,
    seconds: Number(seconds.toFixed(3)),
    nodes_per_s: Math.round(summary.nodes_created / seconds),
    rollouts_per_s: Math.round(summary.rollouts / seconds),
    // CPU time of this process (all threads): the rate on one free core, whatever else runs.
    cpu_seconds: Number(cpuSeconds.toFixed(3)),
    nodes_per_cpu_s: Math.round(summary.nodes_created / cpuSeconds),
  };
}

async function memoryPerNodes() {
  const dbPath = join(dir, 'memory.db');
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let liveHeap = 0;
  let rollouts = 0;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  const summary = await runSearch({
    config: configWith({ max_rollouts: 1500, give_up_factor: 1, reward_thresholds: [4, 8] }),
    task: 'letter-count',
    defaultInstruction: task.defaultInstruction,
    problems: problems.slice(0, 1),
    dbPath,
    policy: instantPolicy(0),
    verify: (o, p) => task.verify(o, p),
    concurrency: 4,
    onProgress: (p) => {
      // Near the end the whole tree is alive: measure the live heap after a full GC.
      if (gc && p.counters.rollouts !== rollouts && p.counters.rollouts % 100 === 0) {
        rollouts = p.counters.rollouts;
        gc();
        liveHeap = Math.max(liveHeap, process.memoryUsage().heapUsed - base.heapUsed);
      }
    },
  });
  clearInterval(timer);
  sample();
  const per10k = 10_000 / summary.nodes;
  return {
    nodes_in_one_tree: summary.nodes,
    peak_rss_mb_per_10k_nodes: Number((((peakRss - base.rss) / 2 ** 20) * per10k).toFixed(1)),
    live_heap_mb_per_10k_nodes: gc ? Number(((liveHeap / 2 ** 20) * per10k).toFixed(1)) : 'run with --expose-gc',
  };
}

/**
 * The store alone: 200 questions, each expanded 55 times by 2 nodes (22,000 nodes) through the
 * group commit, with a rollout every 4th round; no search, no policy.
 */
async function storeOnly() {
  const store = SearchStore.open(join(dir, 'store-only.db'));
  const run = store.createRun({ config: {}, configHash: 'bench', task: 'letter-count', separator: '\n', dataFile: '' });
  const questions = 200;
  store.addQuestions(
    run.run_id,
    Array.from({ length: questions }, (_, i) => ({ questionId: `q${i}`, idx: i, question: 'q', reference: 1, instruction: '' })),
  );
  const frontier = Array.from({ length: questions }, (_, i) => [
    store.insertRoot({
      runId: run.run_id,
      questionId: `q${i}`,
      parentId: null,
      type: 'root',
      tag: '',
      prefill: '',
      content: 'q',
      showInHistory: false,
      depth: 0,
    }),
  ]);
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  let nodes = 0;
  let rollouts = 0;
  for (let round = 0; round < 55; round++) {
    await Promise.all(
      frontier.map(async (queue, qi) => {
        const parent = queue.shift()!;
        const child = (k: number) => ({
          runId: run.run_id,
          questionId: `q${qi}`,
          parentId: parent,
          type: 'thinking',
          tag: 'thinking',
          prefill: 'Firstly, I need to break down this task.',
          content: `Firstly, I need to break down this task. thought ${k} ${round}`,
          showInHistory: true,
          depth: 1,
          policy: 'bench',
          promptTokens: 300,
          completionTokens: 12,
        });
        const ids = await store.commitExpansionGrouped(parent, [child(0), child(1)]);
        queue.push(...ids);
        nodes += ids.length;
        if (round % 4 === 3) {
          await store.commitRolloutGrouped({
            runId: run.run_id,
            questionId: `q${qi}`,
            idx: rollouts++,
            path: [parent, ids[0]!],
            reward: 1,
            verdict: 'correct',
            newNodes: [],
            status: 'running',
          });
        }
      }),
    );
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  store.close();
  return {
    nodes,
    seconds: Number(seconds.toFixed(3)),
    nodes_per_s: Math.round(nodes / seconds),
    nodes_per_cpu_s: Math.round(nodes / ((cpu.user + cpu.system) / 1e6)),
  };
}

// Memory first, so its RSS baseline is not raised by the throughput run.
const memory = await memoryPerNodes();
const engine = await engineThroughput();
const store = await storeOnly();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ bench: 'search-engine', node: process.version, target_nodes_per_s: 20000, ...engine, store_only: store, memory })}\n`,
);
