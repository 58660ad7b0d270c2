/**
 * Question sources of the pipeline: a data file read by the task's loader, or the letter-count
 * generator on the built-in model's train / held-out words (so a fresh user without
 * data file still gets real questions).
 */
import {
  getTask,
  generateLetterCountProblems,
  letterCountParts,
  ONE_LETTER_PHRASINGS,
  renderLetterCountQuestion,
  TWO_LETTER_PHRASINGS,
  type GeneratedLetterCountProblem,
  type LetterCountGeneratorOptions,
  type Problem,
} from '../tasks/index.ts';
import { builtinWordSplit, scoreLetterCountSteps } from '../train/index.ts';
import {
  decorateGrammarQuestion,
  grammarPhrasings,
  POLICY_GRAMMAR_SHARE,
  POLICY_HELD_OUT_PHRASINGS,
  POLICY_TRAIN_PHRASINGS,
  templatesByLetters,
} from '../train/builtin/index.ts';
// The policy's context variation, shared with its training rows (not part of the public API).
import { checkWordContextLists, varyQuestionContext } from '../train/builtin/phrasing-grammar.ts';
import { ConfigError, Rng } from '../core/index.ts';
import { DEFAULT_REFLECTION_TAGS, tagOfType, type ReflectionTags, type StepScorer } from '../eval/index.ts';
import { defaultTagFor } from '../core/thought-format.ts';
import { resolveConfigPath, type LoadedPipelineConfig, type QuestionSourceConfig } from './config.ts';

/** Human label of a source for logs and summaries. */
export function describeSource(source: QuestionSourceConfig): string {
  if (source.file) return source.file + (source.limit ? ` (first ${source.limit})` : '');
  const g = source.generate!;
  const kind =
    g.two_letter_share === 1
      ? 'two-letter'
      : g.two_letter_share === 0
        ? 'one-letter'
        : `${Math.round(g.two_letter_share * 100)}% two-letter`;
  const phrasings = g.phrasings === 'builtin' ? '' : `, ${g.phrasings} phrasings`;
  const context = g.context_share > 0 ? `, ${Math.round(g.context_share * 100)}% with the word's context varied` : '';
  return `${g.count} generated ${kind} letter-count questions on ${g.words === 'train' ? 'training' : 'held-out'} words (letters: ${g.letter_sampling}${phrasings}${context}, seed ${g.seed})`;
}

/**
 * Load the problems of a source.
 * @throws ConfigError when `generate` is used with a task other than letter-count; DataError from the task loader.
 */
export function loadQuestions(loaded: LoadedPipelineConfig, source: QuestionSourceConfig, field: string, idPrefix: string): Problem[] {
  const task = getTask(loaded.config.task);
  let problems: Problem[];
  if (source.file) {
    problems = task.load(resolveConfigPath(loaded, source.file));
  } else {
    if (loaded.config.task !== 'letter-count') {
      throw new ConfigError(
        { file: loaded.file, field: `${field}.generate` },
        `the question generator exists only for task letter-count (task is ${loaded.config.task}); give a \`file\``,
      );
    }
    const g = source.generate!;
    const split = builtinWordSplit();
    const options: LetterCountGeneratorOptions = {
      words: g.words === 'train' ? split.train : split.heldOut,
      count: g.count,
      seed: g.seed,
      twoLetterShare: g.two_letter_share,
      letterSampling: g.letter_sampling,
      randomLetterShare: g.random_letter_share,
      idPrefix,
    };
    const context = { share: g.context_share, seed: g.seed, words: options.words };
    if (g.phrasings === 'policy-training') problems = policyTrainingMix(options, context);
    else {
      const templates =
        g.phrasings === 'builtin'
          ? { one: ONE_LETTER_PHRASINGS, two: TWO_LETTER_PHRASINGS }
          : templatesByLetters(g.phrasings === 'policy' ? POLICY_TRAIN_PHRASINGS : POLICY_HELD_OUT_PHRASINGS);
      problems = withWordContext(generateLetterCountProblems({ ...options, phrasings: templates }), templates, context);
    }
  }
  return source.limit ? problems.slice(0, source.limit) : problems;
}

/**
 * Questions phrased as the built-in policy's training rows are (policy-data.ts buildPolicyRows):
 * question i is the i-th question of the generator over the phrasing grammar with probability
 * POLICY_GRAMMAR_SHARE, decorated with an opening or closing as those rows are, else the i-th over
 * the 48 hand-written templates. So the searched trees teach the student the sentence variety the
 * policy learnt from, still without any held-out template (grammarPhrasings checks that).
 */
function policyTrainingMix(options: LetterCountGeneratorOptions, context: WordContext): GeneratedLetterCountProblem[] {
  const handTemplates = templatesByLetters(POLICY_TRAIN_PHRASINGS);
  const grammarTemplates = templatesByLetters(grammarPhrasings());
  const hand = withWordContext(generateLetterCountProblems({ ...options, phrasings: handTemplates }), handTemplates, context);
  const grammar = withWordContext(generateLetterCountProblems({ ...options, phrasings: grammarTemplates }), grammarTemplates, context);
  const mix = new Rng(options.seed).split('policy-training-phrasings');
  return hand.map((handQuestion, i) => {
    const rng = mix.split(i);
    if (rng.float() >= POLICY_GRAMMAR_SHARE) return handQuestion;
    const q = grammar[i]!;
    return { ...q, question: decorateGrammarQuestion(rng, q.question) };
  });
}

/** The generator's `context_share`, its seed and the words chatter may borrow. */
interface WordContext {
  share: number;
  seed: number;
  words: readonly string[];
}

/**
 * `problems` with each question re-rendered, with probability `context.share`, from its template
 * with the word's context varied (varyQuestionContext: another preposition or opening, and for half
 * of them chatter). Question i draws from its own stream, so the words, letters and references are
 * those of the plain generator and question i does not depend on the count.
 */
function withWordContext(
  problems: GeneratedLetterCountProblem[],
  templates: { one: readonly string[]; two: readonly string[] },
  context: WordContext,
): GeneratedLetterCountProblem[] {
  if (context.share === 0) return problems;
  checkWordContextLists();
  const root = new Rng(context.seed).split('question-context');
  return problems.map((p, i) => {
    const template = (p.letters.length === 2 ? templates.two : templates.one)[p.phrasing]!;
    const varied = varyQuestionContext(root.split(i), template, context.share, context.words, p.word);
    return varied === template ? p : { ...p, question: renderLetterCountQuestion(varied, p) };
  });
}

/**
 * Per-step scorer for a task, when it has one. Letter counting: spelling (sub-task letters and the
 * spelled word exactly right), count_step (share of `letter:n` steps whose n is right for the letter
 * written), letter_binding (share of count steps on the expected letter), addition (the double-check's
 * a+b=c is right; null without one). Scores from train/builtin's scoreLetterCountSteps against the
 * problem's own word and letters (parsed from the text only when it has none); responses of other
 * formats simply score 0 / null. `tags`: the search graph's tags, when the model writes a graph that
 * renames its thoughts (default the authors').
 */
export function stepScorerFor(taskName: string, tags: ReflectionTags = DEFAULT_REFLECTION_TAGS): StepScorer | undefined {
  if (taskName !== 'letter-count') return undefined;
  const stepTags = {
    subTask: tagOfType(tags, 'sub_task'),
    thinking: tagOfType(tags, 'thinking'),
    doubleCheck: tags.types?.double_check ?? tags.check ?? defaultTagFor('double_check'),
    answer: tags.answer,
  };
  return (response: string, problem: Problem): Record<string, number | null> => {
    const query = letterCountParts(problem);
    if (!query) return {};
    const s = scoreLetterCountSteps(response, query, stepTags);
    return {
      spelling: s.spellingCorrect ? 1 : 0,
      count_step: s.countSteps > 0 ? s.countStepsCorrect / s.countSteps : null,
      letter_binding: s.countSteps > 0 ? s.countStepsOnExpectedLetter / s.countSteps : null,
      addition: s.additionCorrect === null ? null : s.additionCorrect ? 1 : 0,
    };
  };
}
