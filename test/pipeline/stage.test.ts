import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/index.ts';
import { readStageMarker, StageRunner, STAGE_MARKER, type Stage } from '../../src/pipeline/index.ts';

/** A stage that writes `out.txt` and counts its runs. */
function counting(dir: string, inputs: string[], runs: { n: number }, write = true): Stage<number> {
  const output = join(dir, 'out.txt');
  return {
    name: 'build round 1',
    dir,
    inputs,
    outputs: [output],
    run: async () => {
      runs.n++;
      if (write) writeFileSync(output, 'rows\n');
      return 42;
    },
  };
}

test('a done stage is skipped with its stored result; its marker records its inputs and wall time', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'treecot-stage-')), 'data');
  const runs = { n: 0 };
  const lines: string[] = [];
  const runner = new StageRunner((l) => lines.push(l));
  assert.equal(await runner.run(counting(dir, ['round-1/search/run.db'], runs)), 42);
  assert.equal(await runner.run(counting(dir, ['round-1/search/run.db'], runs)), 42);
  assert.equal(runs.n, 1);
  assert.deepEqual(readStageMarker(dir)?.inputs, ['round-1/search/run.db']);
  assert.equal(runner.wallSeconds['build round 1'], readStageMarker(dir)!.wall_s);
  assert.match(lines.at(-1)!, /\[build round 1\] done earlier/);
});

test('a done stage whose marker recorded other inputs is refused, naming the marker and both inputs', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'treecot-stage-')), 'ablation', 'data-chosen-random');
  const runs = { n: 0 };
  const runner = new StageRunner(() => {});
  await runner.run(counting(dir, ['round-1/search/run.db'], runs));
  await assert.rejects(runner.run(counting(dir, ['round-2/search/run.db'], runs)), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.ok(error.message.includes(join(dir, STAGE_MARKER)));
    assert.ok(error.message.includes('round-1/search/run.db') && error.message.includes('round-2/search/run.db'));
    return true;
  });
  assert.equal(runs.n, 1);
});

test('a stage must write its declared outputs: no marker without them, and a marker whose output was deleted is refused', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'treecot-stage-')), 'data');
  const runner = new StageRunner(() => {});
  await assert.rejects(runner.run(counting(dir, [], { n: 0 }, false)), /finished without writing .*out\.txt/);
  assert.ok(!existsSync(join(dir, STAGE_MARKER)));

  await runner.run(counting(dir, [], { n: 0 }));
  rmSync(join(dir, 'out.txt'));
  await assert.rejects(runner.run(counting(dir, [], { n: 0 })), /marked done but .*out\.txt is missing/);
});
