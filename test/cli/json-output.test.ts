/**
 * json-output.ts, the guarantee behind --json: once stdout is reserved, whatever else writes to
 * stdout (console.log, process.stdout.write, a worker thread's console, as llama.cpp bindings and
 * tfjs do) lands on stderr, and only writeJsonLine reaches stdout. Run in a child process, so the
 * real file descriptors are checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const module = fileURLToPath(new URL('../../src/cli/json-output.ts', import.meta.url));

test('reserved stdout: console.log, stdout.write and a worker thread go to stderr; only the JSON stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-json-output-'));
  try {
    const script = join(dir, 'child.mts');
    writeFileSync(
      script,
      `import { Worker } from 'node:worker_threads';
import { releaseStdout, reserveStdoutForJson, writeJsonLine } from ${JSON.stringify(module)};
reserveStdoutForJson();
console.log('library banner');
process.stdout.write('progress 1/2\\n');
await new Promise((resolve) => new Worker("console.log('worker says hi')", { eval: true }).on('exit', resolve));
writeJsonLine({ ok: true, n: 2 });
writeJsonLine({ ok: true, n: 3 });
releaseStdout();
process.stdout.write('after release\\n');
`,
    );
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    assert.equal(stdout, '{"ok":true,"n":2}\n{"ok":true,"n":3}\nafter release\n');
    for (const line of ['library banner', 'progress 1/2', 'worker says hi'])
      assert.ok(stderr.includes(`${line}\n`), `${line} on stderr:\n${stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every command has --json and a row in docs/cli.md, and the table names no command that does not exist', async () => {
  const { buildProgram } = await import('../../src/cli/main.ts');
  const program = await buildProgram();
  const commands = program.commands.map((c) => c.name());
  for (const command of program.commands) {
    assert.ok(
      command.options.some((o) => o.long === '--json'),
      `treecot ${command.name()} has no --json`,
    );
  }
  const doc = readFileSync(fileURLToPath(new URL('../../docs/cli.md', import.meta.url)), 'utf8');
  const table = doc.slice(doc.indexOf('## The `--json` convention'), doc.indexOf('## Exit codes'));
  const documented = table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!));
  assert.deepEqual([...documented].sort(), [...commands].sort());
});

test('in one process, each reservation writes to the stdout in place when it starts (a caller that swapped stdout.write meanwhile keeps its own)', async () => {
  const { releaseStdout, reserveStdoutForJson, writeJsonLine } = await import('../../src/cli/json-output.ts');
  const real = process.stdout.write;
  const captured: string[][] = [[], []];
  try {
    for (const run of [0, 1]) {
      process.stdout.write = ((chunk: string) => (captured[run]!.push(chunk), true)) as typeof process.stdout.write;
      reserveStdoutForJson();
      writeJsonLine({ run });
      // No release here, as when an action throws inside a caller's own capture: the next reservation must not reuse this one.
      process.stdout.write = real;
    }
    releaseStdout();
    assert.equal(process.stdout.write, real, 'a writer the caller put back stays');
  } finally {
    process.stdout.write = real;
  }
  assert.deepEqual(captured, [['{"run":0}\n'], ['{"run":1}\n']]);
});
