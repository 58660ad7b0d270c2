/**
 * `--help` teaches: commands in workflow order, each command's runnable examples (from the top of its
 * source file) after its options, and the allowed values of enumerated options (commander choices),
 * which also reject anything else before the command runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { examplesFromSource } from '../../src/cli/help-examples.ts';

const bin = fileURLToPath(new URL('../../bin/treecot.js', import.meta.url));
const treecot = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

test('examples are read from the command file header, continuation lines included', () => {
  const source =
    '/**\n * `treecot x`: does x.\n *\n *   treecot x --a 1 \\\n *     --b 2\n *   npx treecot x --c   # note\n *\n * Prose that mentions treecot x is not an example.\n */\nexport {};';
  assert.deepEqual(examplesFromSource(source), ['treecot x --a 1 \\', '    --b 2', 'npx treecot x --c   # note']);
});

test('treecot --help lists commands in workflow order; a command help shows choices and examples', () => {
  const top = treecot('--help');
  assert.equal(top.status, 0);
  const order = ['demo', 'run', 'check', 'search', 'build', 'train', 'eval'].map((name) =>
    top.stdout.search(new RegExp(`^  ${name} `, 'm')),
  );
  assert.ok(
    order.every((at) => at >= 0),
    top.stdout,
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
    'commands out of workflow order',
  );
  const build = treecot('build', '--help');
  assert.match(
    build.stdout.replace(/\s+/g, ' '),
    /--chosen <strategy> DPO chosen \(choices: "shortest", "longest", "random", default: "shortest"\)/,
  );
  assert.match(build.stdout, /Examples:\n  treecot build run\.db --out data\//);
  const bad = treecot('search', '--mode', 'both', '--config', 'c.yaml', '--task', 'gsm8k', '--data', 'd.jsonl', '--out', 'o.db');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /'--mode <mode>' argument 'both' is invalid\. Allowed choices are completions, chat/);
});
