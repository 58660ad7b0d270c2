import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/index.ts';
import { loadSearchConfig, configHash, searchInstruction } from '../../src/search/index.ts';
import { loadSearchSettings } from '../../src/pipeline/adapters.ts';
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

test("searchInstruction: the task's default instruction names the tags the graph writes; a config's own is kept", async () => {
  const graph = (tags: Record<string, string>) =>
    `graph:
  root: { next_step: { sub_task: 1 } }
  sub_task: { ${tags.sub_task ? `tag: ${tags.sub_task}, ` : ''}next_step: { thinking: 1 } }
  thinking: { ${tags.thinking ? `tag: ${tags.thinking}, ` : ''}next_step: { double_check: 1 } }
  double_check: { ${tags.double_check ? `tag: ${tags.double_check}, ` : ''}next_step: { answer: 1 } }
  reflection: { ${tags.reflection ? `tag: ${tags.reflection}, ` : ''}next_step: { thinking: 1 } }
  answer: { ${tags.answer ? `tag: ${tags.answer}, ` : ''}next_step: {} }
`;
  const authors = loadSearchConfig(write('authors-tags.yaml', graph({}))).config;
  assert.equal(searchInstruction(authors, LETTER_COUNT_BASE_PROMPT), LETTER_COUNT_BASE_PROMPT);
  // thinking is written <step> and double_check <thinking>: the default's <thinking> becomes <step>
  // and its <double-check> becomes <thinking> (one pass, never renamed twice).
  const file = write(
    'renamed-tags.yaml',
    graph({ sub_task: 'plan', thinking: 'step', double_check: 'thinking', reflection: 'wait', answer: 'final' }),
  );
  const renamed = searchInstruction(loadSearchConfig(file).config, LETTER_COUNT_BASE_PROMPT);
  assert.doesNotMatch(renamed, /<sub-task>|<double-check>|<reflection>|<answer>/);
  assert.match(renamed, /break down the task in <plan>/);
  assert.match(renamed, /In <step>, you need to complete the tasks/);
  assert.match(renamed, /In <thinking>, ensure that the steps in <step> are correct/);
  assert.match(renamed, /In <wait>, correct your mistakes/);
  assert.match(renamed, /In <final>, output your answer/);
  // Only the tag names change.
  assert.equal(renamed.replace(/<[a-z-]+>/g, '<>'), LETTER_COUNT_BASE_PROMPT.replace(/<[a-z-]+>/g, '<>'));
  // The pipeline and treecot eval --search-config read it the same way; a config's own instruction is used as written.
  assert.equal((await loadSearchSettings(file, 'letter-count')).instruction, renamed);
  const own = write('own-instruction.yaml', `instruction: "Use <sub-task> anyway. "\n${graph({ sub_task: 'plan' })}`);
  assert.equal((await loadSearchSettings(own, 'letter-count')).instruction, 'Use <sub-task> anyway. ');
  const empty = write('empty-instruction.yaml', `instruction: ""\n${graph({ sub_task: 'plan' })}`);
  assert.equal((await loadSearchSettings(empty, 'letter-count')).instruction, '');
  // Roles, not type names: a reflection type `rethink` backtracking to a `verify` ancestor stands for
  // the authors' <reflection> and <double-check>, without any `tag:`.
  const roles = loadSearchConfig(
    write(
      'renamed-roles.yaml',
      `search: { reflection_type: rethink, reflection_ancestor: verify }
graph:
  root: { next_step: { thinking: 1 } }
  thinking: { next_step: { verify: 1 } }
  verify: { next_step: { answer: 1 } }
  rethink: { next_step: { thinking: 1 } }
  number: { tag: num, next_step: { answer: 1 } }
  answer: { next_step: {} }
`,
    ),
  ).config;
  const rolesText = searchInstruction(roles, LETTER_COUNT_BASE_PROMPT + ' Write #### <number>.');
  assert.match(rolesText, /In <verify>, ensure that the steps in <thinking> are correct/);
  assert.match(rolesText, /In <rethink>, correct your mistakes/);
  // A type that is none of the authors' roles renames nothing: `<number>` is a placeholder here.
  assert.match(rolesText, /Write #### <number>\.$/);
});
