/**
 * Evaluation of a built-in model GGUF (docs/letter-count-study.md "Results" and "Question 2"):
 * greedy accuracy on held-out two-letter and one-letter questions and on the authors' hard set (next to
 * its always-3 majority baseline), per-step accuracy, and a sampled mix at temperature 0.7 (pass@k, the
 * share of questions with some but not all samples right, no-answer rate).
 */
import { DataError, readRecords, requireField } from '../../core/index.ts';
import { parseLetterCountQuestion, letterCountAnswer } from '../../tasks/index.ts';
import { openGgufGenerator, type GgufGenerator } from './gguf-generator.ts';
import { scoreLetterCountSteps, summarizeStepAccuracy, type StepAccuracySummary } from './step-accuracy.ts';
import { heldOutQuestions } from './data.ts';

/** A question with its parsed word and letters and its gold count. */
export interface EvalQuestion {
  question: string;
  word: string;
  letters: string[];
  gold: number;
}

/** Greedy results on one question set. */
export interface GreedySetResult extends StepAccuracySummary {
  /** Share of questions whose gold answer is the set's most common gold answer (always-answer-that baseline). */
  majorityBaseline: number;
  majorityAnswer: number;
}

/** Sampled results on one question set (k samples per question at `temperature`). */
export interface SampledSetResult {
  questions: number;
  k: number;
  temperature: number;
  meanSampleAccuracy: number;
  /** Share of questions with at least one right sample (pass@k with n = k). */
  passAtK: number;
  /** Share with between 1 and k-1 right samples: the mix a tree search can learn from. */
  mixed: number;
  allWrong: number;
  allRight: number;
  noAnswer: number;
  /** Questions with r right samples, r = 0..k. */
  rightHistogram: number[];
}

/** The authors' hard set (a JSON array of {problem, solution}), parsed; solution checked against the word. */
export function loadHardSet(file: string): EvalQuestion[] {
  return readRecords(file).map((source) => {
    const question = requireField(source, file, 'problem', 'string') as string;
    const parsed = parseLetterCountQuestion(question);
    if (!parsed) throw new DataError({ file, line: source.line, field: 'problem' }, `cannot parse "${question}"`);
    const gold = letterCountAnswer(parsed);
    const solution = requireField(source, file, 'solution', 'number');
    if (solution !== gold)
      throw new DataError(
        { file, line: source.line, field: 'solution' },
        `${solution}, but counting the letters of "${parsed.word}" gives ${gold}`,
      );
    return { question, word: parsed.word, letters: parsed.letters, gold };
  });
}

/** `count` held-out questions with 1 or 2 letters (seeded, words never trained on). */
export function heldOutEvalQuestions(letters: 1 | 2, count: number, seed: number): EvalQuestion[] {
  return heldOutQuestions(letters, count, seed).map((p) => ({ question: p.question, word: p.word, letters: p.letters, gold: p.reference }));
}

function majority(questions: readonly EvalQuestion[]): { answer: number; share: number } {
  const counts = new Map<number, number>();
  for (const q of questions) counts.set(q.gold, (counts.get(q.gold) ?? 0) + 1);
  const [answer, n] = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
  return { answer, share: n / questions.length };
}

/** Greedy decode every question and score it. */
export async function evaluateGreedy(generator: GgufGenerator, questions: readonly EvalQuestion[]): Promise<GreedySetResult> {
  const scores = [];
  for (const q of questions) scores.push(scoreLetterCountSteps((await generator.generate(q.question)).text, q));
  const m = majority(questions);
  return { ...summarizeStepAccuracy(scores), majorityBaseline: m.share, majorityAnswer: m.answer };
}

/** k samples per question at `temperature`, seeds `seed + i * k + j`. */
export async function evaluateSampled(
  generator: GgufGenerator,
  questions: readonly EvalQuestion[],
  k: number,
  temperature: number,
  seed: number,
): Promise<SampledSetResult> {
  const histogram = new Array<number>(k + 1).fill(0);
  let right = 0;
  let unanswered = 0;
  for (let i = 0; i < questions.length; i++) {
    let r = 0;
    for (let j = 0; j < k; j++) {
      const { text } = await generator.generate(questions[i]!.question, { temperature, seed: seed + i * k + j });
      const score = scoreLetterCountSteps(text, questions[i]!);
      if (score.answerCorrect) r++;
      if (!score.answered) unanswered++;
    }
    histogram[r]!++;
    right += r;
  }
  const n = questions.length;
  return {
    questions: n,
    k,
    temperature,
    meanSampleAccuracy: right / (n * k),
    passAtK: (n - histogram[0]!) / n,
    mixed: histogram.slice(1, k).reduce((a, b) => a + b, 0) / n,
    allWrong: histogram[0]! / n,
    allRight: histogram[k]! / n,
    noAnswer: unanswered / (n * k),
    rightHistogram: histogram,
  };
}

export interface BuiltinEvalOptions {
  /** Held-out questions per set (two-letter and one-letter); default 500. */
  heldOutCount?: number;
  /** The authors' hard set file; skipped when absent. */
  hardSetFile?: string;
  /** Questions (per set: hard and held-out two-letter) for the sampled mix; 0 skips it. Default 100. */
  sampledCount?: number;
  seed?: number;
}

export interface BuiltinEvalReport {
  heldOutTwoLetter: GreedySetResult;
  heldOutOneLetter: GreedySetResult;
  hardSet?: GreedySetResult;
  sampled?: { heldOutTwoLetter: SampledSetResult; hardSet?: SampledSetResult };
  seconds: number;
}

/** Full evaluation of a GGUF file (held-out sets, hard set, sampled mix). */
export async function evaluateBuiltinGguf(file: string, options: BuiltinEvalOptions = {}): Promise<BuiltinEvalReport> {
  const started = Date.now();
  const n = options.heldOutCount ?? 500;
  const seed = options.seed ?? 20261129;
  const sampledCount = options.sampledCount ?? 100;
  const generator = await openGgufGenerator(file);
  try {
    const two = heldOutEvalQuestions(2, n, seed);
    const report: BuiltinEvalReport = {
      heldOutTwoLetter: await evaluateGreedy(generator, two),
      heldOutOneLetter: await evaluateGreedy(generator, heldOutEvalQuestions(1, n, seed + 1)),
      seconds: 0,
    };
    const hard = options.hardSetFile ? loadHardSet(options.hardSetFile) : undefined;
    if (hard) report.hardSet = await evaluateGreedy(generator, hard);
    if (sampledCount > 0) {
      report.sampled = { heldOutTwoLetter: await evaluateSampled(generator, two.slice(0, sampledCount), 8, 0.7, seed) };
      if (hard) report.sampled.hardSet = await evaluateSampled(generator, hard.slice(0, sampledCount), 8, 0.7, seed);
    }
    report.seconds = (Date.now() - started) / 1000;
    return report;
  } finally {
    await generator.dispose();
  }
}
