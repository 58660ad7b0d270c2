/**
 * Automatic process check of correct search paths, a stand-in for the authors' human review
 * (docs/method.md section 1: "a small web tool to let a person drop samples that reach the right answer
 * through a bad process"). `buildDataset` (src/data, option `processCheck`) keeps a correct path
 * whose steps are wrong out of SFT and DPO `chosen`, and counts it apart from human annotations.
 */
import { letterCountParts, type LetterCountQuestion, type Problem } from '../tasks/index.ts';
import { scoreLetterCountSteps } from '../train/index.ts';

/** true = the response's process is acceptable. */
export type ProcessCheck = (question: string, response: string) => boolean;

/**
 * Letter counting: the last attempt of the response (the text after its last `</reflection>`,
 * with the sub-task in front; the whole response when it has no reflection) must count exactly the
 * asked letters in order, each count right, with a right addition for two letters and the right
 * answer. Spelling of the word is not required (the built-in model counts from the question's word
 * even when its spelled copy is wrong; docs/letter-count-study.md).
 * `query` is the problem's word and letters (letterCountParts).
 */
export function letterCountProcessOk(query: LetterCountQuestion, response: string): boolean {
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
}

/**
 * The letter-count process check for a search's questions: each question is judged by its
 * problem's own word and letters (generated problems and data rows that name them), so a phrasing
 * that puts the word anywhere is judged right; a question with no known problem is parsed from its
 * text. A question whose word and letters cannot be known is kept (there is nothing to check it
 * against); `unchecked` counts those, so a caller can report them.
 */
export function letterCountProcessCheck(problems: readonly Problem[] = []): ProcessCheck & { unchecked: Set<string> } {
  const parts = new Map(problems.map((p) => [p.question, letterCountParts(p)]));
  const unchecked = new Set<string>();
  const check = (question: string, response: string): boolean => {
    const query = parts.has(question) ? parts.get(question)! : letterCountParts({ question });
    if (!query) {
      unchecked.add(question);
      return true;
    }
    return letterCountProcessOk(query, response);
  };
  return Object.assign(check, { unchecked });
}

/** The process check of a task over a search's questions, if the task has one. */
export function processCheckFor(
  taskName: string,
  problems: readonly Problem[] = [],
): (ProcessCheck & { unchecked: Set<string> }) | undefined {
  return taskName === 'letter-count' ? letterCountProcessCheck(problems) : undefined;
}
