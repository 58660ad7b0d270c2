/**
 * The --json convention (docs/cli.md): stdout carries only JSON, people's text goes to stderr.
 * `treecot eval --json` against the loopback server: stdout is exactly one JSON object (the
 * summary), and the table it prints for people is on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOpenAITestServer } from '../helpers/openai-server.ts';

test('eval --json: stdout is one JSON object, the table goes to stderr', async () => {
  const server = await startOpenAITestServer({
    models: ['scripted'],
    responder: (r) => Array.from({ length: r.choices }, () => '<answer>3</answer>'),
  });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'treecot-json-'));
    const data = join(dir, 'q.json');
    writeFileSync(
      data,
      JSON.stringify([
        { id: 'a', problem: 'How many r in strawberry?', solution: 3 },
        { id: 'b', problem: 'How many a in banana?', solution: 3 },
      ]),
    );
    const bin = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      bin,
      'eval',
      '--task',
      'letter-count',
      '--data',
      data,
      '--policy',
      server.baseURL,
      '--template',
      'chatml',
      '--instruction',
      '',
      '--json',
    ]);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1, `stdout holds more than the JSON summary:\n${stdout}`);
    const summary = JSON.parse(lines[0]!);
    assert.equal(summary.questions, 2);
    assert.equal(summary.accuracy, 1);
    assert.match(stderr, /accuracy/);
  } finally {
    await server.close();
  }
});
