/**
 * Automatic process check of correct search paths, a stand-in for the authors' human review
 * (docs/method.md section 1: "a small web tool to let a person drop samples that reach the right answer
 * through a bad process"). `buildDataset` (src/data, option `processCheck`) keeps a correct path
 * whose steps are wrong out of SFT and DPO `chosen`, and counts it apart from human annotations.
 */
import { countLetter, letterCountParts, type LetterCountQuestion, type Problem } from '../tasks/index.ts';
import { escapeRegExp } from '../core/regexp.ts';
import { DEFAULT_REFLECTION_TAGS, tagOfType, type ReflectionTags } from '../eval/index.ts';
import { markedSpelling } from '../train/builtin/policy-format.ts';
import { parseThoughts } from '../train/builtin/step-accuracy.ts';

/**
 * true = the response's process is acceptable. `tags`: the thought tags the response was written
 * with (the run's search config; buildDataset passes them); default the authors' graph.
 */
export type ProcessCheck = (question: string, response: string, tags?: ReflectionTags) => boolean;

/**
 * Letter counting: the last attempt of the response (the text after its last `</reflection>`, with
 * the sub-task in front; the whole response when it has no reflection) must be a clean worked trace
 * of the problem's word and letters, as a person reviewing samples would demand:
 * - the sub-task names exactly the asked letters, in order;
 * - its thinking steps are exactly the spelled word, then one `letter:count` step per asked letter,
 *   each count right (no empty or extra steps);
 * - the spelled word is the word: letters only (the compact format), or with the running count after
 *   each asked letter (the policy's marked format, policy-format.ts), exactly;
 * - the double-check is right (`a+b=c` for two letters, `x=n` for one; the compact format has none
 *   for one letter), and the answer is the right count.
 * A right answer reached through a misspelt word, a lucky count or a wrong sum is rejected: a student
 * trained on it would learn the slip. `query` is the problem's word and letters (letterCountParts).
 * Thoughts are found by `tags`, the tags of the graph the response was written with (the reflection
 * type's, the graph's sub_task, thinking, thinking_from_scratch, double_check and answer types'), so
 * a config that renames them is judged the same; default the authors' tags.
 */
export function letterCountProcessOk(
  query: LetterCountQuestion,
  response: string,
  tags: ReflectionTags = DEFAULT_REFLECTION_TAGS,
): boolean {
  const close = `</${tags.reflection}>`;
  const last = response.lastIndexOf(close);
  const subTaskTag = tagOfType(tags, 'sub_task');
  const subTask = new RegExp(`<${escapeRegExp(subTaskTag)}>[\\s\\S]*?</${escapeRegExp(subTaskTag)}>`).exec(response)?.[0] ?? '';
  const judged = last >= 0 ? subTask + response.slice(last + close.length) : response;
  const thoughts = parseThoughts(judged);
  const counts = query.letters.map((l) => countLetter(query.word, l));
  const total = counts.reduce((a, b) => a + b, 0);
  // A re-think may be written in its own tag (the graph's thinking_from_scratch, unless a config maps it to `thinking`).
  const isThinking = tags.types
    ? (tag: string) => tag === tagOfType(tags, 'thinking') || tag === tagOfType(tags, 'thinking_from_scratch')
    : (tag: string) => /^thinking([-_]from[-_]scratch)?$/.test(tag);
  const thinking = thoughts.filter((t) => isThinking(t.tag)).map((t) => t.content.trim());
  const spelled = thinking[0] ?? '';
  const spellingOk = spelled === query.word || spelled === markedSpelling(query.word, query.letters);
  const countStepsOk =
    thinking.length === 1 + query.letters.length && query.letters.every((l, i) => thinking[1 + i] === `${l}:${counts[i]}`);
  // The graph's double_check thought; a graph without that type checks in its reflection ancestor.
  const checkTag = tags.types?.double_check ?? tags.check;
  const checks = thoughts.filter((t) => t.tag === checkTag).map((t) => t.content.trim());
  const expectedCheck = query.letters.length === 1 ? `${query.letters[0]}=${total}` : `${counts.join('+')}=${total}`;
  const checkOk = checks.length === 1 ? checks[0] === expectedCheck : checks.length === 0 && query.letters.length === 1;
  const answers = thoughts.filter((t) => t.tag === tags.answer).map((t) => t.content.trim());
  return (
    thoughts.find((t) => t.tag === subTaskTag)?.content.trim() === query.letters.join('+') &&
    spellingOk &&
    countStepsOk &&
    checkOk &&
    answers.length === 1 &&
    answers[0] === String(total)
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
  const check = (question: string, response: string, tags?: ReflectionTags): boolean => {
    const query = parts.has(question) ? parts.get(question)! : letterCountParts({ question });
    if (!query) {
      unchecked.add(question);
      return true;
    }
    return letterCountProcessOk(query, response, tags);
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
