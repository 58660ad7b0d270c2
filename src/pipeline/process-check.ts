/**
 * Automatic process check of correct search paths, a stand-in for the authors' human review
 * (METHOD.md section 1: "a small web tool to let a person drop samples that reach the right answer
 * through a bad process"). A correct path whose steps are wrong is marked `rejected` in memory
 * before the data build, so it is neither an SFT row nor a DPO `chosen` (the store is not changed).
 */
import { linearizePath } from '../core/index.ts';
import type { StoredQuestion } from '../store/index.ts';
import { parseLetterCountQuestion } from '../tasks/index.ts';
import { scoreLetterCountSteps } from '../train/index.ts';

/** true = the response's process is acceptable. */
export type ProcessCheck = (question: string, response: string) => boolean;

/**
 * Letter counting: the last attempt of the response (the text after its last `</reflection>`,
 * with the sub-task in front; the whole response when it has no reflection) must count exactly the
 * asked letters in order, each count right, with a right addition for two letters and the right
 * answer. Spelling of the word is not required (the built-in model counts from the question's word
 * even when its spelled copy is wrong; ../shared/notes/letter-count-model.md). Questions that do
 * not parse are kept.
 */
export const letterCountProcessCheck: ProcessCheck = (question, response) => {
  const query = parseLetterCountQuestion(question);
  if (!query) return true;
  const close = '</reflection>';
  const last = response.lastIndexOf(close);
  const subTask = /<sub-task>[\s\S]*?<\/sub-task>/.exec(response)?.[0] ?? '';
  const judged = last >= 0 ? subTask + response.slice(last + close.length) : response;
  const s = scoreLetterCountSteps(judged, query);
  return (
    s.answerCorrect &&
    s.countSteps === query.letters.length &&
    s.countStepsCorrect === s.countSteps &&
    s.countStepsOnExpectedLetter === s.countSteps &&
    (query.letters.length === 1 || s.additionCorrect === true)
  );
};

/** The process check of a task, if it has one. */
export function processCheckFor(taskName: string): ProcessCheck | undefined {
  return taskName === 'letter-count' ? letterCountProcessCheck : undefined;
}

/**
 * Mark (in memory) every correct answer node whose path fails `check` as `rejected`.
 * @returns how many correct paths were rejected.
 */
export function rejectBadProcessPaths(questions: readonly StoredQuestion[], separator: string, check: ProcessCheck): number {
  let rejected = 0;
  for (const q of questions) {
    const byId = new Map(q.nodes.map((n) => [n.id, n]));
    for (const node of q.nodes) {
      if (node.type !== 'answer' || node.verdict !== 'correct') continue;
      const chain = [];
      for (let n = byId.get(node.id); n && n.parentId !== null; n = byId.get(n.parentId)) chain.unshift(n);
      const text = linearizePath(chain.map((n) => ({ tag: n.tag, content: n.content, showInHistory: n.showInHistory })), separator);
      if (!check(q.question, text)) {
        node.annotation = 'rejected';
        rejected++;
      }
    }
  }
  return rejected;
}
