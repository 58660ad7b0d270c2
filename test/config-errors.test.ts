/**
 * Every zod-validated config and options parser reports through the one converter
 * (configErrorFromZod): the same location, the same unknown-field message, the value found.
 * A table over the five parsers, so a parser that drifts back to its own wording fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../src/core/index.ts';
import { loadSearchConfig, parseSearchConfig } from '../src/search/index.ts';
import { loadPipelineConfig, parsePipelineConfig } from '../src/pipeline/config.ts';
import { parseTrainConfig } from '../src/train/config.ts';
import { parseBuildOptions, parseTrlBundleOptions } from '../src/data/index.ts';

const graph = { root: { next_step: { answer: 1 } }, answer: {} };
const pipeline = {
  task: 'letter-count',
  policy: { gguf: 'models/builtin.gguf' },
  search: { config: 'configs/letter-count-builtin.yaml', questions: { generate: { count: 4, words: 'train' } } },
  eval: { sets: [{ name: 'heldout', generate: { count: 4 } }] },
};

interface Case {
  name: string;
  parse: (input: unknown) => unknown;
  /** Source label the parser puts first. */
  file: string;
  docs: string;
  unknown: { input: unknown; field: string; owner: string; key: string };
  bad: { input: unknown; field: string; got: string };
}

const cases: Case[] = [
  {
    name: 'search config',
    parse: (raw) => parseSearchConfig(raw, 's.yaml'),
    file: 's.yaml',
    docs: 'docs/search.md',
    unknown: { input: { graph, search: { uct: 2 } }, field: 'search.uct', owner: 'field "search"', key: 'uct' },
    bad: { input: { graph, sampling: { temperature: 'hot' } }, field: 'sampling.temperature', got: '"hot"' },
  },
  {
    name: 'pipeline config',
    parse: (raw) => parsePipelineConfig(raw, 'p.yaml'),
    file: 'p.yaml',
    docs: 'docs/pipeline.md',
    unknown: { input: { ...pipeline, seeds: 3 }, field: 'seeds', owner: 'the top level', key: 'seeds' },
    bad: { input: { ...pipeline, train: { preference: { eps: 0.7 } } }, field: 'train.preference.eps', got: '0.7' },
  },
  {
    name: 'train options',
    parse: (input) => parseTrainConfig(input, '(command line)'),
    file: '(command line)',
    docs: 'docs/train.md',
    unknown: { input: { epsilon: 0.1 }, field: 'epsilon', owner: 'the top level', key: 'epsilon' },
    bad: { input: { alpha: -1 }, field: 'alpha', got: '-1' },
  },
  {
    name: 'build options',
    parse: (input) => parseBuildOptions(input),
    file: 'build options',
    docs: 'docs/data.md',
    unknown: { input: { chosenStrategy: 'shortest' }, field: 'chosenStrategy', owner: 'the top level', key: 'chosenStrategy' },
    bad: { input: { sft: 'best' }, field: 'sft', got: '"best"' },
  },
  {
    name: 'export-trl options',
    parse: (input) => parseTrlBundleOptions(input),
    file: 'export-trl options',
    docs: 'docs/data.md',
    unknown: { input: { base: 'm', label_smoothing: 0.1 }, field: 'label_smoothing', owner: 'the top level', key: 'label_smoothing' },
    bad: { input: { base: 'm', eps: 0.5 }, field: 'eps', got: '0.5' },
  },
];

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

for (const c of cases) {
  test(`${c.name}: an unknown key is the field, named with its owner and the docs page`, () => {
    const error = errorOf(() => c.parse(c.unknown.input));
    assert.equal(error.location.file, c.file);
    assert.equal(error.location.field, c.unknown.field);
    assert.equal(
      error.message,
      `${c.file} field "${c.unknown.field}": unknown field: ${c.unknown.owner} has no "${c.unknown.key}"; check the spelling against ${c.docs}`,
    );
  });

  test(`${c.name}: a bad value names the field and shows what was found`, () => {
    const error = errorOf(() => c.parse(c.bad.input));
    assert.equal(error.location.field, c.bad.field);
    assert.ok(error.message.startsWith(`${c.file} field "${c.bad.field}": `), error.message);
    assert.ok(error.message.endsWith(` (got ${c.bad.got})`), error.message);
  });

  test(`${c.name}: a value that is not an object is a "(root)" problem`, () => {
    const error = errorOf(() => c.parse(['not', 'an', 'object']));
    assert.equal(error.location.field, '(root)');
    assert.match(error.message, /expected object.*\(got \["not","an","object"\]\)$/);
  });
}

test('a missing field shows no "(got ...)"; a long value is cut', () => {
  const missing = errorOf(() => parseTrlBundleOptions({}));
  assert.equal(missing.location.field, 'base');
  assert.doesNotMatch(missing.message, /\(got/);
  const long = errorOf(() => parseTrlBundleOptions({ base: 'm', masking: 'x'.repeat(200) }));
  assert.match(long.message, /\(got "x{56}\.\.\.\)$/);
});

test('config files read from YAML name the line: pipeline and search configs alike', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treecot-config-errors-'));
  const pipelineYaml = [
    'task: letter-count',
    'policy: { gguf: models/builtin.gguf }',
    'search:',
    '  config: configs/letter-count-builtin.yaml',
    '  questions: { generate: { count: 4, words: train } }',
    '  max_rolouts: 8',
    'eval:',
    '  sets: [{ name: heldout, generate: { count: 4 } }]',
    '  k: [4]',
  ].join('\n');
  const pipelineFile = join(dir, 'p.yaml');
  writeFileSync(pipelineFile, pipelineYaml);
  const unknown = errorOf(() => loadPipelineConfig(pipelineFile));
  assert.equal(
    unknown.message,
    `${pipelineFile}:6 field "search.max_rolouts": unknown field: field "search" has no "max_rolouts"; check the spelling against docs/pipeline.md`,
  );
  writeFileSync(
    pipelineFile,
    pipelineYaml.replace('  max_rolouts: 8', '  max_rollouts: 8').replace('count: 4 } }]', 'count: 4 } }]\n  n: 2'),
  );
  const crossField = errorOf(() => loadPipelineConfig(pipelineFile));
  assert.match(crossField.message, /p\.yaml:10 field "eval\.k": every k must be <= eval\.n \(2\)/);
  writeFileSync(pipelineFile, 'task: letter-count\npolicy: [\n');
  assert.match(errorOf(() => loadPipelineConfig(pipelineFile)).message, /p\.yaml:\d+: cannot parse: /);

  const searchFile = join(dir, 's.yaml');
  writeFileSync(searchFile, 'graph:\n  root: { next_step: { answer: 1 } }\n  answer: {}\nsampling:\n  top_p: 2\n');
  assert.match(errorOf(() => loadSearchConfig(searchFile)).message, /s\.yaml:5 field "sampling\.top_p": .* \(got 2\)$/);
});
