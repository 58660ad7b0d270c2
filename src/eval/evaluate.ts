/**
 * Evaluate a policy on a task's problems: generate full responses (no prefill; stop at EOS or
 * max tokens), judge each with the task verifier, write per-question JSONL and a summary.
 * Resumable: each finished question is appended to `questions.partial.jsonl`; a re-run skips
 * those and the final files are written atomically at the end.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { canonicalHash, ContextLengthError, hashString, toJsonl, treecotProvenance, writeFileAtomic } from '../core/index.ts';
import { checkEvalSettings, policyIdentity, type EvalSettings } from './eval-settings.ts';
import type { Policy } from '../policy/types.ts';
import type { Problem, Task, Verdict } from '../tasks/index.ts';
import { reflectionMarkers, repeatedLineRate } from './metrics.ts';
import { summarize } from './summarize.ts';
import type { EvalQuestionRecord, EvalSample, EvalSummary } from './types.ts';

/** Scores steps of one response, e.g. letter counting's spelling / count / addition steps (1 right, 0 wrong, null n/a). */
export type StepScorer = (response: string, problem: Problem) => Record<string, number | null>;

export interface EvaluateOptions {
  /** Name of this evaluation (e.g. "base", "sft"); stored in the summary. */
  name: string;
  task: Task;
  problems: readonly Problem[];
  policy: Policy;
  /** Task instruction before the question ('' for none; default: the task's). */
  instruction?: string;
  /** Samples per question (n >= 1). */
  n: number;
  /** 0 = greedy. */
  temperature: number;
  topP?: number;
  maxTokens: number;
  /** Extra stop strings (default none: stop at EOS). */
  stop?: string[];
  /** k values for pass@k (each <= n). */
  k: number[];
  seed: number;
  /** Policy calls in flight (default 1; raise it for HTTP servers). */
  concurrency?: number;
  /** Output folder for questions.jsonl and summary.json; omitted = nothing written. */
  outDir?: string;
  /** Data file name stored in the summary. */
  dataLabel?: string;
  stepScorer?: StepScorer;
  /**
   * The reflection type's tag of the graph the model writes (default `reflection`), counted among each
   * sample's reflection markers as the data build counts it (metrics.ts reflectionMarkers).
   */
  reflectionTag?: string;
  /** Called once before any work when `outDir` already holds finished questions: (done, total). */
  onResume?: (done: number, total: number) => void;
  /** Called after each question with (done, total) and its record (absent under MCTS decode). */
  onProgress?: (done: number, total: number, record?: EvalQuestionRecord) => void;
  /** Judge an output (default task.verify). */
  verify?: (output: string, problem: Problem) => Verdict | Promise<Verdict>;
}

export interface EvaluateResult {
  records: EvalQuestionRecord[];
  summary: EvalSummary;
}

/** Build one judged sample from a response text. */
export async function judgeSample(
  text: string,
  problem: Problem,
  verify: (output: string, problem: Problem) => Verdict | Promise<Verdict>,
  extra: { completionTokens: number; finishReason: string; stepScorer?: StepScorer; reflectionTag?: string },
): Promise<EvalSample> {
  const verdict = await verify(text, problem);
  const sample: EvalSample = {
    text,
    verdict: verdict.verdict,
    extracted: verdict.extracted,
    length_chars: text.length,
    completion_tokens: extra.completionTokens,
    finish_reason: extra.finishReason,
    reflection_markers: reflectionMarkers(text, extra.reflectionTag),
    repeated_line_rate: repeatedLineRate(text),
  };
  if (extra.stepScorer) sample.steps = extra.stepScorer(text, problem);
  return sample;
}

/**
 * The reference answer as the task's verifier states it (`Verdict.reference` of judging an empty
 * output): GSM8K's and MATH's final answer rather than the whole reference object with its worked
 * solution, so that the majority baseline counts answers. (IFEval and Blocksworld have no single
 * answer: their verifier states the instruction ids and the goal.)
 */
export function referenceText(problem: Problem, task: Pick<Task, 'verify'>): string {
  return task.verify('', problem).reference;
}

/**
 * Run the evaluation. Sampling seed per question = hash(seed:question id), so results do not
 * depend on order or concurrency (where the back-end honours seeds).
 * @throws RangeError when a k exceeds n; PolicyCallError when a call fails after its retries.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  for (const k of options.k) {
    if (k < 1 || k > options.n) throw new RangeError(`pass@k needs 1 <= k <= n (k=${k}, n=${options.n})`);
  }
  const started = Date.now();
  const verify = options.verify ?? ((output: string, problem: Problem) => options.task.verify(output, problem));
  const instruction = options.instruction ?? options.task.defaultInstruction;
  const done = new Map<string, EvalQuestionRecord>();
  const partial = options.outDir ? join(options.outDir, 'questions.partial.jsonl') : null;
  if (options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    // Refuses to resume a partial evaluation made with other settings (eval-settings.ts).
    checkEvalSettings(options.outDir, evalSettings(options, instruction));
  }
  if (partial && existsSync(partial)) {
    for (const line of readFileSync(partial, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const record = JSON.parse(line) as EvalQuestionRecord;
        done.set(record.question_id, record);
      } catch {
        // A line cut by a kill: that question is simply evaluated again.
      }
    }
  }
  // Only questions of this problem list count (a --limit re-run may read a longer partial file).
  for (const id of [...done.keys()]) if (!options.problems.some((p) => p.id === id)) done.delete(id);
  let finished = done.size;
  if (finished > 0) options.onResume?.(finished, options.problems.length);
  const limit = pLimit(Math.max(1, options.concurrency ?? 1));
  const todo = options.problems.filter((p) => !done.has(p.id));
  await Promise.all(
    todo.map((problem) =>
      limit(async () => {
        let result;
        try {
          result = await options.policy.doComplete({
            prompt: { instruction, question: problem.question, assistantPrefix: '' },
            n: options.n,
            stop: options.stop ?? [],
            maxTokens: options.maxTokens,
            temperature: options.temperature,
            topP: options.topP ?? 1,
            seed: hashString(`${options.seed}:${problem.id}`),
          });
        } catch (error) {
          // A prompt longer than the model's context gets no answer (counted in the no-answer
          // rate, finish_reason "context_exceeded"); it does not stop the other questions.
          if (!ContextLengthError.isContextLength(error)) throw error;
          result = {
            completions: Array.from({ length: options.n }, () => ({ text: '', finishReason: 'other' as const })),
            usage: { promptTokens: 0, completionTokens: 0 },
            requests: 0,
            warnings: [],
            contextExceeded: true,
          };
        }
        const perSample = result.usage.completionTokens / Math.max(1, result.completions.length);
        const samples: EvalSample[] = [];
        for (const completion of result.completions) {
          samples.push(
            await judgeSample(completion.text, problem, verify, {
              completionTokens: perSample,
              finishReason: 'contextExceeded' in result ? 'context_exceeded' : completion.finishReason,
              stepScorer: options.stepScorer,
              reflectionTag: options.reflectionTag,
            }),
          );
        }
        const record: EvalQuestionRecord = {
          question_id: problem.id,
          question: problem.question,
          reference: referenceText(problem, options.task),
          n: samples.length,
          correct: samples.filter((s) => s.verdict === 'correct').length,
          samples,
          prompt_tokens: result.usage.promptTokens,
        };
        done.set(problem.id, record);
        if (partial) appendFileSync(partial, JSON.stringify(record) + '\n');
        finished++;
        options.onProgress?.(finished, options.problems.length, record);
      }),
    ),
  );
  const records = options.problems.map((p) => done.get(p.id)!);
  return evaluateRecords(records, options, 'sample', started);
}

/** The settings that decide this evaluation's numbers (stored, hashed, checked on resume). */
export function evalSettings(options: EvaluateOptions, instruction: string): EvalSettings {
  return {
    task: options.task.name,
    data: options.dataLabel ?? '',
    policy: policyIdentity(options.policy),
    instruction,
    samples_per_question: options.n,
    temperature: options.temperature,
    top_p: options.topP ?? 1,
    max_tokens: options.maxTokens,
    stop: options.stop ?? [],
    seed: options.seed,
    ...(options.reflectionTag !== undefined && options.reflectionTag !== 'reflection' ? { reflection_tag: options.reflectionTag } : {}),
  };
}

/** Summarise finished records and write the output files (shared by sampling and MCTS decode). */
export function evaluateRecords(
  records: EvalQuestionRecord[],
  options: EvaluateOptions,
  decode: 'sample' | 'mcts',
  started: number,
): EvaluateResult {
  const settings = evalSettings(options, options.instruction ?? options.task.defaultInstruction);
  const summary = summarize(records, {
    name: options.name,
    task: options.task.name,
    policy: options.policy.modelId,
    decode,
    data: options.dataLabel ?? '',
    temperature: options.temperature,
    maxTokens: options.maxTokens,
    k: options.k,
    wallS: (Date.now() - started) / 1000,
  });
  // What produced these numbers: treecot's version and commit, and every setting that decides them.
  summary.produced_by = { treecot: treecotProvenance(), decode, settings_hash: canonicalHash(settings), settings: { ...settings } };
  if (options.outDir) writeEvalOutputs(options.outDir, records, summary);
  return { records, summary };
}

/** Write `questions.jsonl` then `summary.json` (atomically, summary last) and drop the partial file. */
export function writeEvalOutputs(outDir: string, records: readonly EvalQuestionRecord[], summary: EvalSummary): void {
  writeFileAtomic(join(outDir, 'questions.jsonl'), toJsonl(records));
  writeFileAtomic(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  rmSync(join(outDir, 'questions.partial.jsonl'), { force: true });
}
