/**
 * Reflection accounting (issue 10 item 4) on a hand-built letter-count tree: which SFT rows and DPO
 * chosen paths hold a wrong attempt, a reflection and a correct re-think, and what reflections do at
 * inference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDataset, renderDatasetCard } from '../../src/data/index.ts';
import {
  holdsCorrectedReflection,
  letterCountAttempts,
  reflectionOutcome,
  countReflections,
  attemptAnswerReader,
  type EvalQuestionRecord,
} from '../../src/eval/index.ts';
import { letterCountProcessCheck } from '../../src/pipeline/process-check.ts';
import { inferenceReflection } from '../../src/pipeline/summary-statistics.ts';
import { getTask } from '../../src/tasks/index.ts';
import { correct, node, question, run, wrong } from './tree-fixtures.ts';
import { attempt, evalSample, fixedAndBrokenRecord, Q, reflectionTrees, WAIT } from './letter-count-trees.ts';

test('attempts: split at reflections; an attempt cut short reads its double-check result', () => {
  const text =
    '<sub-task>g+n</sub-task><thinking>n1avig1an1t</thinking><thinking>g:1</thinking><thinking>n:1</thinking><double-check>1+1=2</double-check>' +
    `<reflection>${WAIT}</reflection>` +
    '<thinking>n1avig1an2t</thinking><thinking>g:1</thinking><thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>';
  assert.deepEqual(
    letterCountAttempts(text).map((a) => a.answer),
    ['2', '3'],
  );
  assert.equal(
    reflectionOutcome(letterCountAttempts(text), (a) => a === '3'),
    'corrected',
  );
  assert.equal(
    reflectionOutcome(letterCountAttempts(text), (a) => a === '2'),
    'failed',
  );
  assert.equal(
    reflectionOutcome(letterCountAttempts('<answer>3</answer>'), (a) => a === '3'),
    'none',
  );
  const read = attemptAnswerReader(getTask('letter-count').extractAnswer);
  assert.equal(holdsCorrectedReflection(text, read), true);
  // A first attempt with no readable result was not shown to be wrong.
  assert.equal(holdsCorrectedReflection(`<thinking>n1avig1an1t</thinking><reflection>${WAIT}</reflection><answer>3</answer>`, read), false);
  assert.deepEqual(countReflections(['none', 'corrected', 'unneeded', 'failed', 'corrected']), {
    texts: 5,
    reflected: 4,
    corrected: 2,
    unneeded: 1,
    failed: 1,
    corrected_share: 0.4,
  });
});

test('buildDataset counts SFT rows and DPO chosen paths with a corrected reflection (hand-built tree)', () => {
  const task = getTask('letter-count');
  const built = buildDataset(
    { run: run(''), questions: reflectionTrees() },
    { sft: 'all', chosen: 'longest' },
    { processCheck: letterCountProcessCheck(), extractAnswer: (t) => task.extractAnswer(t) },
  );
  // SFT: R (corrected), S (no reflection), U (reflection after a right attempt) -> 1 of 3.
  assert.equal(built.stats.sft.rows, 3);
  assert.equal(built.stats.sft.reflection.rowsWithReflection, 2);
  assert.equal(built.stats.sft.reflection.rowsWithCorrectedReflection, 1);
  assert.equal(built.stats.sft.reflection.correctedShare, 0.3333);
  const corrected = built.sft.filter((r) => r.completion.includes('n1avig1an1t'));
  assert.equal(corrected.length, 1);
  // DPO chosen = longest correct: R for q1 (corrected), U for q2 (not) -> 1 of 2.
  assert.equal(built.stats.dpo.pairs, 2);
  assert.equal(built.stats.dpo.reflection.chosenWithCorrectedReflection, 1);
  assert.equal(built.stats.dpo.reflection.chosenCorrectedShare, 0.5);
  const card = renderDatasetCard(built.stats);
  assert.match(card, /SFT rows with a corrected reflection \(.*\): 1 of 3 \(33\.3%\)/);
  assert.match(card, /DPO chosen paths with a corrected reflection: 1 of 2 \(50\.0%\)/);
  // A process check that rejects R's re-think keeps it out, and the count follows.
  const strict = buildDataset(
    { run: run(''), questions: reflectionTrees() },
    { sft: 'all' },
    { processCheck: (_q, response) => !response.includes('n1avig1an1t'), extractAnswer: (t) => task.extractAnswer(t) },
  );
  assert.equal(strict.stats.sft.reflection.rowsWithCorrectedReflection, 0);
});

test('inference: reflected samples, reflections that fixed a wrong first attempt and ones that broke a right one', () => {
  const r = `<reflection>${WAIT}</reflection>`;
  const records: EvalQuestionRecord[] = [
    fixedAndBrokenRecord(),
    {
      question_id: 'b',
      question: Q,
      reference: '0',
      n: 1,
      correct: 0,
      prompt_tokens: 0,
      samples: [evalSample(`<double-check>1+0=1</double-check>${r}<double-check>0+1=1</double-check><answer>1</answer>`, 'wrong')],
    },
  ];
  assert.deepEqual(inferenceReflection(records), { samples: 4, reflected: 3, fixed: 1, broke: 1 });
});

test('a failed attempt whose check ends in no answer of the task (the policy skipping the count steps) is not a corrected reflection once the task reads the result', () => {
  const task = getTask('letter-count');
  // q3: the double-check straight after the spelling, with garbage after its "=", then a reflection and a right re-think.
  const q3 = question(
    'q3',
    [
      node(1, null, 'root', Q),
      node(2, 1, 'sub_task', 'g+n'),
      node(3, 2, 'thinking', 'navigant'),
      node(4, 3, 'double_check', 'g=n=aiiaglaa'),
      node(5, 4, 'answer', '2', wrong),
      node(6, 4, 'reflection', WAIT),
      ...attempt(7, 6, 'navigant', 1, 2, 'thinking_from_scratch'),
      node(11, 10, 'answer', '3', correct),
    ],
    Q,
  );
  const text = `<sub-task>g+n</sub-task><thinking>navigant</thinking><double-check>g=n=aiiaglaa</double-check><reflection>${WAIT}</reflection><thinking>navigant</thinking><thinking>g:1</thinking><thinking>n:2</thinking><double-check>1+2=3</double-check><answer>3</answer>`;
  const asWritten = attemptAnswerReader((t) => /<answer>(\d+)<\/answer>/.exec(t)?.[1] ?? null);
  const byTask = attemptAnswerReader((t) => /<answer>(\d+)<\/answer>/.exec(t)?.[1] ?? null, undefined, task.extractAnswer);
  assert.equal(asWritten(text.split('<reflection>')[0]!), 'aiiaglaa');
  assert.equal(byTask(text.split('<reflection>')[0]!), null);
  assert.equal(byTask('<double-check>1+1=2</double-check>'), '2');
  assert.equal(holdsCorrectedReflection(text, asWritten), true);
  assert.equal(holdsCorrectedReflection(text, byTask), false);
  // The data build as the pipeline calls it (answer thought reader, the task reading check results).
  const build = (taskAnswer?: (text: string) => string | null) =>
    buildDataset({ run: run(''), questions: [q3] }, { sft: 'all', chosen: 'longest' }, { taskAnswer }).stats.sft.reflection;
  assert.equal(build().rowsWithCorrectedReflection, 1);
  assert.equal(build((text) => task.extractAnswer(text)).rowsWithCorrectedReflection, 0);
  assert.equal(build((text) => task.extractAnswer(text)).rowsWithReflection, 1);
});
