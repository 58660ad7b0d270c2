/**
 * `treecot view` benchmark (issue 12): time to first render of the questions page for a database
 * of 10,000 questions and of the tree page for a 10,000-node tree, in Debian's Chromium (median
 * of --repeats page loads, each a fresh page; the first load, which also fills the server's
 * summary cache, is reported apart), and the resident memory of the `treecot view` process while
 * a `treecot search` writes to the database it shows (a page with live counters open).
 *
 * "First render" = performance.now() in the page (ms since navigation start) when the first table
 * row / tree row is in the DOM. The server runs as a child process (`bin/treecot.js view`).
 *
 *   npm run bench:view            # prints one JSON line
 *   npm run bench:view -- --questions 10000 --tree-nodes 10000 --repeats 5
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { SearchStore, type NewNode } from '../../src/store/index.ts';
import { integerOption } from '../../src/cli/number-options.ts';
import { launchBrowser } from '../../test/view/browser.ts';
import { MATH_THOUGHTS, searchArgs, smallConfig, startScriptedModel } from '../../test/view/search-fixture.ts';

const { values } = parseArgs({
  options: {
    questions: { type: 'string', default: '10000' },
    'tree-nodes': { type: 'string', default: '10000' },
    repeats: { type: 'string', default: '5' },
    'search-questions': { type: 'string', default: '40' },
  },
});
const QUESTIONS = integerOption(values.questions!, '--questions', 1);
const TREE_NODES = integerOption(values['tree-nodes']!, '--tree-nodes', 2);
const REPEATS = integerOption(values.repeats!, '--repeats', 1);
const SEARCH_QUESTIONS = integerOption(values['search-questions']!, '--search-questions', 1);
const BIN = new URL('../../bin/treecot.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'treecot-bench-view-'));

/**
 * A synthetic run: `questions` questions of 7 nodes each (root, 3 thoughts, 3 scored answers,
 * one rollout per answer), and question "big" with a tree of about `treeNodes` nodes (root, then
 * branching sqrt-ish to three levels, answers at the leaves, a rollout through every 10th leaf).
 */
function writeSyntheticRun(file: string, questions: number, treeNodes: number): void {
  const store = SearchStore.open(file, { create: true });
  const config = parseYaml(readFileSync('configs/letter-count.yaml', 'utf8'));
  const run = store.createRun({ config, configHash: 'bench', task: 'letter-count', separator: '\n', dataFile: 'synthetic' });
  const runId = run.run_id;
  const node = (questionId: string, parentId: number | null, depth: number, type: string, extra: Partial<NewNode> = {}): NewNode => ({
    runId,
    questionId,
    parentId,
    depth,
    type,
    tag: type.replace('_', '-'),
    prefill: '',
    showInHistory: true,
    content: type === 'answer' ? 'The answer is: \\boxed{3}' : `step at depth ${depth}: so the share is $\\frac{3}{4}$ of the letters`,
    promptTokens: 150,
    completionTokens: 20,
    ...extra,
  });
  store.db.transaction(() => {
    store.addQuestions(runId, [
      ...Array.from({ length: questions }, (_, i) => ({
        questionId: `q${i}`,
        idx: i,
        question: `How many r in strawberry (${i})?`,
        reference: 3,
        instruction: '',
      })),
      { questionId: 'big', idx: questions, question: 'A question with a very large tree', reference: 3, instruction: '' },
    ]);
    for (let i = 0; i < questions; i++) {
      const q = `q${i}`;
      const root = store.insertRoot(node(q, null, 0, 'root', { content: '' }));
      const thoughts = store.commitExpansion(
        root,
        [1, 2, 3].map(() => node(q, root, 1, 'thinking')),
      );
      thoughts.forEach((t, k) => {
        const correct = (i + k) % 3 !== 0;
        const [answer] = store.commitExpansion(t, [
          node(q, t, 2, 'answer', { reward: correct ? 1 : 0, verdict: correct ? 'correct' : 'wrong' }),
        ]);
        store.commitRollout({
          runId,
          questionId: q,
          idx: k,
          path: [root, t, answer!],
          reward: correct ? 1 : 0,
          verdict: correct ? 'correct' : 'wrong',
          newNodes: [],
          status: 'solved',
        });
      });
    }
    // The big tree: branching b at each of three levels, 1 + b + b^2 + b^3 ~ treeNodes.
    const b = Math.max(2, Math.round(Math.cbrt(treeNodes)));
    const root = store.insertRoot(node('big', null, 0, 'root', { content: '' }));
    let rollout = 0;
    for (const s of store.commitExpansion(
      root,
      Array.from({ length: b }, () => node('big', root, 1, 'sub_task')),
    )) {
      for (const t of store.commitExpansion(
        s,
        Array.from({ length: b }, () => node('big', s, 2, 'thinking')),
      )) {
        const answers = store.commitExpansion(
          t,
          Array.from({ length: b }, (_, k) => node('big', t, 3, 'answer', { reward: k % 2, verdict: k % 2 ? 'correct' : 'wrong' })),
        );
        answers.forEach((a, k) => {
          if (k % 10 === 0)
            store.commitRollout({
              runId,
              questionId: 'big',
              idx: rollout++,
              path: [root, s, t, a],
              reward: k % 2,
              verdict: k % 2 ? 'correct' : 'wrong',
              newNodes: [],
              status: 'solved',
            });
        });
      }
    }
  })();
  store.close();
}

/** Children still running, killed if the benchmark fails half way. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Start `treecot view` as a child; resolves with its URL (printed on stdout). */
function startView(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'view', db, '--port', '0', '--reviewer', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /at (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`treecot view exited ${code}: ${out}`)));
  });
}

function stopView(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process, MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

const bigDb = join(dir, 'big.db');
let started = Date.now();
writeSyntheticRun(bigDb, QUESTIONS, TREE_NODES);
const writeMs = Date.now() - started;
const bigTreeNodes = (() => {
  const s = SearchStore.open(bigDb, { readonly: true });
  const n = s.nodes(1, 'big').length;
  s.close();
  return n;
})();

const browser = await launchBrowser();
const view = await startView(bigDb);
async function firstRender(path: string, selector: string): Promise<number> {
  const page = await browser.context.newPage();
  await page.goto(view.url + path);
  await page.waitForSelector(selector, { timeout: 120_000 });
  const ms = await page.evaluate(() => performance.now());
  await page.close();
  return ms;
}
const questionsMs: number[] = [];
const treeMs: number[] = [];
const firstQuestions = await firstRender('', '[data-testid=questions-table] tbody tr');
for (let i = 0; i < REPEATS; i++) questionsMs.push(await firstRender('', '[data-testid=questions-table] tbody tr'));
const firstTree = await firstRender('#/q/big/tree', '[data-testid=tree] .node');
for (let i = 0; i < REPEATS; i++) treeMs.push(await firstRender('#/q/big/tree', '[data-testid=tree] .node'));
// Expanding every answer node of the big tree (all ~10,000 rows into the page): click to painted.
const expandMs: number[] = [];
for (let i = 0; i < REPEATS; i++) {
  const page = await browser.context.newPage();
  await page.goto(view.url + '#/q/big/tree');
  await page.waitForSelector('[data-testid=tree] .node');
  // (No named functions inside evaluate: tsx's keepNames helper does not exist in the page.)
  await page.evaluate(() => {
    (window as unknown as { t0: number }).t0 = performance.now();
    (document.querySelector('button[title="expand every answer"]') as HTMLButtonElement).click();
  });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=tree] .node').length > 10_000, undefined, {
    timeout: 300_000,
    polling: 'raf',
  });
  const ms = await page.evaluate(() => performance.now() - (window as unknown as { t0: number }).t0);
  expandMs.push(ms);
  await page.close();
}
const viewRssBig = rssMiB(view.child.pid!);
await stopView(view.child);

// Memory while a search writes: a real `treecot search` child against the loopback model.
const liveDb = join(dir, 'live.db');
const model = await startScriptedModel(MATH_THOUGHTS, { latencyMs: 20 });
const search = spawn(process.execPath, [BIN, ...searchArgs(smallConfig(dir, 8), liveDb, model.server.baseURL, SEARCH_QUESTIONS, 8)], {
  stdio: 'ignore',
});
children.add(search);
const searchDone = new Promise<void>((resolve) => search.on('exit', () => resolve()));
let searching = true;
void searchDone.then(() => (searching = false));
started = Date.now();
while (!existsSync(liveDb)) await new Promise((r) => setTimeout(r, 50));
let live: { child: ChildProcess; url: string } | null = null;
while (!live && searching) live = await startView(liveDb).catch(async () => (await new Promise((r) => setTimeout(r, 100)), null));
const samples: number[] = [];
if (live) {
  const page = await browser.context.newPage();
  await page.goto(live.url);
  while (searching) {
    samples.push(rssMiB(live.child.pid!));
    await new Promise((r) => setTimeout(r, 250));
  }
  await page.close();
  await stopView(live.child);
}
const searchS = (Date.now() - started) / 1000;
await model.close();
await browser.close();

process.stdout.write(
  JSON.stringify({
    bench: 'view',
    questions: QUESTIONS,
    tree_nodes: bigTreeNodes,
    repeats: REPEATS,
    synthetic_write_ms: writeMs,
    questions_page_first_render_ms: { first_load: round(firstQuestions), median: round(median(questionsMs)), all: questionsMs.map(round) },
    tree_page_first_render_ms: { first_load: round(firstTree), median: round(median(treeMs)), all: treeMs.map(round) },
    tree_expand_every_answer_ms: { median: round(median(expandMs)), all: expandMs.map(round) },
    view_rss_mib_after_big_db: round(viewRssBig),
    live_search: {
      questions: SEARCH_QUESTIONS,
      seconds: round(searchS),
      rss_samples: samples.length,
      view_rss_mib_median: round(median(samples)),
      view_rss_mib_max: round(Math.max(...samples)),
    },
    load_avg_1m: round(loadavg()[0]!),
  }) + '\n',
);
