/**
 * `treecot view` in a real browser (Debian's Chromium via playwright-core) against real search
 * databases written by `treecot search` child processes: question counts, tree expansion and
 * node text, KaTeX math on the path page, a review that persists across a reload and changes
 * what `treecot build` writes, keyboard review with undo, an XSS corpus in model text and
 * question ids that runs nothing, and a live search whose counter moves while the page is open.
 *
 * Run: npm run test:browser (needs /usr/bin/chromium; .ci/run installs it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { readRun } from '../../src/store/index.ts';
import { startViewServer, type ViewServer } from '../../src/view/index.ts';
import { launchBrowser, type Browser } from './browser.ts';
import { BIN, MATH_THOUGHTS, runSearch, searchArgs, smallConfig, spawnSearch, startScriptedModel } from './search-fixture.ts';
import { XSS_PAYLOADS } from './xss-payloads.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-view-browser-'));
const mathDb = join(dir, 'math.db');
let browser: Browser;
let view: ViewServer;

before(async () => {
  const model = await startScriptedModel(MATH_THOUGHTS);
  try {
    await runSearch(searchArgs(smallConfig(dir), mathDb, model.server.baseURL, 6));
  } finally {
    await model.close();
  }
  view = await startViewServer({ target: mathDb, reviewer: 'tester' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await view?.close();
});

/** A page that records console text, page errors and CSP violations. */
async function openPage(): Promise<{ page: Page; console: string[]; errors: string[] }> {
  const page = await browser.context.newPage();
  const consoleLines: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { page, console: consoleLines, errors };
}

/** The text of `selector` once it equals `expected`, or whatever it shows after 10 s (the assertion then fails with it). */
async function settledText(page: Page, selector: string, expected: string): Promise<string | null> {
  await page
    .waitForFunction(([sel, text]) => document.querySelector(sel!)?.textContent === text, [selector, expected] as const, {
      timeout: 10_000,
    })
    .catch(() => undefined);
  return page.locator(selector).textContent();
}

const cell = (page: Page, id: string, col: string) => page.locator(`tr[data-question="${id}"] td[data-col="${col}"]`).textContent();

test('the questions page shows the stored counts', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage();
  await page.goto(view.url);
  await page.waitForSelector('[data-testid=questions-table] tbody tr');
  const { questions } = readRun(mathDb);
  assert.equal(await page.locator('[data-testid=questions-table] tbody tr').count(), questions.length);
  for (const q of questions) {
    assert.equal(await cell(page, q.questionId, 'rollouts'), String(q.rollouts));
    assert.equal(await cell(page, q.questionId, 'nodes'), String(q.nodes.length));
    assert.equal(await cell(page, q.questionId, 'correct'), String(q.nodes.filter((n) => n.verdict === 'correct').length));
    assert.equal(await cell(page, q.questionId, 'wrong'), String(q.nodes.filter((n) => n.verdict === 'wrong').length));
  }
  assert.equal(await page.getByTestId('total-rollouts').textContent(), String(questions.reduce((s, q) => s + q.rollouts, 0)));
  // Sorting by a column reorders the rows.
  await page.locator('th', { hasText: 'nodes' }).click();
  await page.locator('th', { hasText: 'nodes' }).click();
  await page.waitForSelector('th.sorted.desc');
  const nodes = await page.locator('td[data-col="nodes"]').allTextContents();
  assert.deepEqual(
    nodes.map(Number),
    questions.map((q) => q.nodes.length).sort((a, b) => b - a),
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("a tree expands and shows a node's full text", { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage();
  const q = readRun(mathDb).questions[0]!;
  await page.goto(`${view.url}#/q/${encodeURIComponent(q.questionId)}/tree`);
  await page.waitForSelector('[data-testid=tree] .node');
  const before = await page.locator('[data-testid=tree] .node').count();
  // Open a collapsed node that has children.
  const collapsed = page.locator('[data-testid=tree] .node:has(.kids)').first();
  const id = Number(await collapsed.getAttribute('data-node'));
  const children = q.nodes.filter((n) => n.parentId === id).length;
  assert.ok(children > 0);
  await collapsed.locator('.twisty').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=tree] .node').length === n, before + children);
  // Click a child: the panel shows its whole content (raw mode: the exact characters).
  const child = q.nodes.find((n) => n.parentId === id)!;
  await page.locator(`[data-node="${child.id}"]`).click();
  await page.getByTestId('node-panel').locator('input[type=checkbox]').check();
  // The panel re-renders after the box is checked: wait for the raw text, then compare it exactly.
  assert.equal(await settledText(page, '[data-testid=node-panel] .node-text', child.content), child.content);
  assert.match((await page.getByTestId('node-panel').textContent())!, new RegExp(`visits N${child.visits}`));
  // A data row's node id opens the tree at that node (#/q/ID/tree/N): selected, its ancestors open.
  const deepest = q.nodes.reduce((a, b) => (b.depth > a.depth ? b : a));
  assert.ok(deepest.depth > 2, 'the node is below the levels opened by default');
  await page.goto(`${view.url}#/q/${encodeURIComponent(q.questionId)}/tree/${deepest.id}`);
  await page.waitForSelector(`[data-testid=tree] .node.selected[data-node="${deepest.id}"]`);
  await page.getByTestId('node-panel').locator('input[type=checkbox]').check();
  assert.equal(await settledText(page, '[data-testid=node-panel] .node-text', deepest.content), deepest.content);
  assert.match((await page.locator('[data-testid=node-panel] h3').textContent())!, new RegExp(`node ${deepest.id}$`));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a path renders fractions, matrices and \\boxed as KaTeX markup', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage();
  const q = readRun(mathDb).questions.find((x) => x.nodes.some((n) => n.content.includes('\\frac{3}{4}') && n.verdict === null))!;
  await page.goto(`${view.url}#/q/${encodeURIComponent(q.questionId)}/path`);
  await page.waitForSelector('[data-testid=path] .katex');
  const tex = await page.locator('[data-testid=path] .katex annotation').allTextContents();
  assert.ok(tex.includes('\\frac{3}{4}') || tex.includes('\\frac{1}{2}'), tex.join(' | '));
  assert.ok((await page.locator('[data-testid=path] .katex .mfrac').count()) > 0, 'a fraction is typeset');
  assert.ok(
    tex.some((t) => t.startsWith('\\boxed{')),
    'the bare \\boxed{} answer is typeset',
  );
  // Some path of the run has the matrix thought.
  const withMatrix = readRun(mathDb).questions.find((x) => x.nodes.some((n) => n.content.includes('pmatrix') && n.visits > 0))!;
  const leaf = withMatrix.nodes.find((n) => n.reward !== null && pathOf(withMatrix.nodes, n.id).some((m) => m.content.includes('pmatrix')));
  if (leaf) {
    await page.goto(`${view.url}#/q/${encodeURIComponent(withMatrix.questionId)}/path/${leaf.id}`);
    await page.waitForSelector('[data-testid=path] .katex .mtable');
  }
  assert.deepEqual(errors, []);
  await page.close();
});

function pathOf<T extends { id: number; parentId: number | null }>(nodes: T[], leafId: number): T[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: T[] = [];
  for (let n = byId.get(leafId); n; n = n.parentId === null ? undefined : byId.get(n.parentId)) out.push(n);
  return out;
}

test('a review click persists across a reload and changes what build writes; keys and undo work', { timeout: 180_000 }, async () => {
  const { page, errors } = await openPage();
  await page.goto(`${view.url}#/review`);
  await page.waitForSelector('[data-testid=path]');
  const total = (await page.getByTestId('review-progress').textContent())!.match(/of (\d+)/)![1]!;
  assert.equal(await page.getByTestId('review-progress').textContent(), `0 of ${total} reviewed`);
  const leaf = Number(await page.getByTestId('path').getAttribute('data-leaf'));
  // The page starts at the first unreviewed path of the queue: that names its question.
  const queue = (await page.evaluate(() => fetch('/api/review-queue?verdict=correct').then((r) => r.json()))) as {
    items: { questionId: string; leafId: number; mark: string | null }[];
  };
  const item = queue.items.find((i) => i.mark === null)!;
  assert.equal(item.leafId, leaf);
  await page.locator('.review input.note').fill('right answer through a wrong count');
  await page.getByTestId('reject').click();
  await page.waitForFunction((t) => document.querySelector('[data-testid=review-progress]')!.textContent === `1 of ${t} reviewed`, total);
  await page.reload();
  await page.waitForSelector('[data-testid=path]');
  assert.equal(await page.getByTestId('review-progress').textContent(), `1 of ${total} reviewed`);
  assert.equal(
    readRun(mathDb)
      .questions.find((q) => q.questionId === item.questionId)!
      .nodes.find((n) => n.id === leaf)!.annotation,
    'rejected',
  );
  await page.goto(`${view.url}#/q/${encodeURIComponent(item.questionId)}/path/${leaf}`);
  await page.waitForSelector(`[data-testid=path][data-leaf="${leaf}"]`);
  assert.equal(await page.getByTestId('path-mark').textContent(), 'rejected');
  // build leaves the rejected path out.
  const out = join(dir, 'data');
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'build', mathDb, '--out', out, '--json'], { timeout: 120_000 });
  assert.equal(JSON.parse(stdout).paths.droppedAnnotationRejected, 1);
  const paths = readFileSync(join(out, 'paths.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { question_id: string; node_ids: number[] });
  assert.ok(!paths.some((p) => p.question_id === item.questionId && p.node_ids.at(-1) === leaf));
  // Keyboard: a accepts the next path, u undoes it.
  await page.goto(`${view.url}#/review`);
  await page.waitForSelector('[data-testid=path]');
  await page.keyboard.press('a');
  await page.waitForFunction((t) => document.querySelector('[data-testid=review-progress]')!.textContent === `2 of ${t} reviewed`, total);
  await page.keyboard.press('u');
  await page.waitForFunction((t) => document.querySelector('[data-testid=review-progress]')!.textContent === `1 of ${t} reviewed`, total);
  assert.deepEqual(errors, []);
  await page.close();
});

test('XSS corpus in model text and question ids: no payload runs', { timeout: 240_000 }, async () => {
  const xssDb = join(dir, 'xss.db');
  const data = join(dir, 'xss-questions.json');
  const idPayloads = ['<img src=x onerror="window.__pwned=1">', 'javascript:window.__pwned=1', '"><svg onload=window.__pwned=1>'];
  // Not a payload: an id with the characters a hash route must encode (/ # ? % space, non-ASCII).
  const awkwardId = 'a/b#c?d%25 é';
  writeFileSync(
    data,
    JSON.stringify(
      [...idPayloads, awkwardId].map((id, i) => ({ id, problem: `How many r in strawberry? ${XSS_PAYLOADS[i]}`, solution: 3 })),
    ),
  );
  const model = await startScriptedModel(
    XSS_PAYLOADS.map((p) => ` ${p}`),
    { cycle: true },
  );
  try {
    await runSearch(searchArgs(smallConfig(dir, 6), xssDb, model.server.baseURL, 4, 2, data));
  } finally {
    await model.close();
  }
  const { questions } = readRun(xssDb);
  const stored = XSS_PAYLOADS.filter((p) => questions.some((q) => q.nodes.some((n) => n.content.includes(p))));
  assert.equal(stored.length, XSS_PAYLOADS.length, 'every payload reached the database as model text');
  const xssView = await startViewServer({ target: xssDb, reviewer: 'tester' });
  const { page, console: lines } = await openPage();
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  const shownRaw = new Set<string>();
  try {
    await page.goto(xssView.url);
    await page.waitForSelector('[data-testid=questions-table] tbody tr');
    for (const q of questions) {
      await page.goto(`${xssView.url}#/q/${encodeURIComponent(q.questionId)}/tree`);
      await page.waitForSelector('[data-testid=tree] .node');
      for (const plus of await page.locator('.type-control button[title^="expand"]').all()) await plus.click();
      const ids = await page.locator('[data-testid=tree] .node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
      for (const id of ids) await page.locator(`[data-node="${id}"]`).click();
      await page.goto(`${xssView.url}#/q/${encodeURIComponent(q.questionId)}/path`);
      await page.waitForSelector('[data-testid=path], main p');
      const leaves = q.nodes.filter((n) => n.reward !== null);
      for (const leaf of leaves) {
        await page.goto(`${xssView.url}#/q/${encodeURIComponent(q.questionId)}/path/${leaf.id}`);
        await page.waitForSelector(`[data-testid=path][data-leaf="${leaf.id}"]`);
        await page.locator('[data-testid=path] .path-head input[type=checkbox]').check();
        const raw = (await page.getByTestId('raw-response').textContent())!;
        for (const p of XSS_PAYLOADS) if (raw.includes(p)) shownRaw.add(p);
      }
      await page.goto(`${xssView.url}#/q/${encodeURIComponent(q.questionId)}/pairs`);
      await page.waitForSelector('.pairs-page');
    }
    await page.goto(`${xssView.url}#/review?verdict=all`);
    await page.waitForSelector('[data-testid=path]');
    // Hover and click everything a payload might have turned into a link or handler.
    for (const el of await page.locator('main .text *, main pre *').all()) await el.hover({ timeout: 2000 }).catch(() => {});
    const state = await page.evaluate(() => ({
      pwned: (window as any).__pwned ?? 0,
      violations: (window as any).__violations as string[],
      handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
      jsLinks: [...document.querySelectorAll('[href],[src],[action],[data]')].filter((el) =>
        ['href', 'src', 'action', 'data'].some((a) => /^\s*(javascript|data):/i.test(el.getAttribute(a) ?? '')),
      ).length,
      injected: document.querySelectorAll(
        'main :is(script, iframe, object, embed, img, video, form, details, marquee, meta, base, link, style)',
      ).length,
    }));
    assert.equal(state.pwned, 0, 'window.__pwned was set');
    assert.equal(dialogs, 0);
    assert.deepEqual(
      lines.filter((l) => l.includes('PWNED')),
      [],
    );
    assert.deepEqual(state.violations, [], 'no CSP violation: nothing even tried to run');
    assert.equal(state.handlers, 0);
    assert.equal(state.jsLinks, 0);
    assert.equal(state.injected, 0);
    assert.ok(shownRaw.size > 0, 'payloads on paths were shown as text');
    process.stdout.write(
      `# xss: ${XSS_PAYLOADS.length} payloads in model text + ${idPayloads.length} in question ids; ${shownRaw.size} shown verbatim on paths; 0 executed\n`,
    );
  } finally {
    await page.close();
    await xssView.close();
  }
});

test('a live search moves the counters while the page is open', { timeout: 180_000 }, async () => {
  const liveDb = join(dir, 'live.db');
  const model = await startScriptedModel(MATH_THOUGHTS, { latencyMs: 150 });
  const search = spawnSearch(searchArgs(smallConfig(dir, 8), liveDb, model.server.baseURL, 6, 1));
  let stderr = '';
  search.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => search.on('exit', resolve));
  let liveView: ViewServer | null = null;
  try {
    // The view opens once the search has created the database and its run.
    for (let i = 0; !liveView; i++) {
      if (i > 200) throw new Error(`the search never created its run: ${stderr}`);
      if (existsSync(liveDb)) liveView = await startViewServer({ target: liveDb, reviewer: 'tester' }).catch(() => null);
      if (!liveView) await new Promise((r) => setTimeout(r, 100));
    }
    const { page, errors } = await openPage();
    await page.goto(liveView.url);
    await page.waitForSelector('[data-testid=total-rollouts]');
    const first = Number(await page.getByTestId('total-rollouts').textContent());
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=total-rollouts]')!.textContent) > n, first, {
      timeout: 60_000,
    });
    const later = Number(await page.getByTestId('total-rollouts').textContent());
    assert.ok(later > first, `${first} -> ${later}`);
    // A running question's row updates in place too.
    await page.waitForFunction(
      () => [...document.querySelectorAll('td[data-col="rollouts"]')].some((td) => Number(td.textContent) > 0),
      undefined,
      { timeout: 60_000 },
    );
    // A review mark written while the search writes: no lock or busy error, and it is stored.
    const queue = await page.evaluate(() => fetch('/api/review-queue?verdict=all').then((r) => r.json()));
    const { questionId, leafId: leaf } = (queue as { items: { questionId: string; leafId: number }[] }).items[0]!;
    const status = await page.evaluate(
      (target) =>
        fetch('/api/annotations', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Treecot': '1' },
          body: JSON.stringify({ ...target, scope: 'path', mark: 'rejected' }),
        }).then((r) => r.status),
      { questionId, nodeId: leaf },
    );
    assert.equal(status, 200);
    const moreRollouts = Number(await page.getByTestId('total-rollouts').textContent());
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=total-rollouts]')!.textContent) > n, moreRollouts, {
      timeout: 60_000,
    });
    assert.equal(
      readRun(liveDb)
        .questions.find((q) => q.questionId === questionId)!
        .nodes.find((n) => n.id === leaf)!.annotation,
      'rejected',
    );
    assert.equal(search.exitCode, null, `the search kept running: ${stderr}`);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    search.kill('SIGTERM');
    await exited;
    await liveView?.close();
    await model.close();
  }
});

test('a run folder: the database picker and the run page with accuracy ± standard error', { timeout: 60_000 }, async () => {
  const folder = join(dir, 'run-folder');
  const { mkdirSync, copyFileSync } = await import('node:fs');
  mkdirSync(join(folder, 'round-1', 'search'), { recursive: true });
  copyFileSync(mathDb, join(folder, 'round-1', 'search', 'run.db'));
  writeFileSync(
    join(folder, 'summary.json'),
    JSON.stringify({
      stages: [
        { stage: 'sft', description: 'SFT on the longest correct paths', accuracy: 0.25, no_answer_rate: 0.1, n: 400, set: 'held-out' },
      ],
      search: [],
      data: [],
    }),
  );
  const served = await startViewServer({ target: folder, reviewer: 'tester' });
  const { page, errors } = await openPage();
  try {
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=questions-table] tbody tr');
    assert.equal(await page.getByTestId('db-label').textContent(), join('round-1', 'search', 'run.db'));
    await page.locator('a[href="#/run"]').click();
    await page.waitForSelector('[data-testid=stages] tbody tr');
    // SE = sqrt(0.25 * 0.75 / 400) = 2.17%.
    assert.match((await page.getByTestId('stages').textContent())!, /25\.0% ± 2\.2%/);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await served.close();
  }
});
