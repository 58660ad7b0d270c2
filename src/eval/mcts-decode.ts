/**
 * "MCTS decode" (METHOD.md section 5): answer each question by a small tree search at inference
 * instead of one sampled response. The paper does not say how rollouts are scored at inference,
 * where the reference is unknown; treecot scores them by self-consistency:
 *
 *   reward(rollout) = 1 if its extracted answer equals the most common answer among this
 *                     question's rollouts so far (itself included), else 0; no answer = 0.
 *
 * so UCT exploits branches that agree and wrong-looking answers get reflection children, as in the
 * data search. The decoded answer is the answer with the most rollouts (visit-weighted majority
 * vote over answer nodes; ties to the answer reached first); its response is the path text of that
 * answer's most visited answer node. Only that response is judged against the reference.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Problem, Verdict } from '../tasks/index.ts';
import type { StoredQuestion } from '../store/index.ts';
import { evaluateRecords, judgeSample, referenceText, type EvaluateOptions, type EvaluateResult } from './evaluate.ts';
import type { EvalQuestionRecord } from './types.ts';

export interface MctsDecodeOptions extends EvaluateOptions {
  /** Search config (action graph, sampling, stop rule) used at inference. */
  searchConfigPath: string;
  /** Override the config's max rollouts per question (small: this is decoding). */
  maxRollouts?: number;
}

/** Root-to-node id path. */
function pathTo(question: StoredQuestion, nodeId: number): number[] {
  const byId = new Map(question.nodes.map((n) => [n.id, n]));
  const path: number[] = [];
  for (let node = byId.get(nodeId); node; node = node.parentId === null ? undefined : byId.get(node.parentId)) path.unshift(node.id);
  return path;
}

/** Self-consistency verifier: one answer tally per question (see the module comment). */
export function selfConsistencyVerifier(extract: (output: string) => string | null): (output: string, problem: Problem) => Verdict {
  const tallies = new Map<string, Map<string, number>>();
  return (output, problem) => {
    const answer = extract(output);
    if (answer === null) return { verdict: 'no_answer', extracted: null, reference: '', reason: 'no answer' };
    const tally = tallies.get(problem.id) ?? new Map<string, number>();
    tallies.set(problem.id, tally);
    tally.set(answer, (tally.get(answer) ?? 0) + 1);
    let best = answer;
    for (const [a, c] of tally) if (c > tally.get(best)!) best = a;
    const agrees = tally.get(answer) === tally.get(best);
    return { verdict: agrees ? 'correct' : 'wrong', extracted: answer, reference: best, reason: agrees ? 'agrees with the majority so far' : `majority so far is ${best}` };
  };
}

/** Evaluate with MCTS decode; writes `search.db` in the output folder (or a temporary one). */
export async function evaluateWithSearch(options: MctsDecodeOptions): Promise<EvaluateResult> {
  const { loadSearchConfig, runSearch, pathText } = await import('../search/index.ts');
  const { readRun } = await import('../store/index.ts');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const started = Date.now();
  const dir = options.outDir ?? mkdtempSync(join(tmpdir(), 'treecot-mcts-decode-'));
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'search.db');
  const { config } = loadSearchConfig(options.searchConfigPath);
  const effective = {
    ...config,
    instruction: options.instruction ?? config.instruction,
    search: { ...config.search, ...(options.maxRollouts ? { max_rollouts: options.maxRollouts } : {}) },
  };
  const task = options.task;
  await runSearch({
    config: effective,
    task: task.name,
    defaultInstruction: task.defaultInstruction,
    problems: options.problems,
    dbPath,
    policy: options.policy,
    verify: selfConsistencyVerifier((o) => task.extractAnswer(o)),
    concurrency: options.concurrency ?? 1,
    onProgress: (p) => options.onProgress?.(p.finished, p.questions),
  });
  const { run, questions } = readRun(dbPath);
  const byId = new Map(questions.map((q) => [q.questionId, q]));
  const verify = options.verify ?? ((output: string, problem: Problem) => task.verify(output, problem));
  const records: EvalQuestionRecord[] = [];
  for (const problem of options.problems) {
    const question = byId.get(problem.id)!;
    const answers = new Map<string, { visits: number; node: number; nodeVisits: number; order: number }>();
    question.nodes
      .filter((n) => n.type === 'answer' && n.visits > 0)
      .forEach((n, order) => {
        const text = pathText(question, pathTo(question, n.id), run.separator);
        const answer = task.extractAnswer(text);
        if (answer === null) return;
        const entry = answers.get(answer) ?? { visits: 0, node: n.id, nodeVisits: n.visits, order };
        entry.visits += n.visits;
        if (n.visits > entry.nodeVisits) [entry.node, entry.nodeVisits] = [n.id, n.visits];
        answers.set(answer, entry);
      });
    const best = [...answers.values()].sort((a, b) => b.visits - a.visits || a.order - b.order)[0];
    const text = best ? pathText(question, pathTo(question, best.node), run.separator) : '';
    const completionTokens = question.nodes.reduce((s, n) => s + n.completionTokens, 0);
    const sample = await judgeSample(text, problem, verify, { completionTokens, finishReason: best ? 'stop' : 'other', stepScorer: options.stepScorer });
    records.push({
      question_id: problem.id,
      question: problem.question,
      reference: referenceText(problem, task),
      n: 1,
      correct: sample.verdict === 'correct' ? 1 : 0,
      samples: [sample],
      prompt_tokens: question.nodes.reduce((s, n) => s + n.promptTokens, 0),
      search: { rollouts: question.rollouts, nodes: question.nodes.length, answers: Object.fromEntries([...answers].map(([a, e]) => [a, e.visits])) },
    });
  }
  return evaluateRecords(records, { ...options, n: 1, k: [1] }, 'mcts', started);
}
