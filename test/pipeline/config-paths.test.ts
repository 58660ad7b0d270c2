/**
 * Paths inside a pipeline config resolve against the config file's folder, whatever the current
 * directory; a missing file is named (config file, field, resolved path) before any run folder is
 * written; `treecot run` and `treecot demo`'s config work from a directory outside the repository.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/core/index.ts';
import { checkConfigFiles, configFiles, loadPipelineConfig, resolveConfigPath } from '../../src/pipeline/index.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repoRoot, 'bin', 'treecot.js');

function configIn(dir: string, body: object): string {
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, JSON.stringify(body));
  return file;
}

const body = (gguf: string) => ({
  task: 'letter-count',
  policy: { gguf },
  search: { config: 'graph.yaml', questions: { file: 'sub/questions.json' } },
  eval: { sets: [{ name: 'held', file: '../held.json' }] },
});

test('relative paths resolve against the config folder, never the current directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'treecot-config-paths-'));
  const configDir = join(root, 'cfg');
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(configDir);
  mkdirSync(elsewhere);
  const file = configIn(configDir, body('model.gguf'));
  // A same-named file in the current directory must not be picked instead.
  writeFileSync(join(elsewhere, 'graph.yaml'), 'decoy');
  const previous = process.cwd();
  process.chdir(elsewhere);
  try {
    const loaded = loadPipelineConfig(join('..', 'cfg', 'pipeline.yaml'));
    assert.equal(resolveConfigPath(loaded, 'graph.yaml'), join(configDir, 'graph.yaml'));
    assert.equal(resolveConfigPath(loaded, '/abs/x.gguf'), '/abs/x.gguf');
    assert.deepEqual(configFiles(loaded), [
      { field: 'search.config', path: join(configDir, 'graph.yaml') },
      { field: 'policy.gguf', path: join(configDir, 'model.gguf') },
      { field: 'search.questions.file', path: join(configDir, 'sub', 'questions.json') },
      { field: 'eval.sets[0].file', path: join(root, 'held.json') },
    ]);
    assert.throws(
      () => checkConfigFiles(loaded),
      (e: unknown) =>
        ConfigError.isInstance(e) &&
        e.message.includes('cfg/pipeline.yaml') &&
        e.message.includes('search.config') &&
        e.message.includes(join(configDir, 'graph.yaml')),
    );
  } finally {
    process.chdir(previous);
    rmSync(root, { recursive: true, force: true });
  }
  void file;
});

test('the demo config resolves every file from outside the repository', () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'treecot-demo-cwd-'));
  const previous = process.cwd();
  process.chdir(elsewhere);
  try {
    const loaded = loadPipelineConfig(join(repoRoot, 'configs', 'pipeline-demo.yaml'));
    assert.doesNotThrow(() => checkConfigFiles(loaded));
    assert.equal(resolveConfigPath(loaded, loaded.config.policy.gguf!), join(repoRoot, 'models', 'policy-stage2.gguf'));
    assert.equal(resolveConfigPath(loaded, loaded.config.student!.gguf), join(repoRoot, 'models', 'student.gguf'));
  } finally {
    process.chdir(previous);
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('treecot run from another directory: a missing file is named and no run folder is written', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'treecot-run-cwd-'));
  try {
    const file = configIn(cwd, body('missing.gguf'));
    writeFileSync(join(cwd, 'graph.yaml'), 'x: 1');
    let stderr = '';
    let status = 0;
    try {
      execFileSync(process.execPath, [bin, 'run', '--config', 'pipeline.yaml', '--out', 'out'], {
        cwd,
        encoding: 'utf8',
        stdio: 'pipe',
        timeout: 60_000,
      });
    } catch (error) {
      const e = error as { status: number; stderr: string };
      status = e.status;
      stderr = e.stderr;
    }
    assert.equal(status, 1, stderr);
    assert.match(stderr, /policy\.gguf/);
    assert.ok(stderr.includes(join(cwd, 'missing.gguf')), stderr);
    assert.equal(existsSync(join(cwd, 'out')), false, `run folder written: ${readdirSync(cwd).join(', ')}`);
    void file;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
