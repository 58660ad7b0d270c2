import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../src/core/index.ts';
import { checkConfigFiles, loadPipelineConfig, parsePipelineConfig, resolveConfigPath, runPipeline } from '../../src/pipeline/index.ts';
import { binValues } from '../../src/pipeline/svg.ts';
import { loadSearchConfig } from '../../src/search/index.ts';

const minimal = () => ({
  task: 'letter-count',
  policy: { gguf: 'models/builtin.gguf' },
  search: { config: 'configs/letter-count-builtin.yaml', questions: { generate: { count: 4, words: 'train' } } },
  eval: { sets: [{ name: 'heldout', generate: { count: 4 } }] },
});

test('the shipped pipeline configs are valid', () => {
  for (const file of [
    'configs/pipeline-demo.yaml',
    'configs/pipeline-demo-full.yaml',
    'configs/pipeline-demo-single.yaml',
    'configs/pipeline-gsm8k-vllm.yaml',
  ]) {
    const loaded = loadPipelineConfig(file);
    const { config } = loaded;
    assert.ok(config.eval.sets.length >= 1, file);
    // Every file it names ships with treecot (relative to configs/), and its search config is valid.
    assert.doesNotThrow(() => checkConfigFiles(loaded), file);
    assert.doesNotThrow(
      () => loadSearchConfig(resolveConfigPath(loaded, config.search.config)),
      `${file}: search.config ${config.search.config}`,
    );
  }
  // The demo has the paper's two roles: the policy searches, the student is trained.
  const demo = loadPipelineConfig('configs/pipeline-demo.yaml').config;
  assert.equal(demo.policy.gguf, '../models/policy-stage2.gguf');
  assert.equal(demo.student?.gguf, '../models/student.gguf');
  assert.equal(demo.train.preference.alpha, 1);
  // The distilled long-CoT row (Table 4) is in the full profile; the quick one stays within 15 minutes.
  assert.equal(demo.train.long_cot_baseline, false);
  const full = loadPipelineConfig('configs/pipeline-demo-full.yaml').config;
  assert.equal(full.train.long_cot_baseline, true);
  // Both profiles measure the same two models.
  assert.deepEqual([full.policy.gguf, full.student?.gguf], [demo.policy.gguf, demo.student?.gguf]);
  assert.deepEqual(
    demo.eval.sets.map((s) => s.generate?.phrasings),
    ['policy', 'held-out'],
  );
  assert.equal(loadPipelineConfig('configs/pipeline-demo-single.yaml').config.policy.gguf, '../models/builtin.gguf');
});

test('bad pipeline configs name the file and the field', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...minimal(), task: undefined }, /p\.yaml field "task"/],
    [{ ...minimal(), policy: { gguf: 'a', urls: ['b'] } }, /field "policy": give exactly one of `gguf` or `urls`/],
    [{ ...minimal(), eval: { k: [4], sets: minimal().eval.sets } }, /field "eval\.k": every k must be <= eval\.n/],
    [
      {
        ...minimal(),
        eval: {
          sets: [
            { name: 'a', generate: { count: 1 } },
            { name: 'a', generate: { count: 2 } },
          ],
        },
      },
      /field "eval\.sets": set name "a" is used twice/,
    ],
    [{ ...minimal(), train: { preference: { eps: 0.7 } } }, /field "train\.preference\.eps"/],
    [{ ...minimal(), eval: { sets: [{ name: 'x', file: 'a.json', generate: { count: 1 } }] } }, /field "eval\.sets\.0"/],
    [{ ...minimal(), search: { ...minimal().search, typo: 1 } }, /field "search"/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(
      () => parsePipelineConfig(raw, 'p.yaml'),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
      String(message),
    );
  }
  assert.throws(() => loadPipelineConfig('no/such/file.yaml'), /no\/such\/file\.yaml: config file not found/);
});

test('a run folder made with another config is refused, nothing in it is touched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-pipeline-config-'));
  const out = join(dir, 'run');
  // Every input file exists (the search config by absolute path), so the first run passes the
  // checks, claims the folder, and only then fails opening the (missing) model.
  const search = { ...minimal().search, config: resolve('configs/letter-count-builtin.yaml') };
  writeFileSync(join(dir, 'a.yaml'), JSON.stringify({ ...minimal(), search, seed: 1, policy: { gguf: join(dir, 'missing.gguf') } }));
  writeFileSync(join(dir, 'b.yaml'), JSON.stringify({ ...minimal(), search, seed: 2, policy: { gguf: join(dir, 'missing.gguf') } }));
  await assert.rejects(runPipeline({ loaded: loadPipelineConfig(join(dir, 'a.yaml')), outDir: out, log: () => {} }));
  const claimed = readFileSync(join(out, 'pipeline.json'), 'utf8');
  await assert.rejects(
    runPipeline({ loaded: loadPipelineConfig(join(dir, 'b.yaml')), outDir: out, log: () => {} }),
    /was made with a different config/,
  );
  assert.equal(readFileSync(join(out, 'pipeline.json'), 'utf8'), claimed);
});

test('histogram bins cover the range and count every value once', () => {
  const { edges, counts } = binValues([0, 1, 2, 3, 4, 10], 5);
  assert.deepEqual(edges, [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(counts, [2, 2, 1, 0, 1]);
});
