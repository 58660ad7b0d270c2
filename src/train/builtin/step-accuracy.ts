/**
 * Per-step accuracy of a built-in-model response to a letter-counting question (the step metrics of
 * docs/letter-count-study.md, "Results"): a model can reach the right answer with a wrong
 * count step or a misspelt word, and the hard set's majority answer (3) already scores 59.6%, so the
 * answer alone does not show that a model counts.
 */
import { parseLetterCountQuestion } from '../../tasks/index.ts';
import { BUILTIN_TAGS, countLetter } from './format.ts';

/** One `<tag>content</tag>` of a response, in order. */
export interface ParsedThought {
  tag: string;
  content: string;
}

/**
 * Every complete `<tag>content</tag>` in `response`, in order; text outside tags is ignored. A tag is
 * any name a search config allows (src/search/config.ts: letters, digits, - and _), so a graph that
 * renames its thoughts is parsed too.
 */
export function parseThoughts(response: string): ParsedThought[] {
  const out: ParsedThought[] = [];
  const re = /<([A-Za-z][A-Za-z0-9_-]*)>([\s\S]*?)<\/\1>/g;
  for (let m = re.exec(response); m !== null; m = re.exec(response)) out.push({ tag: m[1]!, content: m[2]! });
  return out;
}

/** What a letter-counting question asks: the word and its 1 or 2 letters in question order. */
export interface LetterCountQuery {
  word: string;
  letters: readonly string[];
}

/** Step scores of one response. `null` = the step is absent from the response. */
export interface LetterCountStepScore {
  /** An `<answer>` holding an integer was found. */
  answered: boolean;
  /** The answer equals the gold count. */
  answerCorrect: boolean;
  /**
   * Sub-task is exactly the letters joined by "+" AND the first thinking step is exactly the word
   * (digits removed: the policy's marked spelling writes running counts after the asked letters).
   */
  spellingCorrect: boolean;
  /** Count steps written (`letter:n` thinking steps). */
  countSteps: number;
  /** Count steps whose number is the true count of the letter written in that step. */
  countStepsCorrect: number;
  /** Count steps that name the expected letter at their position (a letter-binding slip fails this). */
  countStepsOnExpectedLetter: number;
  /** The double-check's `a+b=c` is arithmetically right (null when there is none or it does not parse). */
  additionCorrect: boolean | null;
}

/** The tags the steps are read from: the sub-task, thinking, double-check and answer thoughts. */
export interface LetterCountStepTags {
  subTask: string;
  thinking: string;
  doubleCheck: string;
  answer: string;
}

/**
 * Score one response against the question it answers. `tags`: the tags the response was written
 * with (a search graph may rename its thoughts); default the built-in model's (the authors'). Pure.
 */
export function scoreLetterCountSteps(
  response: string,
  query: LetterCountQuery,
  tags: LetterCountStepTags = BUILTIN_TAGS,
): LetterCountStepScore {
  const thoughts = parseThoughts(response);
  const gold = query.letters.reduce((s, l) => s + countLetter(query.word, l), 0);
  const answerThought = thoughts.find((t) => t.tag === tags.answer);
  const answerText = answerThought?.content.trim() ?? '';
  const answered = /^\d+$/.test(answerText);
  const subTask = thoughts.find((t) => t.tag === tags.subTask);
  const thinking = thoughts.filter((t) => t.tag === tags.thinking);
  const spellingCorrect = subTask?.content === query.letters.join('+') && thinking[0]?.content.replace(/\d+/g, '') === query.word;
  let countSteps = 0;
  let countStepsCorrect = 0;
  let countStepsOnExpectedLetter = 0;
  for (const t of thinking) {
    const m = /^([a-z]):(\d+)$/.exec(t.content);
    if (!m) continue;
    if (m[1] === query.letters[countSteps]) countStepsOnExpectedLetter++;
    countSteps++;
    if (Number(m[2]) === countLetter(query.word, m[1]!)) countStepsCorrect++;
  }
  const check = thoughts.find((t) => t.tag === tags.doubleCheck);
  const sum = check ? /^(\d+)\+(\d+)=(\d+)$/.exec(check.content) : null;
  return {
    answered,
    answerCorrect: answered && Number(answerText) === gold,
    spellingCorrect,
    countSteps,
    countStepsCorrect,
    countStepsOnExpectedLetter,
    additionCorrect: sum ? Number(sum[1]) + Number(sum[2]) === Number(sum[3]) : null,
  };
}

/** Shares over many responses, each in [0, 1] (NaN when its denominator is 0). */
export interface StepAccuracySummary {
  questions: number;
  /** Answer correct / questions. */
  answer: number;
  /** No parsable answer / questions (the paper's no-answer rate). */
  noAnswer: number;
  /** Spelling correct / questions. */
  spelling: number;
  /** Correct count steps / count steps written. */
  countStep: number;
  /** Count steps on the expected letter / count steps written. */
  letterBinding: number;
  /** Correct additions / double-checks that parse. */
  addition: number;
}

/** Aggregate step scores (micro-averaged count steps, as in the notes' "count step" column). */
export function summarizeStepAccuracy(scores: readonly LetterCountStepScore[]): StepAccuracySummary {
  const n = scores.length;
  const steps = scores.reduce((s, x) => s + x.countSteps, 0);
  const additions = scores.filter((x) => x.additionCorrect !== null);
  return {
    questions: n,
    answer: scores.filter((x) => x.answerCorrect).length / n,
    noAnswer: scores.filter((x) => !x.answered).length / n,
    spelling: scores.filter((x) => x.spellingCorrect).length / n,
    countStep: scores.reduce((s, x) => s + x.countStepsCorrect, 0) / steps,
    letterBinding: scores.reduce((s, x) => s + x.countStepsOnExpectedLetter, 0) / steps,
    addition: additions.filter((x) => x.additionCorrect).length / additions.length,
  };
}

/**
 * Score a response against a question given as text (parsed with the letter-count task's
 * `parseLetterCountQuestion`). Null when the question does not parse.
 */
export function scoreLetterCountResponse(response: string, question: string): LetterCountStepScore | null {
  const parsed = parseLetterCountQuestion(question);
  return parsed ? scoreLetterCountSteps(response, parsed) : null;
}
