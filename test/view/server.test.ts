/**
 * `treecot view`'s server on a real search database written by a real `treecot search` child
 * process: the questions API agrees with readRun, annotations persist and change what
 * `treecot build` writes, undo and JSONL export/import (with errors that name line and field),
 * and the safety rules (CSP, Host check, write headers, token off loopback, static whitelist).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readRun } from '../../src/store/index.ts';
import { startViewServer, type ViewServer } from '../../src/view/index.ts';
import { BIN, MATH_THOUGHTS, runSearch, searchArgs, smallConfig, startScriptedModel } from './search-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-view-'));
const db = join(dir, 'run.db');
let view: ViewServer;

before(async () => {
  const model = await startScriptedModel(MATH_THOUGHTS);
  try {
    await runSearch(searchArgs(smallConfig(dir), db, model.server.baseURL, 6));
  } finally {
    await model.close();
  }
  view = await startViewServer({ target: db, reviewer: 'alice' });
});
after(() => view?.close());

const base = () => `http://127.0.0.1:${view.port}`;
const WRITE_HEADERS = { 'Content-Type': 'application/json', 'X-Treecot': '1' };

async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(base() + path, init);
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    body: type.startsWith('application/json') ? await response.json() : await response.text(),
    headers: response.headers,
  };
}

const post = (path: string, body: unknown) => api(path, { method: 'POST', headers: WRITE_HEADERS, body: JSON.stringify(body) });

/** A consistent copy of a WAL database (a plain file copy would miss what is still in the WAL). */
async function snapshot(from: string, to: string): Promise<void> {
  const source = new Database(from, { readonly: true });
  try {
    await source.backup(to);
  } finally {
    source.close();
  }
}

async function build(out: string): Promise<{ stats: any; paths: any[] }> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'build', db, '--out', out, '--json'], { timeout: 120_000 });
  const paths = readFileSync(join(out, 'paths.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return { stats: JSON.parse(stdout), paths };
}

test('the questions API gives the counts stored in the database', async () => {
  const { questions } = readRun(db);
  const page = await api('/api/questions?limit=1000');
  assert.equal(page.status, 200);
  assert.equal(page.body.total, questions.length);
  for (const q of questions) {
    const row = page.body.rows.find((r: any) => r.questionId === q.questionId);
    assert.ok(row, q.questionId);
    assert.equal(row.rollouts, q.rollouts);
    assert.equal(row.correctRollouts, q.correctRollouts);
    assert.equal(row.nodes, q.nodes.length);
    assert.equal(row.correct, q.nodes.filter((n) => n.verdict === 'correct').length);
    assert.equal(row.wrong, q.nodes.filter((n) => n.verdict === 'wrong').length);
    assert.equal(
      row.tokens,
      q.nodes.reduce((s, n) => s + n.promptTokens + n.completionTokens, 0),
    );
  }
  assert.equal(
    page.body.totals.rollouts,
    questions.reduce((s, q) => s + q.rollouts, 0),
  );
  // Sorting and paging.
  const sorted = await api('/api/questions?sort=nodes&dir=desc&limit=2&offset=1');
  const bySize = [...questions].sort((a, b) => b.nodes.length - a.nodes.length);
  assert.deepEqual(
    sorted.body.rows.map((r: any) => r.nodes),
    bySize.slice(1, 3).map((q) => q.nodes.length),
  );
  assert.equal((await api('/api/questions?sort=nope')).status, 400);
  assert.equal((await api('/api/questions?limit=0')).status, 400);
  assert.equal((await api('/api/question?id=missing')).status, 404);
});

/** The node `nodeId` (per question, as the view and the data files name it) of question `questionId`. */
function nodeOf(file: string, questionId: string, nodeId: number) {
  return readRun(file)
    .questions.find((q) => q.questionId === questionId)!
    .nodes.find((n) => n.id === nodeId)!;
}

test('a rejected path is stored with reviewer and note, build drops it, undo restores it', async () => {
  const queue = await api('/api/review-queue?verdict=correct');
  assert.ok(queue.body.items.length >= 2);
  const { questionId, leafId: leaf } = queue.body.items[0];
  const ends = (p: any) => p.question_id === questionId && p.node_ids.at(-1) === leaf;
  const before = await build(join(dir, 'data-before'));
  assert.ok(before.paths.some(ends), 'the path is in paths.jsonl before review');
  assert.equal(before.stats.paths.droppedAnnotationRejected, 0);

  const marked = await post('/api/annotations', {
    questionId,
    nodeId: leaf,
    scope: 'path',
    mark: 'rejected',
    note: 'right answer, wrong count',
  });
  assert.equal(marked.status, 200, JSON.stringify(marked.body));
  assert.equal(marked.body.reviewer, 'alice');
  assert.deepEqual([marked.body.questionId, marked.body.nodeId], [questionId, leaf]);
  assert.equal(nodeOf(db, questionId, leaf).annotation, 'rejected');
  const paths = await api('/api/paths?id=' + encodeURIComponent(questionId));
  assert.equal(paths.body.paths.find((p: any) => p.leafId === leaf).droppedByBuild, true);

  const after = await build(join(dir, 'data-after'));
  assert.ok(!after.paths.some(ends), 'build leaves the rejected path out');
  assert.equal(after.stats.paths.droppedAnnotationRejected, 1);
  assert.match(readFileSync(join(dir, 'data-after', 'card.md'), 'utf8'), /1 through a node a person rejected/);

  const undone = await post('/api/annotations/undo', {});
  assert.deepEqual([undone.body.undone.questionId, undone.body.undone.nodeId], [questionId, leaf]);
  assert.equal(nodeOf(db, questionId, leaf).annotation, null);
  assert.equal((await post('/api/annotations/undo', {})).body.undone, null, 'nothing left to undo');
});

test('annotation writes are checked: unknown node, non-answer path mark, bad mark, long note', async () => {
  const { questions } = readRun(db);
  const first = questions[0]!;
  const questionId = first.questionId;
  const inner = first.nodes.find((n) => n.reward === null && n.parentId !== null)!;
  for (const [body, pattern] of [
    // Ids are per question: one past the question's last node is no node, whatever other questions hold.
    [{ questionId, nodeId: first.nodes.length, scope: 'node', mark: 'rejected' }, /no node .* in question/],
    [{ questionId: 'no-such-question', nodeId: 0, scope: 'node', mark: 'rejected' }, /no node 0 in question "no-such-question"/],
    [{ nodeId: inner.id, scope: 'node', mark: 'rejected' }, /field "questionId"/],
    [{ questionId, nodeId: -1, scope: 'node', mark: 'rejected' }, /field "node_id"/],
    [{ questionId, nodeId: inner.id, scope: 'path', mark: 'rejected' }, /not a scored answer node/],
    [{ questionId, nodeId: inner.id, scope: 'node', mark: 'maybe' }, /field "mark"/],
    [{ questionId, nodeId: inner.id, scope: 'node', mark: 'accepted', note: 'x'.repeat(2001) }, /field "note"/],
  ] as const) {
    const result = await post('/api/annotations', body);
    assert.equal(result.status, 400, JSON.stringify(body));
    assert.match(result.body.error, pattern);
  }
  const unchanged = readRun(db)
    .questions.flatMap((q) => q.nodes)
    .filter((n) => n.annotation !== null);
  assert.equal(unchanged.length, 0, 'refused writes changed nothing');
});

test('JSONL export and import round trip into a copy; bad lines name line and field', async () => {
  const { questions } = readRun(db);
  // Two answer leaves of one question and one of another (exports are in rowid order, so sort the same way).
  const [a, b] = questions.filter((q) => q.nodes.filter((n) => n.reward !== null).length >= 2);
  const answers = (q: typeof a) => q!.nodes.filter((n) => n.reward !== null).map((n) => ({ q: q!.questionId, n }));
  const leaves = [...answers(a).slice(0, 2), ...answers(b).slice(0, 1)].sort((x, y) => x.n.rowId! - y.n.rowId!);
  for (const [i, { q, n }] of leaves.entries())
    await post('/api/annotations', { questionId: q, nodeId: n.id, scope: 'path', mark: i === 0 ? 'accepted' : 'rejected', note: `n${i}` });
  const exported = await api('/api/annotations.jsonl');
  const lines = (exported.body as string)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(
    lines.map((l) => [l.question_id, l.node_id, l.node_id_kind, l.mark, l.reviewer, l.note]),
    leaves.map(({ q, n }, i) => [q, n.id, 'per-question', i === 0 ? 'accepted' : 'rejected', 'alice', `n${i}`]),
  );

  // Import into a copy made before the marks (a second reviewer's database).
  for (const { q, n } of leaves) await post('/api/annotations', { questionId: q, nodeId: n.id, scope: 'path', mark: null });
  const copy = join(dir, 'copy.db');
  await snapshot(db, copy);
  const second = await startViewServer({ target: copy, reviewer: 'bob' });
  try {
    const url = `http://127.0.0.1:${second.port}/api/annotations/import`;
    const send = (text: string) =>
      fetch(url, { method: 'POST', headers: WRITE_HEADERS, body: JSON.stringify({ text, name: 'alice.jsonl' }) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as any,
      }));
    const bad = [...lines];
    bad[1] = { ...bad[1], content_sha256: 'f'.repeat(64) };
    const refused = await send(bad.map((l) => JSON.stringify(l)).join('\n'));
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /alice\.jsonl:2 field "content_sha256"/);
    assert.equal(
      readRun(copy)
        .questions.flatMap((q) => q.nodes)
        .filter((n) => n.annotation).length,
      0,
      'all or nothing',
    );
    const malformed = await send(JSON.stringify(lines[0]) + '\n{"node_id": "x"}\n');
    assert.match(malformed.body.error, /alice\.jsonl:2 field "question_id"|alice\.jsonl:2 field "node_id"/);
    // A line of an export written before per-question ids (no node_id_kind; node_id is the rowid).
    const rowidLine = { ...lines[2], node_id: leaves[2]!.n.rowId };
    delete rowidLine.node_id_kind;
    const ok = await send([...lines.slice(0, 2), rowidLine].map((l) => JSON.stringify(l)).join('\n') + '\n');
    assert.deepEqual(ok.body, { imported: 3, unchanged: 0 });
    const marks = readRun(copy)
      .questions.flatMap((q) => q.nodes.map((n) => ({ q: q.questionId, n })))
      .filter(({ n }) => n.annotation)
      .sort((x, y) => x.n.rowId! - y.n.rowId!);
    assert.deepEqual(
      marks.map(({ q, n }) => [q, n.id, n.annotation]),
      leaves.map(({ q, n }, i) => [q, n.id, i === 0 ? 'accepted' : 'rejected']),
    );
  } finally {
    await second.close();
  }
});

test('safety: CSP on every response, Host check, write headers, static whitelist', async () => {
  const page = await api('/');
  assert.equal(page.status, 200);
  const csp = page.headers.get('content-security-policy')!;
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.doesNotMatch(page.body, /<script>|<script [^>]*>[^<]/, 'no inline script in the page');
  assert.ok((await api('/api/info')).headers.get('content-security-policy'));
  for (const path of ['/app/../server.ts', '/app/%2e%2e/server.ts', '/vendor/katex/fonts/../katex.js', '/etc/passwd', '/app/Main.js']) {
    assert.equal((await api(path)).status, 404, path);
  }
  assert.equal((await api('/vendor/katex/katex.mjs')).status, 200);
  // A DNS-rebinding page would send its own Host name.
  const rebound = await new Promise<number>((resolve, reject) => {
    const r = httpRequest({ host: '127.0.0.1', port: view.port, path: '/api/info', headers: { Host: 'evil.example:80' } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    r.on('error', reject);
    r.end();
  });
  assert.equal(rebound, 421);
  const question = readRun(db).questions.find((q) => q.nodes.some((n) => n.reward !== null))!;
  const leaf = question.nodes.find((n) => n.reward !== null)!;
  const body = JSON.stringify({ questionId: question.questionId, nodeId: leaf.id, scope: 'path', mark: 'rejected' });
  assert.equal((await api('/api/annotations', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body })).status, 403);
  assert.equal((await api('/api/annotations', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status, 403);
  assert.equal(
    (await api('/api/annotations', { method: 'POST', headers: { ...WRITE_HEADERS, Origin: 'http://evil.example' }, body })).status,
    403,
  );
  assert.equal(nodeOf(db, question.questionId, leaf.id).annotation, null);
});

test('off loopback every request needs the token; the URL trades it for a cookie', async () => {
  const open = await startViewServer({ target: db, reviewer: 'carol', host: '0.0.0.0' });
  try {
    assert.ok(open.token && open.token.length >= 32);
    const at = `http://127.0.0.1:${open.port}`;
    assert.equal((await fetch(at + '/api/info')).status, 401);
    assert.equal((await fetch(at + '/')).status, 401);
    assert.equal((await fetch(at + '/api/info', { headers: { Authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(at + '/api/info', { headers: { Authorization: `Bearer ${open.token}` } })).status, 200);
    const traded = await fetch(`${at}/?token=${open.token}`, { redirect: 'manual' });
    assert.equal(traded.status, 303);
    const cookie = traded.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.equal((await fetch(at + '/api/info', { headers: { Cookie: cookie.split(';')[0]! } })).status, 200);
  } finally {
    await open.close();
  }
});

test('a run folder serves each of its search databases', async () => {
  const folder = join(dir, 'runfolder');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(folder, 'round-1', 'search'), { recursive: true });
  await snapshot(db, join(folder, 'round-1', 'search', 'run.db'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(folder, 'report.html'), '<!doctype html><style>p{color:red}</style><p>report</p>');
  writeFileSync(
    join(folder, 'summary.json'),
    JSON.stringify({
      stages: [
        {
          stage: 'base',
          description: 'the base model',
          model: 'm.gguf',
          accuracy: 0.25,
          no_answer_rate: 0.1,
          n: 400,
          set: 'held-out',
          sets: [],
        },
      ],
      search: [
        {
          round: 1,
          questions: 6,
          finished: 6,
          solved: 5,
          rollouts: 40,
          correct_rollouts: 9,
          nodes: 300,
          prompt_tokens: 1,
          completion_tokens: 1,
          wall_s: 12.5,
          rollouts_per_question: [],
        },
      ],
      data: [
        {
          name: 'round-1',
          sft_rows: 5,
          dpo_pairs: 4,
          sft_lengths: [],
          chosen_lengths: [],
          rejected_lengths: [],
          common_prefix_chars: [],
          dir: 'round-1/data',
        },
      ],
    }),
  );
  const served = await startViewServer({ target: folder, reviewer: 'dan' });
  const at = `http://127.0.0.1:${served.port}`;
  try {
    const info = (await (await fetch(`${at}/api/info`)).json()) as any;
    assert.deepEqual(info.databases, [join('round-1', 'search', 'run.db')]);
    assert.equal((await fetch(`${at}/api/info?db=1`)).status, 400);
    const summary = (await (await fetch(`${at}/api/run-folder`)).json()) as any;
    assert.equal(summary.hasReport, true);
    assert.equal(summary.stages[0].accuracy, 0.25);
    assert.ok(Math.abs(summary.stages[0].accuracySe - Math.sqrt((0.25 * 0.75) / 400)) < 1e-12);
    assert.deepEqual(summary.data, [{ name: 'round-1', sftRows: 5, dpoPairs: 4, dir: 'round-1/data' }]);
    const report = await fetch(`${at}/report.html`);
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-security-policy')!, /^sandbox;/);
    writeFileSync(join(folder, 'summary.json'), '{"stages": [');
    const broken = await fetch(`${at}/api/run-folder`);
    assert.equal(broken.status, 400);
    assert.match(((await broken.json()) as any).error, /summary\.json: not JSON/);
    assert.equal((await fetch(`http://127.0.0.1:${view.port}/api/run-folder`)).status, 404, 'a database file has no run folder');
  } finally {
    await served.close();
  }
  mkdirSync(join(dir, 'empty', 'data'), { recursive: true });
  await assert.rejects(
    startViewServer({ target: join(dir, 'empty'), reviewer: 'x' }),
    /empty field "RUN_FOLDER": holds no search database/,
  );
  await assert.rejects(startViewServer({ target: join(dir, 'nope.db'), reviewer: 'x' }), /no such search database or run folder/);
});

test('the CLI prints the URL, serves until SIGTERM, and names bad flags and files', { timeout: 60_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BIN, 'view', db, '--port', '0', '--host', '0.0.0.0', '--reviewer', 'erin'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m && /access token/.test(out)) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  assert.match(url, /\?token=[0-9a-f]{48}$/);
  const token = new URL(url).searchParams.get('token')!;
  const info = await fetch(new URL('/api/info', url), { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(((await info.json()) as any).reviewer, 'erin');
  const code = await new Promise<number | null>((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
  assert.equal(code, 0);
  const fail = async (args: string[]) => {
    try {
      await promisify(execFile)(process.execPath, [BIN, 'view', ...args], { timeout: 30_000 });
      return { code: 0, stderr: '' };
    } catch (error) {
      return error as { code: number; stderr: string };
    }
  };
  const badPort = await fail([db, '--port', '70000']);
  assert.equal(badPort.code, 1);
  assert.match(badPort.stderr, /field "--port"/);
  const noRun = await fail([db, '--run', '5']);
  assert.equal(noRun.code, 1);
  assert.match(noRun.stderr, /has no run 5/);
  const missing = await fail([join(dir, 'missing.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /missing\.db: no such search database or run folder/);
  const notStore = join(dir, 'paths.jsonl');
  (await import('node:fs')).writeFileSync(notStore, '{}\n');
  const foreign = await fail([notStore]);
  assert.equal(foreign.code, 1);
  assert.match(foreign.stderr, /paths\.jsonl/);
});

test('undo refuses to overwrite a later mark by another reviewer', async () => {
  const question = readRun(db)
    .questions.filter((q) => q.nodes.some((n) => n.reward !== null))
    .at(-1)!;
  const leaf = question.nodes.filter((n) => n.reward !== null).at(-1)!;
  const target = { questionId: question.questionId, nodeId: leaf.id };
  const bob = await startViewServer({ target: db, reviewer: 'bob' });
  try {
    assert.equal((await post('/api/annotations', { ...target, scope: 'path', mark: 'accepted' })).status, 200);
    const bobMark = await fetch(`http://127.0.0.1:${bob.port}/api/annotations`, {
      method: 'POST',
      headers: WRITE_HEADERS,
      body: JSON.stringify({ ...target, scope: 'path', mark: 'rejected' }),
    });
    assert.equal(bobMark.status, 200);
    const undo = await post('/api/annotations/undo', {});
    assert.equal(undo.status, 409);
    assert.match(undo.body.error, new RegExp(`node ${leaf.id} of question "${question.questionId}" was marked rejected after your entry`));
    assert.equal(nodeOf(db, question.questionId, leaf.id).annotation, 'rejected', "bob's mark stays");
  } finally {
    await bob.close();
  }
});
