/**
 * `import { ... } from 'treecot'` works for a library user: a consumer folder whose
 * node_modules/treecot links to this repository runs plain `node` (no tsx flag) on an ESM script that
 * imports named exports through package.json `exports`, and uses them. lib/index.js must also
 * re-export exactly the runtime names of src/index.ts (regenerate with `npm run write:lib-exports`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

test('lib/index.js re-exports exactly the runtime names of src/index.ts', async () => {
  const api = await import('../../src/index.ts');
  const libSource = readFileSync(join(repoRoot, 'lib/index.js'), 'utf8');
  const block = /export const \{([^}]*)\} = api;/.exec(libSource);
  assert.ok(block, 'lib/index.js has no `export const { ... } = api;` block');
  const listed = block[1]!.split(',').map((name) => name.trim()).filter(Boolean).sort();
  assert.deepEqual(listed, Object.keys(api).sort(), 'lib/index.js is stale: run `npm run write:lib-exports`');
});

test("a consumer imports named exports from 'treecot' with plain node", () => {
  const consumer = mkdtempSync(join(tmpdir(), 'treecot-consumer-'));
  try {
    mkdirSync(join(consumer, 'node_modules'));
    symlinkSync(repoRoot, join(consumer, 'node_modules', 'treecot'), 'dir');
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    writeFileSync(join(consumer, 'use.js'), [
      "import { getTask, Rng, passAtK } from 'treecot';",
      "const gsm8k = getTask('gsm8k');",
      "const verdict = gsm8k.verify('so the answer is #### 1,234', { id: 'q', prompt: 'p', reference: { answer: '1234', solution: null } });",
      'console.log(JSON.stringify({ verdict: verdict.verdict, draw: new Rng(7).int(0, 1000) === new Rng(7).int(0, 1000), pass: passAtK(8, 2, 1) }));',
    ].join('\n'));
    const out = execFileSync(process.execPath, ['use.js'], { cwd: consumer, encoding: 'utf8', timeout: 60_000 });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    assert.deepEqual(result, { verdict: 'correct', draw: true, pass: 0.25 });
  } finally {
    rmSync(consumer, { recursive: true, force: true });
  }
});
