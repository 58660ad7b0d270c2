/**
 * Automatic process check of correct search paths, a stand-in for the authors' human review
 * (docs/method.md section 1: "a small web tool to let a person drop samples that reach the right answer
 * through a bad process"). `buildDataset` (src/data, option `processCheck`) keeps a correct path
 * whose steps are wrong out of SFT and DPO `chosen`, and counts it apart from human annotations.
 */
import { parseLetterCountQuestion } from '../tasks/index.ts';
import { scoreLetterCountSteps } from '../train/index.ts';

/** true = the response's process is acceptable. */
export type ProcessCheck = (question: string, response: string) => boolean;

/**
 * Letter counting: the last attempt of the response (the text after its last `</reflection>`,
 * with the sub-task in front; the whole response when it has no reflection) must count exactly the
 * asked letters in order, each count right, with a right addition for two letters and the right
 * answer. Spelling of the word is not required (the built-in model counts from the question's word
 * even when its spelled copy is wrong; docs/letter-count-study.md). Questions that do
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
