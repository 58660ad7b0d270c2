/**
 * Screenshots of `treecot view` for docs/view.md: a real `treecot search` (loopback model with
 * math in its thoughts) into a fresh database, then each page in Debian's Chromium.
 *
 *   node --import tsx scripts/view-screenshots.ts [OUT_DIR]     # default docs/view/
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRun } from '../src/store/index.ts';
import { startViewServer } from '../src/view/index.ts';
import { launchBrowser } from '../test/view/browser.ts';
import { MATH_THOUGHTS, runSearch, searchArgs, smallConfig, startScriptedModel } from '../test/view/search-fixture.ts';

const out = process.argv[2] ?? 'docs/view';
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'treecot-view-shots-'));
const db = join(dir, 'run.db');
const model = await startScriptedModel(MATH_THOUGHTS);
await runSearch(searchArgs(smallConfig(dir, 6), db, model.server.baseURL, 12));
await model.close();

const { questions } = readRun(db);
const withPairs = questions.find((q) => q.nodes.some((n) => n.verdict === 'wrong') && q.nodes.some((n) => n.verdict === 'correct'))!;
const view = await startViewServer({ target: db, reviewer: 'alice' });
const browser = await launchBrowser();
const page = await browser.context.newPage();
const shot = async (name: string) => {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, `${name}.png`) });
};
const q = encodeURIComponent(withPairs.questionId);

await page.goto(view.url);
await page.waitForSelector('[data-testid=questions-table] tbody tr');
await shot('questions');

await page.goto(`${view.url}#/q/${q}/tree`);
await page.waitForSelector('[data-testid=tree] .node');
await page.locator('.type-control button[title="expand every thinking"]').click();
const answer = withPairs.nodes.find((n) => n.verdict === 'wrong')!;
await page
  .locator('.type-control button[title="expand every double_check"]')
  .click()
  .catch(() => {});
await page.locator(`[data-node="${withPairs.nodes.find((n) => n.type === 'thinking' && n.visits > 0)!.id}"]`).click();
await shot('tree');

const correct = withPairs.nodes.find((n) => n.verdict === 'correct')!;
await page.goto(`${view.url}#/q/${q}/path/${correct.id}`);
await page.waitForSelector('[data-testid=path] .katex');
await shot('path');

await page.goto(`${view.url}#/q/${q}/pairs`);
await page.waitForSelector('[data-testid=pair]');
await shot('pairs');

await page.goto(`${view.url}#/review`);
await page.waitForSelector('[data-testid=path]');
await page.keyboard.press('a');
await page.waitForFunction(() => /^1 of/.test(document.querySelector('[data-testid=review-progress]')!.textContent!));
await page.locator('.review input.note').fill('counts e twice');
await shot('review');
void answer;

await browser.close();
await view.close();
process.stdout.write(`screenshots in ${out}/\n`);
