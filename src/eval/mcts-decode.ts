/**
 * "MCTS decode" (docs/method.md section 5, paper Table 7): answer each question by a small tree search
 * at inference instead of one sampled response. The paper does not say how rollouts are scored at
 * inference, where the reference is unknown. treecot's design (docs/eval.md "MCTS decode", with
 * the measurements behind each rule):
 *
 * 1. The policy's greedy response is the first rollout: it counts as one sample at the root, so the
 *    search can add evidence to the policy's own best guess but not replace it with paths of
 *    another shape.
 * 2. On-policy paths only (on-policy-path.ts): at each expansion the search keeps, of the graph
 *    row, the type whose tag the policy itself opens there (a greedy "tag probe"), and only paths
 *    whose every tag passes the probe may vote. The action graph lets the search force any
 *    allowed type (e.g. `double_check` right after spelling, skipping the letter counts); answers
 *    written after a forced tag are guesses. Measured with the first design (built-in model, first
 *    100 authors' questions, 8 rollouts): 278 of 584 answer nodes had no count step (18% right),
 *    they drew 61% of the answer visits, and 88 of 100 decoded answers came from them.
 * 3. The vote is the tree's estimate of the policy's answer distribution
 *    (tree-answer-distribution.ts): each node mixes its explored children by their sampled
 *    copies. Visit counts are not votes: UCT revisits what its own reward favoured, so the first
 *    design's visit-weighted vote echoed its reward. Ties go to the greedy answer.
 * 4. The UCT reward (self-consistency) is 1 when an on-policy path's answer equals or ties the
 *    leading answer among the votes so far (the greedy answer counted first), else 0; off-policy
 *    paths get 0. The first design rewarded the first answer found unconditionally (it always
 *    agrees with itself; in 67 of 100 questions it was a no-count guess) and froze that reward.
 * 5. No early stop: every question runs exactly `max_rollouts` rollouts. The data search's rule
 *    (stop at 8 "correct" rollouts) ended the first design after 8 revisits of its first answer:
 *    "32 rollouts" averaged 9.3.
 *
 * The reference answer is used only to judge the decoded response, never during decoding.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Problem, Verdict } from '../tasks/index.ts';
import type { StoredQuestion } from '../store/index.ts';
import { evaluate, evaluateRecords, judgeSample, referenceText, type EvaluateOptions, type EvaluateResult } from './evaluate.ts';
import { onPolicyChecker, type OnPolicyResult } from './on-policy-path.ts';
import { treeAnswerDistribution } from './tree-answer-distribution.ts';
import type { EvalQuestionRecord } from './types.ts';
import { reflectionTagsOfGraph } from './reflection-tags.ts';
import type { ChildTypeFilter } from '../search/index.ts';

export interface MctsDecodeOptions extends EvaluateOptions {
  /** Search config (action graph, sampling) used at inference. Its stop rule and `verify_on` are replaced (see the module doc). */
  searchConfigPath: string;
  /** Rollouts per question (default: the config's `max_rollouts`). */
  maxRollouts?: number;
  /**
   * Sampling temperature of the decode search (default: the search config's). The vote estimates
   * the policy's answer distribution at this temperature; lower is closer to greedy (docs/eval.md).
   */
  searchTemperature?: number;
}

/** Votes (or probability mass) per answer, in first-vote order. */
export type VoteTally = Map<string, number>;

/**
 * The leading answer of a tally: the largest score; ties (within 1e-9, for summed probabilities)
 * go to `preferred` (the greedy answer) when it is among the tied, else to the answer that scored
 * first. null for an empty tally.
 */
export function leadingAnswer(tally: VoteTally, preferred: string | null): string | null {
  if (tally.size === 0) return null;
  const top = Math.max(...tally.values());
  const tied = [...tally].filter(([, score]) => score >= top - 1e-9).map(([answer]) => answer);
  return preferred !== null && tied.includes(preferred) ? preferred : tied[0]!;
}

export interface DecodeVerifierOptions {
  extract: (output: string) => string | null;
  /** Whether a path (root to answer, linearised) is on-policy. */
  check: (problem: Problem, text: string) => Promise<OnPolicyResult>;
  /** The greedy response's extracted answer per question id (the first vote; null = none). */
  greedyAnswers: ReadonlyMap<string, string | null>;
}

/**
 * The search's reward at inference (rule 4 of the module doc): 'correct' (reward 1) when the path is
 * on-policy and its answer equals or ties the leading answer among the votes so far, the greedy
 * answer included; 'wrong' for off-policy paths and disagreeing answers; 'no_answer' without one.
 * Needs the whole path (`verify_on: path`).
 */
export function decodeVerifier(options: DecodeVerifierOptions): (output: string, problem: Problem) => Promise<Verdict> {
  const tallies = new Map<string, VoteTally>();
  return async (output, problem) => {
    const answer = options.extract(output);
    if (answer === null) return { verdict: 'no_answer', extracted: null, reference: '', reason: 'no answer' };
    const greedy = options.greedyAnswers.get(problem.id) ?? null;
    let tally = tallies.get(problem.id);
    if (!tally) {
      tally = new Map(greedy === null ? [] : [[greedy, 1]]);
      tallies.set(problem.id, tally);
    }
    const path = await options.check(problem, output);
    if (!path.onPolicy) {
      const where =
        path.offAt === null
          ? 'not a sequence of graph thoughts'
          : `thought ${path.offAt + 1}, where the policy opens <${path.policyTag ?? '?'}>`;
      return { verdict: 'wrong', extracted: answer, reference: '', reason: `off-policy path (${where}): no vote` };
    }
    tally.set(answer, (tally.get(answer) ?? 0) + 1);
    const leader = leadingAnswer(tally, greedy)!;
    const agrees = tally.get(answer) === tally.get(leader);
    return {
      verdict: agrees ? 'correct' : 'wrong',
      extracted: answer,
      reference: leader,
      reason: agrees ? 'agrees with the leading answer' : `leading answer is ${leader}`,
    };
  };
}

/** Root-to-node id path. */
function pathTo(question: StoredQuestion, nodeId: number): number[] {
  const byId = new Map(question.nodes.map((n) => [n.id, n]));
  const path: number[] = [];
  for (let node = byId.get(nodeId); node; node = node.parentId === null ? undefined : byId.get(node.parentId)) path.unshift(node.id);
  return path;
}

/** Evaluate with MCTS decode; writes `search.db` and `greedy/` in the output folder (or a temporary one). */
export async function evaluateWithSearch(options: MctsDecodeOptions): Promise<EvaluateResult> {
  const { loadSearchConfig, runSearch, pathText, searchInstruction } = await import('../search/index.ts');
  const { readRun } = await import('../store/index.ts');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const started = Date.now();
  const dir = options.outDir ?? mkdtempSync(join(tmpdir(), 'treecot-mcts-decode-'));
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'search.db');
  const { config } = loadSearchConfig(options.searchConfigPath);
  const rollouts = options.maxRollouts ?? config.search.max_rollouts;
  const instruction = options.instruction ?? searchInstruction(config, options.task.defaultInstruction);
  // The policy writes the graph's tags: its greedy and decoded responses count that reflection tag.
  const reflectionTag = options.reflectionTag ?? reflectionTagsOfGraph(config).reflection;
  if (options.searchTemperature !== undefined && !(options.searchTemperature >= 0))
    throw new RangeError(`evaluateWithSearch: searchTemperature must be >= 0 (got ${options.searchTemperature})`);
  const effective = {
    ...config,
    instruction,
    sampling: { ...config.sampling, temperature: options.searchTemperature ?? config.sampling.temperature },
    // Rule 5: exactly `rollouts` rollouts (min 0 agreeing after max_rollouts; max never reached).
    search: {
      ...config.search,
      max_rollouts: rollouts,
      reward_thresholds: [0, rollouts + 1] as [number, number],
      give_up_factor: 1,
      verify_on: 'path' as const,
    },
  };
  const task = options.task;

  // Rule 1: the greedy response, judged for the report; only its extracted answer enters decoding.
  const greedy = await evaluate({
    ...options,
    name: `${options.name} greedy`,
    instruction,
    reflectionTag,
    n: 1,
    temperature: 0,
    k: [1],
    outDir: join(dir, 'greedy'),
    onProgress: undefined,
  });
  const greedyById = new Map(greedy.records.map((r) => [r.question_id, { ...r.samples[0]!, prompt_tokens: r.prompt_tokens }]));
  const greedyAnswers = new Map([...greedyById].map(([id, s]) => [id, task.extractAnswer(s.text)]));

  const graphTags = [
    ...new Set(
      Object.values(effective.graph)
        .map((spec) => spec.tag)
        .filter((t) => t !== ''),
    ),
  ];
  const searchWritten = new Set<string>();
  for (const spec of Object.values(effective.graph)) {
    for (const prefill of spec.prefill) if (prefill.endsWith(`</${spec.tag}>`)) searchWritten.add(`<${spec.tag}>${prefill}`);
  }
  const separator = effective.format.separator;
  const { probe, check, usage } = onPolicyChecker({ policy: options.policy, instruction, separator, tags: graphTags, searchWritten });
  // Rule 2 at expansion: of the graph row, expand only the type(s) whose tag the policy opens
  // there. When the policy opens no tag of the row, the whole row is kept (the graph decides;
  // those paths are off-policy and get no vote).
  const childTypeFilter: ChildTypeFilter = async (problem, path, types) => {
    const tag = await probe(problem, path === '' ? '' : path + separator);
    const chosen = types.filter(([type]) => effective.graph[type]!.tag === tag);
    return chosen.length > 0 ? chosen : types;
  };
  await runSearch({
    config: effective,
    task: task.name,
    defaultInstruction: task.defaultInstruction,
    problems: options.problems,
    dbPath,
    policy: options.policy,
    childTypeFilter,
    verify: decodeVerifier({ extract: (o) => task.extractAnswer(o), check, greedyAnswers }),
    concurrency: options.concurrency ?? 1,
    onProgress: (p) => options.onProgress?.(p.finished, p.questions),
  });

  const { run, questions } = readRun(dbPath);
  const byId = new Map(questions.map((q) => [q.questionId, q]));
  const verify = options.verify ?? ((output: string, problem: Problem) => task.verify(output, problem));
  const records: EvalQuestionRecord[] = [];
  for (const problem of options.problems) {
    const question = byId.get(problem.id)!;
    const greedySample = greedyById.get(problem.id)!;
    const greedyAnswer = greedyAnswers.get(problem.id) ?? null;
    // Rules 1-3: which answer nodes may vote (on-policy paths with an answer), then the tree's
    // estimate of the policy's answer distribution with the greedy response as one more sample.
    const voters = new Map<number, string>();
    const firstPath = new Map<string, string>();
    let answerPaths = 0;
    for (const node of question.nodes) {
      if (node.type !== 'answer') continue;
      answerPaths++;
      const text = pathText(question, pathTo(question, node.id), run.separator);
      const answer = task.extractAnswer(text);
      if (answer === null || !(await check(problem, text)).onPolicy) continue;
      voters.set(node.id, answer);
      if (!firstPath.has(answer)) firstPath.set(answer, text);
    }
    const tally = treeAnswerDistribution(question.nodes, (node) => voters.get(node.id) ?? null, [greedyAnswer]);
    const decoded = leadingAnswer(tally, greedyAnswer);
    const text = decoded === null || decoded === greedyAnswer ? greedySample.text : firstPath.get(decoded)!;
    // Cost: the tree's nodes, the greedy response and the tag probes.
    const probes = usage(problem.id);
    const completionTokens =
      question.nodes.reduce((s, n) => s + n.completionTokens, 0) + greedySample.completion_tokens + probes.completionTokens;
    const sample = await judgeSample(text, problem, verify, {
      completionTokens,
      finishReason: decoded === null ? greedySample.finish_reason : 'stop',
      stepScorer: options.stepScorer,
      reflectionTag,
    });
    records.push({
      question_id: problem.id,
      question: problem.question,
      reference: referenceText(problem, task),
      n: 1,
      correct: sample.verdict === 'correct' ? 1 : 0,
      samples: [sample],
      prompt_tokens:
        question.nodes.reduce((s, n) => s + n.promptTokens, 0) + greedyById.get(problem.id)!.prompt_tokens + probes.promptTokens,
      search: {
        rollouts: question.rollouts,
        nodes: question.nodes.length,
        answers: Object.fromEntries([...tally].map(([a, p]) => [a, Math.round(p * 1e4) / 1e4])),
        greedy_answer: greedyAnswer,
        answer_paths: answerPaths,
        on_policy_paths: voters.size,
      },
    });
  }
  // The summary's temperature is the one the decode search sampled at (the greedy vote is at 0).
  return evaluateRecords(records, { ...options, n: 1, k: [1], temperature: effective.sampling.temperature }, 'mcts', started);
}
