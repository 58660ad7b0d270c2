import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  blocksworldTask,
  parsePlan,
  formatPlanEnglish,
  formatPlanPddl,
  formatFact,
  BlocksState,
  type BlocksworldDetails,
  type BlocksworldReference,
  type Action,
} from '../../src/tasks/blocksworld/index.ts';
import type { Problem } from '../../src/tasks/types.ts';
import { dataFile } from '../helpers/data-paths.ts';

const DIR = dataFile('planbench/blocksworld');
const problems = blocksworldTask.load(`${DIR}/task_1_plan_generation.json`);
const COLOURS: Record<string, string> = {
  a: 'red',
  b: 'blue',
  c: 'orange',
  d: 'yellow',
  e: 'white',
  f: 'magenta',
  g: 'black',
  h: 'cyan',
  i: 'green',
  j: 'violet',
  k: 'silver',
  l: 'gold',
};

function pddlFacts(section: string): string[] {
  return [...section.matchAll(/\((handempty|clear|ontable|on|holding)((?:\s+[a-l])*)\s*\)/g)]
    .map(
      (m) =>
        `(${[
          m[1],
          ...m[2]!
            .trim()
            .split(/\s+/)
            .filter(Boolean)
            .map((o) => COLOURS[o]),
        ].join(' ')})`,
    )
    .sort();
}

const gold = (p: Problem): Action[] => parsePlan(blocksworldTask.goldOutput!(p)!);
const verdictOf = (actions: Action[], p: Problem) => blocksworldTask.verify(formatPlanPddl(actions), p);
const failingStep = (actions: Action[], p: Problem) => (verdictOf(actions, p).details as BlocksworldDetails).firstFailingStep?.step;

test('PlanBench: 500 instances load; parsed statements equal instances/instance-N.pddl', () => {
  assert.equal(problems.length, 500);
  for (const p of problems) {
    const pddl = readFileSync(`${DIR}/instances/instance-${p.id}.pddl`, 'utf8');
    const init = pddl.slice(pddl.indexOf('(:init'), pddl.indexOf('(:goal'));
    const goal = pddl.slice(pddl.indexOf('(:goal'));
    const ref = p.reference as BlocksworldReference;
    assert.deepEqual(ref.init.map(formatFact).sort(), pddlFacts(init), `instance ${p.id} init`);
    assert.deepEqual(ref.goal.map(formatFact).sort(), pddlFacts(goal), `instance ${p.id} goal`);
    // The derived state reproduces every stated fact, clear and handempty included.
    assert.deepEqual(BlocksState.fromFacts(ref.init).facts(), pddlFacts(init), `instance ${p.id} state`);
  }
});

test('PlanBench: all 500 ground-truth plans are valid in PDDL and in English', () => {
  for (const p of problems) {
    const pddl = blocksworldTask.goldOutput!(p)!;
    assert.equal(blocksworldTask.verify(pddl, p).verdict, 'correct', `instance ${p.id} PDDL`);
    const english = formatPlanEnglish(parsePlan(pddl));
    const v = blocksworldTask.verify(english, p);
    assert.equal(v.verdict, 'correct', `instance ${p.id} English: ${v.reason}`);
    assert.equal(
      v.extracted,
      parsePlan(pddl)
        .map((a) => `(${[a.name, ...a.args].join(' ')})`)
        .join('\n'),
    );
  }
});

test('mutation: dropping a step fails at that position (or leaves the goal unmet for the last step)', () => {
  for (const p of problems) {
    const plan = gold(p);
    for (let i = 0; i < plan.length; i++) {
      const mutated = plan.filter((_, k) => k !== i);
      const v = verdictOf(mutated, p);
      assert.equal(v.verdict, 'wrong', `instance ${p.id} drop ${i + 1}`);
      const details = v.details as BlocksworldDetails;
      if (i < plan.length - 1) assert.equal(details.firstFailingStep?.step, i + 1, `instance ${p.id} drop ${i + 1}`);
      else assert.ok(details.firstFailingStep === null && details.unmetGoals.length > 0, `instance ${p.id} drop last`);
    }
  }
});

test('mutation: swapping two adjacent steps fails at the first swapped position', () => {
  for (const p of problems) {
    const plan = gold(p);
    for (let i = 0; i + 1 < plan.length; i++) {
      const mutated = plan.slice();
      [mutated[i], mutated[i + 1]] = [mutated[i + 1]!, mutated[i]!];
      assert.equal(failingStep(mutated, p), i + 1, `instance ${p.id} swap ${i + 1}`);
    }
  }
});

test('mutation: a wrong block fails at that step', () => {
  for (const p of problems) {
    const plan = gold(p);
    const i = Number(p.id) % plan.length;
    const unknown = plan.map((a, k) => (k === i ? { ...a, args: ['purple', ...a.args.slice(1)] } : a));
    const v = verdictOf(unknown, p);
    assert.equal((v.details as BlocksworldDetails).firstFailingStep?.step, i + 1);
    assert.match(v.reason, /no purple block/);
    // First step (unstack x y | pick-up x) on the wrong block of the problem: (unstack y y) / (pick-up <a block that is on another>).
    const first = plan[0]!;
    const ref = p.reference as BlocksworldReference;
    const stacked = ref.init.find((f) => f.predicate === 'on')?.args[0];
    if (first.name === 'pick-up' && stacked === undefined) continue; // every block on the table: any pick-up applies
    const wrongFirst = first.name === 'unstack' ? { ...first, args: [first.args[1]!, first.args[1]!] } : { ...first, args: [stacked!] };
    assert.equal(failingStep([wrongFirst, ...plan.slice(1)], p), 1, `instance ${p.id}`);
  }
});

test('mutation: stacking onto a non-clear block fails at the stack with (clear b) unmet', () => {
  let tested = 0;
  for (const p of problems) {
    const plan = gold(p);
    const first = plan[0]!;
    const held = first.args[0]!;
    const ref = p.reference as BlocksworldReference;
    // A block that has another block (not the one just taken) on it stays non-clear after step 1.
    const covered = ref.init.find((f) => f.predicate === 'on' && f.args[0] !== held);
    if (!covered) continue;
    const target = covered.args[1]!;
    if (target === held) continue;
    const v = verdictOf([first, { name: 'stack', args: [held, target], text: '' }], p);
    const details = v.details as BlocksworldDetails;
    assert.equal(details.firstFailingStep?.step, 2, `instance ${p.id}`);
    assert.deepEqual(details.firstFailingStep?.unmet, [`(clear ${target})`]);
    tested++;
  }
  assert.ok(tested > 300, `tested ${tested}`);
});

test('plan parsing: formats, answer tags, [PLAN END], numbering, mixed syntax', () => {
  const p = problems[0]!; // goal (on orange red); init red on blue, yellow on orange
  const plans = [
    '(unstack yellow orange)\n(put-down yellow)\n(pick-up orange)\n(stack orange red)',
    '1. Unstack the yellow block from on top of the orange block.\n2. Put down the yellow block.\n3. Pick up the orange block.\n4. Stack the orange block on top of the red block.',
    '<thinking>I could pick up the red block</thinking>\n<answer>(unstack yellow orange) (put-down yellow) (pick-up orange) (stack orange red)</answer>',
    'unstack the yellow block from on top of the orange block\n(put-down yellow)\npick up the orange block\n(stack orange red)\n[PLAN END]\npick up the blue block',
    '[PLAN]\n(UNSTACK Yellow Orange)\n(putdown yellow)\n(pickup orange)\n(stack orange red)\n[PLAN END]',
  ];
  for (const plan of plans) assert.equal(blocksworldTask.verify(plan, p).verdict, 'correct', plan);
  assert.equal(blocksworldTask.verify('I do not know.', p).verdict, 'no_answer');
  assert.equal(blocksworldTask.verify('', p).verdict, 'no_answer');
  assert.equal(blocksworldTask.extractAnswer('nothing here'), null);
  // Missing second block: a failing step, not a skipped one.
  const v = blocksworldTask.verify('(unstack yellow orange)\n(put-down yellow)\n(pick-up orange)\nstack the orange block', p);
  assert.equal((v.details as BlocksworldDetails).firstFailingStep?.step, 4);
  // Valid steps but goal unmet.
  const partial = blocksworldTask.verify('(unstack yellow orange)\n(put-down yellow)', p);
  assert.equal(partial.verdict, 'wrong');
  assert.deepEqual((partial.details as BlocksworldDetails).unmetGoals, ['(on orange red)']);
});

test('load: JSONL rows and bad input name file, line and field', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'bw-'));
  const file = join(dir, 'rows.jsonl');
  const q = problems[0]!.question;
  writeFileSync(
    file,
    `${JSON.stringify({ instance_id: 2, query: q })}\n${JSON.stringify({ instance_id: 3, query: 'As initial conditions I have that, the red block is floating.\nMy goal is to have that the red block is clear.' })}\n`,
  );
  assert.throws(
    () => blocksworldTask.load(file),
    (e: Error) => e.message.startsWith(`${file}:2 field "query"`) && /floating/.test(e.message),
  );
  writeFileSync(file, `${JSON.stringify({ instance_id: 2, query: q })}\n`);
  const [row] = blocksworldTask.load(file);
  assert.equal(row!.id, '2');
  assert.equal(blocksworldTask.goldOutput!(row!), null);
  assert.equal(
    blocksworldTask.verify('(unstack yellow orange)\n(put-down yellow)\n(pick-up orange)\n(stack orange red)', row!).verdict,
    'correct',
  );
  const obj = join(dir, 'task.json');
  writeFileSync(obj, JSON.stringify({ task: 't', instances: [{ instance_id: 5, query: q }, { instance_id: 6 }] }, null, 2));
  assert.throws(
    () => blocksworldTask.load(obj),
    (e: Error) => e.message.startsWith(`${obj}:`) && e.message.includes('"query"'),
  );
  assert.throws(() => blocksworldTask.load(join(dir, 'missing.json')), /file not found/);
});
