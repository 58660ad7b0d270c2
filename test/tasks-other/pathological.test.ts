/**
 * Inputs that made earlier versions backtrack quadratically must still give a verdict quickly,
 * in-process. At these sizes the quadratic versions took from over 20 s to hours; the linear code
 * takes 0.1-0.6 s on an idle machine. The 10 s bound sits between the two with a wide margin on
 * both sides, so a loaded CI machine does not make it flaky, and a quadratic regression still fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { letterCountTask } from '../../src/tasks/letter-count.ts';
import { arithmeticTask } from '../../src/tasks/arithmetic.ts';
import { blocksworldTask } from '../../src/tasks/blocksworld/index.ts';
import { checkInstruction } from '../../src/tasks/ifeval/index.ts';
import type { Problem, Verdict } from '../../src/tasks/types.ts';
import { dataFile } from '../helpers/data-paths.ts';

const MB = 1 << 20;
const LIMIT_MS = 10_000;

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

test('integer extraction: unclosed boxes, nested boxes, "answer is" + 1 MB of spaces, 1 MB of answer tags', () => {
  const problem: Problem = { id: 'x', question: 'How many a in banana?', reference: 3 };
  const cases: [string, string, Verdict['verdict']][] = [
    ['unclosed \\boxed{ x 150k', '\\boxed{'.repeat(MB / 7), 'no_answer'],
    ['5,000 nested boxes', '\\boxed{'.repeat(5000) + '3' + '}'.repeat(5000), 'correct'],
    ['answer is + spaces', 'The answer is' + ' '.repeat(MB), 'no_answer'],
    ['unclosed <answer> x 130k', '<answer>'.repeat(MB / 8), 'no_answer'],
    ['1 MB of digits', '7'.repeat(MB), 'no_answer'],
  ];
  for (const [name, output, verdict] of cases) {
    for (const task of [letterCountTask, arithmeticTask]) {
      const { value, ms } = timed(() =>
        task.verify(output, { ...problem, question: task === arithmeticTask ? 'What is 1 + 2?' : problem.question }),
      );
      assert.equal(value.verdict, verdict, `${task.name} ${name}`);
      assert.ok(ms < LIMIT_MS, `${task.name} ${name}: ${ms.toFixed(0)} ms`);
    }
  }
});

test('blocksworld: 1 MB plans in mixed syntax give a verdict in time', () => {
  const problem = blocksworldTask.load(dataFile('planbench/blocksworld/task_1_plan_generation.json'))[0]!;
  for (const output of [
    '(stack red blue) stack the red block '.repeat(MB / 37),
    'pick up the red block '.repeat(MB / 22),
    '(stack'.repeat(MB / 6),
  ]) {
    const { value, ms } = timed(() => blocksworldTask.verify(output, problem));
    assert.notEqual(value.verdict, 'correct');
    assert.ok(ms < LIMIT_MS, `${output.slice(0, 20)}: ${ms.toFixed(0)} ms`);
  }
});

test('ifeval: line-anchored and bracket checkers are linear on 256 KB adversarial responses', () => {
  const size = 1 << 18;
  const cases: [string, Record<string, unknown>, string, boolean][] = [
    ['detectable_format:number_bullet_lists', { num_bullets: 1 }, '\n'.repeat(size), false],
    ['detectable_format:number_bullet_lists', { num_bullets: size / 2 }, '*\n'.repeat(size / 2), false],
    ['detectable_format:number_bullet_lists', { num_bullets: 1 }, ' \n'.repeat(size / 2) + '* x', true],
    ['detectable_content:number_placeholders', { num_placeholders: 1 }, '['.repeat(size), false],
    ['detectable_format:title', {}, '<<'.repeat(size / 2), false],
    ['detectable_format:title', {}, '<<' + '>'.repeat(size) + 'x>>', true],
    ['detectable_content:postscript', { postscript_marker: 'P.S.' }, ' '.repeat(size), false],
    ['detectable_content:postscript', { postscript_marker: 'P.P.S' }, 'p.p.'.repeat(size / 4), false],
    ['length_constraints:nth_paragraph_first_word', { num_paragraphs: 1, nth_paragraph: 1, first_word: 'x' }, 'x' + ' '.repeat(size), true],
  ];
  for (const [id, kwargs, response, followed] of cases) {
    const { value, ms } = timed(() => checkInstruction(id, kwargs, response));
    assert.equal(value.followed, followed, id);
    assert.ok(ms < LIMIT_MS, `${id}: ${ms.toFixed(0)} ms`);
  }
});
