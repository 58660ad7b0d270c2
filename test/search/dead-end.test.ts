import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContextLengthError } from '../../src/core/index.ts';
import { ScriptedPolicy } from '../../src/policy/scripted-policy.ts';
import { parseSearchConfig, runSearch } from '../../src/search/index.ts';
import { readRun, SearchStore } from '../../src/store/index.ts';
import type { Problem } from '../../src/tasks/index.ts';
import { openedTag, verifyLetterCount } from './helpers.ts';

const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), 'treecot-dead-end-')), name);
const problem: Problem = { id: 'p1', question: 'What is the sum of the counts of e and u in subsensual?', reference: 3 };

function config(stopAtAnyTag: boolean) {
  return parseSearchConfig({
    instruction: '',
    format: { separator: '', stop_at_any_tag: stopAtAnyTag },
    search: { reward_thresholds: [1, 2], max_rollouts: 6, give_up_factor: 1 },
    graph: {
      root: { next_step: { sub_task: 1 } },
      sub_task: { next_step: { thinking: 2 } },
      thinking: { next_step: { double_check: 1, thinking: 1 } },
      double_check: { next_step: { answer: 1 } },
      reflection: { prefill: ['Wait!</reflection>'], next_step: { thinking_from_scratch: 1 } },
      thinking_from_scratch: { tag: 'thinking', next_step: { thinking: 1 } },
      answer: {},
    },
  });
}

test('a prompt that outgrows the context ends that path (reward 0, no reflection) instead of failing the question', async () => {
  const limit = 90; // characters of assistant prefix the scripted "model" can take
  const policy = new ScriptedPolicy({
    respond: (request, i) => {
      if (request.prompt.assistantPrefix.length > limit)
        throw new ContextLengthError(`prompt of ${request.prompt.assistantPrefix.length} chars does not fit ${limit}`);
      switch (openedTag(request)) {
        case 'sub-task':
          return 'e+u';
        case 'thinking':
          return `step${i}`;
        case 'double-check':
          return '2+1=3';
        case 'answer':
          return '3';
        default:
          return 'x';
      }
    },
  });
  const db = tmp('run.db');
  const summary = await runSearch({
    config: config(false),
    task: 'letter-count',
    defaultInstruction: '',
    problems: [problem],
    dbPath: db,
    policy,
    verify: verifyLetterCount,
  });
  assert.equal(summary.errored, 0, 'the question is not marked error');
  assert.equal(summary.finished, 1);
  assert.ok(summary.context_exceeded > 0, 'dead ends are counted');
  const store = SearchStore.open(db, { readonly: true });
  const rollouts = store.rollouts(1, 'p1');
  const deadEnds = rollouts.filter((r) => r.verdict === 'context_exceeded');
  assert.ok(deadEnds.length > 0);
  assert.ok(deadEnds.every((r) => r.reward === 0));
  store.close();
  const q = readRun(db).questions[0]!;
  // Every dead-end leaf is an expanded node without children; no reflection hangs under it.
  const childless = q.nodes.filter(
    (n) => n.type !== 'answer' && n.type !== 'reflection' && !q.nodes.some((c) => c.parentId === n.id) && n.visits > 0,
  );
  assert.ok(childless.length > 0);
  // Visits still add up: the root's visit count equals the number of rollouts.
  assert.equal(q.nodes.find((n) => n.parentId === null)!.visits, rollouts.length);
  // A re-run resumes the finished question without new calls or errors.
  const calls = policy.callCount;
  const again = await runSearch({
    config: config(false),
    task: 'letter-count',
    defaultInstruction: '',
    problems: [problem],
    dbPath: db,
    policy,
    verify: verifyLetterCount,
  });
  assert.equal(again.errored, 0);
  assert.equal(policy.callCount, calls);
});

test('stop_at_any_tag: every graph tag is a stop string, and a thought is cut at the first tag a back-end ignored', async () => {
  const policy = new ScriptedPolicy({
    respond: (request) => {
      switch (openedTag(request)) {
        case 'sub-task':
          return 'e+u';
        // Ignores stop strings and runs on into another thought, as a tiny model does.
        case 'thinking':
          return 'e:2</thinking><thinking>u:1';
        case 'double-check':
          return '2+1=3</thinking>junk';
        case 'answer':
          return '3';
        default:
          return 'x';
      }
    },
  });
  const db = tmp('stops.db');
  await runSearch({
    config: config(true),
    task: 'letter-count',
    defaultInstruction: '',
    problems: [problem],
    dbPath: db,
    policy,
    verify: verifyLetterCount,
  });
  const stops = policy.calls.find((c) => openedTag(c) === 'double-check')!.stop;
  assert.equal(stops[0], '</double-check>');
  for (const tag of ['<thinking>', '</thinking>', '<answer>', '<reflection>', '</sub-task>'])
    assert.ok(stops.includes(tag), `missing stop ${tag}`);
  const q = readRun(db).questions[0]!;
  assert.ok(q.nodes.filter((n) => n.type === 'thinking').every((n) => n.content === 'e:2'));
  assert.ok(q.nodes.filter((n) => n.type === 'double_check').every((n) => n.content === '2+1=3'));
  // Without the option only the own close tag is sent.
  const plain = new ScriptedPolicy({ respond: (request) => (openedTag(request) === 'answer' ? '3' : 'a') });
  await runSearch({
    config: config(false),
    task: 'letter-count',
    defaultInstruction: '',
    problems: [problem],
    dbPath: tmp('plain.db'),
    policy: plain,
    verify: verifyLetterCount,
  });
  assert.deepEqual(plain.calls.find((c) => openedTag(c) === 'thinking')!.stop, ['</thinking>']);
});
