/**
 * Reflection accounting (issue 10 item 4): does a text hold a wrong attempt, a reflection and a
 * correct re-think, the paper's defining long-CoT feature? Used on training data (SFT rows, DPO
 * chosen paths) and on model outputs at inference.
 *
 * An attempt is the text between reflections: the text before the first `<reflection>` thought, then
 * the text after each `</reflection>`. Its answer is what the task reads from it; an attempt cut
 * short by a reflection usually has no `<answer>` yet, so the caller's reader may take the last
 * checked result instead (letter counting: the double-check's `=n`). The tags are the run's search
 * config's (reflection-tags.ts); the defaults are the authors' graph.
 */
import { escapeRegExp } from '../core/regexp.ts';
import { DEFAULT_REFLECTION_TAGS, type ReflectionTags } from './reflection-tags.ts';

/** One attempt of a response and the answer read from it (null: none). */
export interface Attempt {
  text: string;
  answer: string | null;
}

/** A thought with tag `tag`, whatever its content; `inner` captures the content up to `pattern`. */
function thoughtPattern(tag: string, inner = '[\\s\\S]*?', flags = 'g'): RegExp {
  const t = escapeRegExp(tag);
  return new RegExp(`<${t}>${inner}</${t}>`, flags);
}

/**
 * Split a response into its attempts at its reflection thoughts (tag `tags.reflection`, whatever
 * their content) and read each one's answer with `readAnswer`.
 */
export function splitAttempts(
  response: string,
  readAnswer: (attempt: string) => string | null,
  tags: Pick<ReflectionTags, 'reflection'> = DEFAULT_REFLECTION_TAGS,
): Attempt[] {
  return response.split(thoughtPattern(tags.reflection)).map((text) => ({ text, answer: readAnswer(text) }));
}

/** The result (`... = x`, `value` the pattern of x) of the last check thought of an attempt. */
function lastCheckedResult(attempt: string, check: string | null, value: string): string | null {
  if (check === null) return null;
  const checks = [...attempt.matchAll(thoughtPattern(check, `[^<]*?=\\s*(${value})\\s*`))];
  return checks.at(-1)?.[1] ?? null;
}

/**
 * Letter counting's attempt reader: the `<answer>` number, else the result of the last
 * `<double-check>` (`1+2=3` -> 3, `n=2` -> 2); the tags are `tags.answer` and `tags.check`.
 */
function letterCountAttemptReader(tags: ReflectionTags = DEFAULT_REFLECTION_TAGS): (attempt: string) => string | null {
  const answerPattern = thoughtPattern(tags.answer, '\\s*(\\d+)\\s*', '');
  return (attempt) => answerPattern.exec(attempt)?.[1] ?? lastCheckedResult(attempt, tags.check, '\\d+');
}

/** letterCountAttemptReader with the authors' tags. */
export const letterCountAttemptAnswer: (attempt: string) => string | null = letterCountAttemptReader();

/**
 * A task-independent attempt reader: the task's own answer extraction (default: the text of the last
 * answer thought, `tags.answer`), else the result of the last check thought (`tags.check`, default
 * `<double-check>`: `... = x`), which is where the action graph's reflections hang. With `taskAnswer` (a task's answer extraction), x is read as that task
 * reads a final answer (`<answer>x</answer>`; letter counting: an integer), and an x that is none
 * (a check ending in garbage, `m=a=iilele`) leaves the attempt without an answer, so it is not counted
 * as a wrong attempt. Without it, x as written.
 */
export function attemptAnswerReader(
  extractAnswer: ((text: string) => string | null) | undefined,
  tags: Pick<ReflectionTags, 'check' | 'answer'> = DEFAULT_REFLECTION_TAGS,
  taskAnswer?: (text: string) => string | null,
): (attempt: string) => string | null {
  const answerThought = thoughtPattern(tags.answer, '([\\s\\S]*?)');
  const readAnswer = extractAnswer ?? ((text: string) => [...text.matchAll(answerThought)].at(-1)?.[1]!.trim() ?? null);
  return (attempt) => {
    const answer = readAnswer(attempt);
    if (answer !== null) return answer;
    const result = lastCheckedResult(attempt, tags.check, '[^<=]+?');
    // The task's own answer format (tasks read `<answer>`, whatever a graph calls its answer thought).
    return result === null || !taskAnswer ? result : taskAnswer(`<answer>${result}</answer>`);
  };
}

/**
 * Does a CORRECT text (an SFT row, a DPO chosen path: its last attempt is right and has passed the
 * process check) hold a wrong attempt, a reflection and a correct re-think? True when it has at
 * least two attempts and the first one's answer is readable and differs from the last one's. A
 * first attempt with no readable answer is not counted: it was not shown to be wrong.
 */
export function holdsCorrectedReflection(
  text: string,
  readAnswer: (attempt: string) => string | null,
  tags: Pick<ReflectionTags, 'reflection'> = DEFAULT_REFLECTION_TAGS,
): boolean {
  const attempts = splitAttempts(text, readAnswer, tags);
  if (attempts.length < 2) return false;
  const first = attempts[0]!.answer;
  const last = attempts.at(-1)!.answer;
  return first !== null && last !== null && first.trim() !== last.trim();
}

/** Attempts of a letter-counting response written with `tags`. */
export function letterCountAttempts(response: string, tags: ReflectionTags = DEFAULT_REFLECTION_TAGS): Attempt[] {
  return splitAttempts(response, letterCountAttemptReader(tags), tags);
}

/**
 * How a text's reflections went:
 * - 'none': no reflection;
 * - 'corrected': the first attempt's answer is wrong (or missing) and the last one's right, and the
 *   process check (when given) accepts the text: a real mistake, a reflection, a correct re-think;
 * - 'unneeded': the first attempt was already right (and the last is right);
 * - 'failed': the last attempt is not right, or the process check rejects the re-think.
 */
export type ReflectionOutcome = 'none' | 'corrected' | 'unneeded' | 'failed';

export function reflectionOutcome(attempts: readonly Attempt[], isRight: (answer: string) => boolean, processOk = true): ReflectionOutcome {
  if (attempts.length < 2) return 'none';
  const right = (a: Attempt): boolean => a.answer !== null && isRight(a.answer);
  if (!right(attempts.at(-1)!) || !processOk) return 'failed';
  return right(attempts[0]!) ? 'unneeded' : 'corrected';
}

/** Counts of reflection outcomes over a set of texts, with the share of corrected ones. */
export interface ReflectionCounts {
  texts: number;
  reflected: number;
  corrected: number;
  unneeded: number;
  failed: number;
  /** corrected / texts (0 when there are none). */
  corrected_share: number;
}

export function countReflections(outcomes: readonly ReflectionOutcome[]): ReflectionCounts {
  const n = (o: ReflectionOutcome): number => outcomes.filter((x) => x === o).length;
  return {
    texts: outcomes.length,
    reflected: outcomes.length - n('none'),
    corrected: n('corrected'),
    unneeded: n('unneeded'),
    failed: n('failed'),
    corrected_share: outcomes.length ? n('corrected') / outcomes.length : 0,
  };
}
