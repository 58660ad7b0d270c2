import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/index.ts';
import { loadSearchConfig, configHash } from '../../src/search/index.ts';
import { LETTER_COUNT_BASE_PROMPT } from '../../src/tasks/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'treecot-config-'));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const GOOD = `graph:
  root:
    next_step: { thinking: 2 }
  thinking:
    next_step: { answer: 1 }
  answer: {}
`;

test("shipped configs load; letter-count carries the authors' base_prompt and demo graph", () => {
  for (const name of ['letter-count', 'letter-count-builtin', 'math', 'blocksworld']) loadSearchConfig(`configs/${name}.yaml`);
  const { config } = loadSearchConfig('configs/letter-count.yaml');
  assert.equal(config.instruction, LETTER_COUNT_BASE_PROMPT);
  assert.deepEqual(config.graph.thinking!.next_step, { double_check: 2, thinking: 2 });
  assert.equal(config.graph.double_check!.tag, 'double-check');
  assert.equal(config.graph.double_check!.special_model, true);
  assert.deepEqual(config.search.reward_thresholds, [4, 8]);
  const builtin = loadSearchConfig('configs/letter-count-builtin.yaml').config;
  assert.equal(builtin.format.separator, '');
  assert.equal(builtin.instruction, '');
  assert.equal(builtin.graph.thinking_from_scratch!.tag, 'thinking');
  assert.ok(builtin.graph.reflection!.prefill[0]!.endsWith('</reflection>'));
});

test('defaults are the authors\' values; JSON works too; "base" is accepted for the root', () => {
  const { config } = loadSearchConfig(write('good.yaml', GOOD));
  assert.equal(config.sampling.temperature, 0.7);
  assert.equal(config.sampling.top_p, 0.9);
  assert.equal(config.sampling.max_tokens, 512);
  assert.equal(config.search.uct_c, 1.414);
  const json = loadSearchConfig(write('good.json', JSON.stringify({ graph: { base: { next_step: { answer: 1 } }, answer: {} } })));
  assert.deepEqual(Object.keys(json.config.graph), ['root', 'answer']);
  assert.notEqual(configHash(config), configHash(json.config));
});

function expectError(name: string, text: string, pattern: RegExp) {
  const file = write(name, text);
  assert.throws(
    () => loadSearchConfig(file),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, pattern);
      assert.ok(e.message.startsWith(file), e.message);
      return true;
    },
  );
}

test('bad configs: errors name the file, the line and the field', () => {
  expectError(
    'bad-type.yaml',
    GOOD.replace('answer: 1', 'answr: 1'),
    /:5 field "graph\.thinking\.next_step\.answr": unknown node type "answr"/,
  );
  expectError(
    'bad-count.yaml',
    GOOD.replace('thinking: 2', 'thinking: 0'),
    /:3 field "graph\.root\.next_step\.thinking": .*>=1|:3 field "graph\.root\.next_step\.thinking"/,
  );
  expectError('bad-temp.yaml', `sampling:\n  temperature: hot\n${GOOD}`, /:2 field "sampling\.temperature"/);
  expectError('bad-key.yaml', `search:\n  uct: 2\n${GOOD}`, /:2 field "search\.uct": unknown field/);
  expectError(
    'bad-thresholds.yaml',
    `search:\n  reward_thresholds: [8, 4]\n${GOOD}`,
    /:2 field "search\.reward_thresholds": min 8 is above max 4/,
  );
  expectError(
    'no-answer.yaml',
    'graph:\n  root:\n    next_step: { thinking: 1 }\n  thinking:\n    next_step: { thinking: 1 }\n',
    /field "graph": the graph needs an "answer" type/,
  );
  expectError(
    'loop.yaml',
    'graph:\n  root:\n    next_step: { thinking: 1 }\n  thinking:\n    next_step: { thinking: 1 }\n  answer: {}\n',
    /:3 field "graph\.root\.next_step": no path from "root" reaches "answer"/,
  );
  expectError('syntax.yaml', 'graph:\n  root: [\n', /syntax\.yaml:\d+: cannot parse/);
  expectError(
    'prefill.yaml',
    GOOD.replace('  answer: {}', '  answer:\n    prefill: ["x</answer> more"]'),
    /:7 field "graph\.answer\.prefill\.0": the close tag <\/answer> may only end a prefill/,
  );
  assert.throws(() => loadSearchConfig(join(dir, 'missing.yaml')), /missing\.yaml: config file not found/);
});
