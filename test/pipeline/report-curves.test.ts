/**
 * The run report's training curves: on a real tiny pipeline run (test/pipeline/fixture.ts), report.html
 * holds a loss chart per training stage and a reward-margin chart for the preference stage, whose
 * points are the steps and values of that stage's train-log.jsonl (checked by inverting the chart's
 * linear axes, not by calling the chart code); report.md lists the same values. Long and broken logs:
 * thinned to MAX_CURVE_POINTS with the last step kept; a bad line is an error naming file, line, field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipelineConfig, runPipeline } from '../../src/pipeline/index.ts';
import { lineChart } from '../../src/pipeline/svg.ts';
import { MAX_CURVE_POINTS, readTrainingCurve } from '../../src/pipeline/training-curves.ts';
import { fixturePolicy, writePipelineFixture } from './fixture.ts';

/** The <svg> whose title text starts with `title`, or undefined. */
function chart(html: string, title: string): string | undefined {
  return html.match(/<svg[\s\S]*?<\/svg>/g)?.find((svg) => svg.includes(`font-weight="bold">${title}`));
}

/** The polyline's points as [x, y] pairs. */
function polyline(svg: string): [number, number][] {
  const points = svg.match(/<polyline[^>]* points="([^"]*)"/)![1]!;
  return points.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

/** Points lie on value -> pixel maps that are affine in each axis (x grows with the step, y falls as the value grows). */
function assertAffine(pixels: number[], values: number[], increasing: boolean, what: string): void {
  assert.equal(pixels.length, values.length, `${what}: one point per logged step`);
  const i0 = values.indexOf(Math.min(...values));
  const i1 = values.indexOf(Math.max(...values));
  assert.notEqual(values[i0], values[i1], `${what}: the test needs distinct values`);
  const slope = (pixels[i1]! - pixels[i0]!) / (values[i1]! - values[i0]!);
  assert.ok(increasing ? slope > 0 : slope < 0, `${what}: slope ${slope}`);
  values.forEach((v, i) => {
    const expected = pixels[i0]! + slope * (v - values[i0]!);
    assert.ok(Math.abs(pixels[i]! - expected) < 0.02, `${what} point ${i}: pixel ${pixels[i]} vs ${expected} for value ${v}`);
  });
}

const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, number>);

test('report.html: a loss curve per training stage and a reward-margin curve for the preference stage, from train-log.jsonl', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-report-curves-'));
  try {
    const out = join(dir, 'run');
    const summary = await runPipeline({
      loaded: loadPipelineConfig(writePipelineFixture(dir, { heldoutOnly: true })),
      outDir: out,
      log: () => {},
      openPolicy: fixturePolicy(),
    });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.doesNotMatch(html, /<script/i);
    assert.deepEqual(
      summary.train.map((t) => t.stage),
      ['sft', 'final'],
    );
    for (const stage of ['sft', 'final']) {
      const log = jsonl(join(out, 'round-1', stage, 'train-log.jsonl'));
      assert.equal(log.length, 3);
      const loss = chart(html, `Training loss: ${stage}`);
      assert.ok(loss, `no loss chart for ${stage}`);
      const points = polyline(loss);
      assertAffine(
        points.map((p) => p[0]),
        log.map((r) => r.step!),
        true,
        `${stage} loss x`,
      );
      assertAffine(
        points.map((p) => p[1]),
        log.map((r) => r.loss!),
        false,
        `${stage} loss y`,
      );
      for (const r of log)
        assert.ok(loss.includes(`<title>step ${r.step}: loss ${r.loss!.toPrecision(4)}</title>`), `step ${r.step} marker`);
      // report.md: the same values in its curve table.
      const section = md.slice(md.indexOf(`### Training curve: ${stage}`));
      for (const r of log) assert.match(section, new RegExp(`\\| ${r.step} \\| ${r.loss!.toFixed(4)} \\|`));
    }
    assert.equal(chart(html, 'Reward margin (rewards/margins): sft'), undefined, 'SFT has no reward margin');
    const margin = chart(html, 'Reward margin (rewards/margins): final');
    assert.ok(margin, 'no reward-margin chart for the preference stage');
    const log = jsonl(join(out, 'round-1', 'final', 'train-log.jsonl'));
    assert.equal(log[0]!['rewards/margins'], 0, 'policy = reference at the first step');
    assertAffine(
      polyline(margin).map((p) => p[1]),
      log.map((r) => r['rewards/margins']!),
      false,
      'reward margin y',
    );
    assert.match(margin, /stroke-dasharray="5,4"/, 'the zero line');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a long log is thinned to MAX_CURVE_POINTS keeping the last step; a bad line names file, line and field; NaN is left out of the chart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-curve-log-'));
  try {
    const file = join(dir, 'train-log.jsonl');
    const steps = 1001;
    writeFileSync(
      file,
      Array.from({ length: steps }, (_, i) => JSON.stringify({ step: i + 1, loss: 1 / (i + 1), 'rewards/margins': i / 10 })).join('\n') +
        '\n',
    );
    const curve = readTrainingCurve(file);
    assert.equal(curve.every, Math.ceil(steps / MAX_CURVE_POINTS));
    assert.ok(curve.step.length <= MAX_CURVE_POINTS + 1);
    assert.equal(curve.step[0], 1);
    assert.equal(curve.step.at(-1), steps, 'the last step is kept');
    assert.equal(curve.loss[1], 1 / (1 + curve.every));
    assert.equal(curve.reward_margin!.at(-1), (steps - 1) / 10);

    writeFileSync(file, `${JSON.stringify({ step: 1, loss: 2 })}\n${JSON.stringify({ step: 2, loss: 'high' })}\n`);
    assert.throws(
      () => readTrainingCurve(file),
      (e: Error) => e.message.includes(`${file}:2`) && e.message.includes('"loss"'),
    );

    // A diverged step logs loss null (JSON has no NaN): kept as NaN, left out of the chart and counted.
    writeFileSync(file, [1, null, 3].map((loss, i) => JSON.stringify({ step: i + 1, loss })).join('\n') + '\n');
    const diverged = readTrainingCurve(file);
    assert.ok(Number.isNaN(diverged.loss[1]));
    const svg = lineChart(diverged.step, diverged.loss, 'loss', { title: 'Training loss', xLabel: 'step' });
    assert.equal(polyline(svg).length, 2);
    assert.match(svg, /1 non-finite values left out/);
    assert.doesNotMatch(svg, /NaN/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
