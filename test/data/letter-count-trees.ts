/**
 * Hand-built letter-count trees and evaluation samples with reflections, shared by the reflection
 * accounting tests (reflection-accounting.test.ts, renamed-reflection-tags.test.ts).
 */
import type { EvalQuestionRecord } from '../../src/eval/index.ts';
import type { StoredQuestion } from '../../src/store/types.ts';
import { correct, node, question, wrong } from './tree-fixtures.ts';

export const Q = 'How many g and n are there in total in navigant?';
export const WAIT = "Wait! something is wrong, let's think again.";

/** An attempt as nodes: spelled word, two counts, double-check; ids from `id`. */
export function attempt(
  id: number,
  parent: number,
  spelled: string,
  g: number,
  n: number,
  first: 'thinking' | 'thinking_from_scratch' = 'thinking',
) {
  return [
    node(id, parent, first, spelled),
    node(id + 1, id, 'thinking', `g:${g}`),
    node(id + 2, id + 1, 'thinking', `n:${n}`),
    node(id + 3, id + 2, 'double_check', `${g}+${n}=${g + n}`),
  ];
}

/**
 *   q1: sub_task g+n
 *       |- wrong attempt (n counted once) -> double_check 1+1=2
 *       |     |- answer 2 (wrong)                                 path W
 *       |     `- reflection -> right attempt -> answer 3 (correct) path R: a corrected reflection
 *       `- right attempt -> answer 3 (correct)                    path S: no reflection
 *   q2: sub_task g+n
 *       `- right attempt -> double_check 1+2=3
 *             |- answer 4 (wrong)                                 path X
 *             `- reflection -> right attempt -> answer 3 (correct) path U: a reflection that was not needed
 */
export function reflectionTrees(): StoredQuestion[] {
  const q1 = question(
    'q1',
    [
      node(1, null, 'root', Q),
      node(2, 1, 'sub_task', 'g+n'),
      ...attempt(3, 2, 'n1avig1an1t', 1, 1),
      node(7, 6, 'answer', '2', wrong),
      node(8, 6, 'reflection', WAIT),
      ...attempt(9, 8, 'n1avig1an2t', 1, 2, 'thinking_from_scratch'),
      node(13, 12, 'answer', '3', correct),
      ...attempt(14, 2, 'n1avig1an2t', 1, 2),
      node(18, 17, 'answer', '3', correct),
    ],
    Q,
  );
  const q2 = question(
    'q2',
    [
      node(1, null, 'root', Q),
      node(2, 1, 'sub_task', 'g+n'),
      ...attempt(3, 2, 'n1avig1an2t', 1, 2),
      node(7, 6, 'answer', '4', wrong),
      node(8, 6, 'reflection', WAIT),
      ...attempt(9, 8, 'n1avig1an2t', 1, 2, 'thinking_from_scratch'),
      node(13, 12, 'answer', '3', correct),
    ],
    Q,
  );
  return [q1, q2];
}

/** One evaluated sample as questions.jsonl stores it. */
export function evalSample(text: string, verdict: 'correct' | 'wrong'): EvalQuestionRecord['samples'][number] {
  return {
    text,
    verdict,
    extracted: null,
    length_chars: text.length,
    completion_tokens: 0,
    finish_reason: 'stop',
    reflection_markers: 0,
    repeated_line_rate: 0,
  };
}

/** A question (reference 3) sampled three times: a reflection that fixed the answer, one that broke it, one without. */
export function fixedAndBrokenRecord(): EvalQuestionRecord {
  const r = `<reflection>${WAIT}</reflection>`;
  return {
    question_id: 'a',
    question: Q,
    reference: '3',
    n: 3,
    correct: 2,
    prompt_tokens: 0,
    samples: [
      evalSample(`<double-check>1+1=2</double-check>${r}<double-check>1+2=3</double-check><answer>3</answer>`, 'correct'), // fixed
      evalSample(`<double-check>1+2=3</double-check>${r}<double-check>1+1=2</double-check><answer>2</answer>`, 'wrong'), // broke
      evalSample('<double-check>1+2=3</double-check><answer>3</answer>', 'correct'), // no reflection
    ],
  };
}
