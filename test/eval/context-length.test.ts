import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextLengthError } from '../../src/core/index.ts';
import { evaluate } from '../../src/eval/index.ts';
import { ScriptedPolicy } from '../../src/policy/scripted-policy.ts';
import { getTask } from '../../src/tasks/index.ts';
import { LETTER_COUNT_DATA } from '../search/helpers.ts';

const task = getTask('letter-count');

test('a prompt longer than the context counts as no answer for that question and does not stop the evaluation', async () => {
  const problems = task.load(LETTER_COUNT_DATA).slice(0, 4);
  const tooLong = problems[1]!.id;
  const policy = new ScriptedPolicy({
    respond: (request) => {
      if (request.prompt.question === problems[1]!.question)
        throw new ContextLengthError('prompt of 300 tokens does not fit the context of 128 tokens');
      return '<answer>3</answer>';
    },
  });
  const { records, summary } = await evaluate({
    name: 'ctx',
    task,
    problems,
    policy,
    n: 2,
    temperature: 0.7,
    maxTokens: 16,
    k: [1],
    seed: 1,
    instruction: '',
  });
  assert.equal(records.length, 4);
  const skipped = records.find((r) => r.question_id === tooLong)!;
  assert.deepEqual(
    skipped.samples.map((s) => [s.verdict, s.finish_reason]),
    [
      ['no_answer', 'context_exceeded'],
      ['no_answer', 'context_exceeded'],
    ],
  );
  assert.equal(summary.no_answer_rate, 2 / 8);
  // Any other policy failure still stops the evaluation.
  const broken = new ScriptedPolicy({
    respond: () => {
      throw new Error('server down');
    },
  });
  await assert.rejects(
    evaluate({ name: 'x', task, problems, policy: broken, n: 1, temperature: 0, maxTokens: 16, k: [1], seed: 1, instruction: '' }),
    /server down/,
  );
});
