/** Hand-built search trees (the read model of store/types.ts) for the data tests. */
import { defaultTagFor } from '../../src/core/thought-format.ts';
import type { StoredNode, StoredQuestion, StoredRun } from '../../src/store/types.ts';

export function node(id: number, parentId: number | null, type: string, content: string, extra: Partial<StoredNode> = {}): StoredNode {
  const isAnswer = type === 'answer';
  return {
    id,
    parentId,
    type,
    tag: type === 'root' ? '' : defaultTagFor(type),
    prefill: '',
    content,
    showInHistory: type !== 'root',
    visits: 1,
    rewardSum: 0,
    depth: 0,
    reward: isAnswer ? 0 : null,
    verdict: isAnswer ? 'wrong' : null,
    copies: 1,
    promptTokens: type === 'root' ? 0 : 10,
    completionTokens: type === 'root' ? 0 : 5,
    policy: type === 'root' ? '' : 'scripted',
    createdAt: 0,
    annotation: null,
    ...extra,
  };
}

export const correct = { reward: 1, verdict: 'correct' } as const;
export const wrong = { reward: 0, verdict: 'wrong' } as const;

export function question(questionId: string, nodes: StoredNode[], text = 'What is 2+2?'): StoredQuestion {
  return {
    questionId,
    question: text,
    reference: 4,
    instruction: 'Solve the task. Now the question is: ',
    status: 'finished',
    rollouts: nodes.filter((n) => n.type === 'answer').length,
    correctRollouts: nodes.filter((n) => n.reward === 1).length,
    nodes,
  };
}

export function run(separator = '\n'): StoredRun {
  return { runId: 1, config: { fixture: true }, configHash: 'f'.repeat(64), task: 'arithmetic', separator, createdAt: 0 };
}

/**
 * The hand-built tree of the tests (separator "\n"):
 *
 *   1 root
 *   |- 2 sub_task "Break down."
 *   |  |- 3 thinking "2+2 is 4."
 *   |  |  |- 4 answer "4"  correct                          path A = 2,3,4   (shortest correct)
 *   |  |  `- 5 double_check "Check: 2+2=4."
 *   |  |     `- 6 answer "4." correct                       path B = 2,3,5,6
 *   |  `- 7 thinking "2+2 is 5."
 *   |     |- 8 answer "5" wrong                             path C = 2,7,8
 *   |     `- 9 reflection "Wait! something is wrong, let's think again."
 *   |        `- 10 thinking_from_scratch "Start over: 2+2=4."
 *   |           `- 11 answer "4" correct                    path D = 2,7,9,10,11 (longest correct)
 *   `- 12 hypothesis "Maybe 22."
 *      `- 13 answer "22" wrong                              path E = 12,13
 */
export function handTree(options: { rejectHypothesis?: boolean } = {}): StoredQuestion {
  return question('q1', [
    node(1, null, 'root', 'What is 2+2?'),
    node(2, 1, 'sub_task', 'Break down.'),
    node(3, 2, 'thinking', '2+2 is 4.'),
    node(4, 3, 'answer', '4', correct),
    node(5, 3, 'double_check', 'Check: 2+2=4.'),
    node(6, 5, 'answer', '4.', correct),
    node(7, 2, 'thinking', '2+2 is 5.'),
    node(8, 7, 'answer', '5', wrong),
    node(9, 7, 'reflection', "Wait! something is wrong, let's think again."),
    node(10, 9, 'thinking_from_scratch', 'Start over: 2+2=4.'),
    node(11, 10, 'answer', '4', correct),
    node(12, 1, 'hypothesis', 'Maybe 22.', options.rejectHypothesis ? { annotation: 'rejected' } : {}),
    node(13, 12, 'answer', '22', wrong),
  ]);
}

export const PATH_A = '<sub-task>Break down.</sub-task>\n<thinking>2+2 is 4.</thinking>\n<answer>4</answer>';
export const PATH_B =
  '<sub-task>Break down.</sub-task>\n<thinking>2+2 is 4.</thinking>\n<double-check>Check: 2+2=4.</double-check>\n<answer>4.</answer>';
export const PATH_C = '<sub-task>Break down.</sub-task>\n<thinking>2+2 is 5.</thinking>\n<answer>5</answer>';
export const PATH_D =
  "<sub-task>Break down.</sub-task>\n<thinking>2+2 is 5.</thinking>\n<reflection>Wait! something is wrong, let's think again.</reflection>\n" +
  '<thinking-from-scratch>Start over: 2+2=4.</thinking-from-scratch>\n<answer>4</answer>';
export const PATH_E = '<hypothesis>Maybe 22.</hypothesis>\n<answer>22</answer>';
export const PROMPT = 'Solve the task. Now the question is: What is 2+2?';
