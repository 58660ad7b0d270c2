/**
 * `rounds: 2` with `--ablation`: every ablation row starts from the last round's SFT model, so it must
 * train on data built from the last round's search, and summary.json must say so. (Before the stages
 * were values, the ablation data folder was built in round 1 and silently reused in round 2.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipelineConfig, runPipeline } from '../../src/pipeline/index.ts';
import { fixturePolicy, HAVE_BUILTIN, writePipelineFixture } from './fixture.ts';

const json = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

// The scripted fallback policy searches alike in both rounds, so only a real model makes the rounds' data differ.
test(
  'rounds 2 --ablation: every ablation row trains on data of the last round, and summary.json names it',
  { skip: !HAVE_BUILTIN && 'needs models/builtin.gguf' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'treecot-rounds-ablation-'));
    const out = join(dir, 'run');
    // chosen = longest for the final stage, so the rows need two rebuilt variants (random and shortest).
    const loaded = loadPipelineConfig(writePipelineFixture(dir, { rounds: 2, chosen: 'longest', heldoutOnly: true }));
    const summary = await runPipeline({ loaded, outDir: out, ablation: true, alphaSweep: [1], log: () => {}, openPolicy: fixturePolicy() });

    // Which search a data folder was built from: its paths.jsonl holds every kept path of that search,
    // whatever its DPO `chosen`; its stats.json the build options.
    const paths = (d: string) => readFileSync(join(out, d, 'paths.jsonl'), 'utf8');
    const chosenOf = (d: string) => json<{ build: { options: { chosen: string } } }>(join(out, d, 'stats.json')).build.options.chosen;
    const builtFrom = (d: string) => [1, 2].filter((r) => paths(d) === paths(`round-${r}/data`));
    assert.notEqual(
      paths('round-1/data'),
      paths('round-2/data'),
      'the two rounds searched alike: the test could not tell their data apart',
    );

    // One data entry per folder, named after the round whose search it was built from.
    const dirs = summary.data.map((d) => d.dir);
    assert.deepEqual(dirs, [...new Set(dirs)], `a data folder is listed twice: ${dirs.join(', ')}`);
    for (const entry of summary.data) {
      const rounds = builtFrom(entry.dir);
      assert.equal(rounds.length, 1, `${entry.dir} matches rounds ${rounds.join(', ')}`);
      assert.match(
        entry.name,
        new RegExp(`^round ${rounds[0]}\\b`),
        `${entry.dir} (${entry.name}) was built from round ${rounds[0]}'s search`,
      );
    }
    assert.deepEqual(
      summary.data.map((d) => [d.name, d.dir]),
      [
        ['round 1', 'round-1/data'],
        ['round 2', 'round-2/data'],
        ['round 2 (chosen = random)', 'ablation/data-chosen-random'],
        ['round 2 (chosen = shortest)', 'ablation/data-chosen-shortest'],
      ],
    );

    // Each trained row: round 2's search, with the row's own DPO chosen; the final stages: their round's data.
    const rowChosen: Record<string, string> = {
      dpo: 'random',
      'length-balance': 'shortest',
      cdpo: 'shortest',
      joint: 'shortest',
      masking: 'shortest',
    };
    const trained = Object.fromEntries(summary.train.map((t) => [t.stage, t.data]));
    assert.deepEqual(Object.keys(trained), ['sft-r1', 'final-r1', 'sft-r2', 'final-r2', ...Object.keys(rowChosen)]);
    for (const [row, chosen] of Object.entries(rowChosen)) {
      const data = trained[row]!;
      assert.deepEqual(builtFrom(data), [2], `row ${row} trained on ${data}, not on round 2's data`);
      assert.equal(chosenOf(data), chosen, `row ${row} trained on ${data}`);
    }
    for (const r of [1, 2]) {
      assert.equal(trained[`sft-r${r}`], `round-${r}/data`);
      assert.equal(trained[`final-r${r}`], `round-${r}/data`);
      assert.equal(chosenOf(`round-${r}/data`), 'longest');
    }

    // The report names the round of the rows; alpha 1 (masked, chosen shortest) is the masking row's training.
    const stages = summary.stages.map((s) => s.stage);
    assert.deepEqual(stages, [
      'base',
      'sft-r1',
      'final-r1',
      'sft-r2',
      'final-r2',
      'dpo',
      'length-balance',
      'cdpo',
      'joint',
      'masking',
      'alpha-1',
    ]);
    for (const row of Object.keys(rowChosen))
      assert.match(summary.stages.find((s) => s.stage === row)!.description, /round 2's SFT model and search/);
    const masking = summary.stages.find((s) => s.stage === 'masking')!;
    const alpha = summary.stages.find((s) => s.stage === 'alpha-1')!;
    assert.equal(alpha.model, masking.model);
    assert.match(alpha.description, /the same training as masking/);
  },
);
