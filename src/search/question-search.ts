/**
 * The MCTS of one question (docs/method.md section 1): iterations of `simulate` (selection,
 * simulate.ts) and `expand` (expand.ts) down to an `answer` node, binary reward from the
 * verifier, `recordRollout` (reflection backtracking, commit, then the pure `backup` of
 * tree.ts), until the stop rule says stop. State is loaded from, and every step committed
 * to, the store, so a killed process resumes here at node level.
 */
import { Rng } from '../core/rng.ts';
import { TreecotError } from '../core/errors.ts';
import type { NewNode } from '../store/search-store.ts';
import type { QuestionStatus } from '../store/types.ts';
import type { Problem } from '../tasks/types.ts';
import { ROOT_TYPE } from './config.ts';
import type { QuestionState, SearchContext } from './context.ts';
import { addChildren, expand, generateChildren, toNewNode } from './expand.ts';
import { simulate } from './simulate.ts';
import { decideStop } from './stop-rule.ts';
import { NO_PARENT, SearchTree, applyVirtualVisit, backup } from './tree.ts';

/**
 * Load a question's committed tree (or create its root). Visit counts are rebuilt from the
 * committed rollouts, the source of truth.
 */
export function loadQuestionState(ctx: SearchContext, problem: Problem): QuestionState {
  const tree = new SearchTree();
  const rows = ctx.store.nodes(ctx.runId, problem.id);
  const indexOf = new Map<number, number>();
  if (rows.length === 0) {
    const storeId = ctx.store.insertRoot({
      runId: ctx.runId,
      questionId: problem.id,
      parentId: null,
      type: ROOT_TYPE,
      tag: '',
      prefill: '',
      content: problem.question,
      showInHistory: false,
      depth: 0,
    });
    ctx.counters.nodesCreated++;
    tree.add({
      parent: NO_PARENT,
      type: ROOT_TYPE,
      tag: '',
      prefill: '',
      content: problem.question,
      showInHistory: false,
      storeId,
      reward: null,
      verdict: null,
      copies: 1,
      expanded: false,
    });
  } else {
    for (const row of rows) {
      const parent = row.parent_id === null ? NO_PARENT : indexOf.get(row.parent_id);
      if (parent === undefined)
        throw new TreecotError(`${ctx.store.file}: node ${row.id} of question ${problem.id} has an unknown parent ${row.parent_id}`);
      indexOf.set(
        row.id,
        tree.add({
          parent,
          type: row.type,
          tag: row.tag,
          prefill: row.prefill,
          content: row.content,
          showInHistory: row.show_in_history === 1,
          storeId: row.id,
          reward: row.reward,
          verdict: row.verdict,
          copies: row.copies,
          expanded: row.expanded === 1,
        }),
      );
    }
  }
  let rollouts = 0;
  let correct = 0;
  for (const r of ctx.store.rollouts(ctx.runId, problem.id)) {
    backup(
      tree,
      (JSON.parse(r.path) as number[]).map((id) => indexOf.get(id)!),
      r.reward,
    );
    rollouts++;
    if (r.reward > 0) correct++;
  }
  const rng = new Rng(ctx.config.seed).split(problem.id);
  return { problem, tree, rng, rollouts, correct, started: rollouts, expanding: new Map() };
}

function stopRule(ctx: SearchContext) {
  const s = ctx.config.search;
  return { maxRollouts: s.max_rollouts, thresholds: s.reward_thresholds, giveUpFactor: s.give_up_factor };
}

async function ensureExpanded(ctx: SearchContext, q: QuestionState, node: number): Promise<void> {
  if (q.tree.expanded[node]) return;
  let pending = q.expanding.get(node);
  if (!pending) {
    pending = expand(ctx, q, node).finally(() => q.expanding.delete(node));
    q.expanding.set(node, pending);
  }
  await pending;
}

/**
 * Error backtracking: after a wrong answer, a new reflection child under the nearest
 * ancestor of the configured type (authors' `add_wrong_answer_node`). Always a new node,
 * even when its text equals an earlier reflection sibling (the authors do the same): each
 * failure opens a fresh branch. Returns null when disabled or there is no such ancestor.
 */
async function reflectionFor(ctx: SearchContext, q: QuestionState, leaf: number, rng: Rng) {
  const { reflection_ancestor: ancestorType, reflection_type: type } = ctx.config.search;
  if (ancestorType === null) return null;
  const ancestor = q.tree.nearestAncestorOfType(leaf, ancestorType);
  if (ancestor === null) return null;
  const [child] = await generateChildren(ctx, q, ancestor, type, 1, rng);
  return { ancestor, child: child! };
}

/**
 * Selection with lazy expansion: `simulate` from the root, `expand` the node where it stopped
 * unexpanded, and simulate on from there, until an answer node or a dead end. Fills `path`
 * (root first); true when it ended at a dead end.
 */
async function descend(ctx: SearchContext, q: QuestionState, path: number[], rng: Rng): Promise<boolean> {
  for (;;) {
    const end = simulate(q.tree, path, ctx.selectChild, rng, ctx.iterationsPerTree > 1);
    if (end !== 'unexpanded') return end === 'dead_end';
    await ensureExpanded(ctx, q, path[path.length - 1]!);
  }
}

/**
 * Close an iteration that reached `path`'s last node: its reward (0 at a dead end: the path no
 * longer fits the model's context, and a reflection would only make it longer), a reflection
 * node after a wrong answer, the stop decision, one commit of all of it, then `backup`.
 * A failed commit leaves memory and store apart, so it is fatal (not a TreecotError).
 */
async function recordRollout(ctx: SearchContext, q: QuestionState, path: readonly number[], deadEnd: boolean, rng: Rng): Promise<void> {
  const tree = q.tree;
  const leaf = path[path.length - 1]!;
  const reward = !deadEnd && tree.reward[leaf]! > 0 ? 1 : 0;
  const reflection = reward === 0 && !deadEnd ? await reflectionFor(ctx, q, leaf, rng.split('reflection')) : null;
  const rollouts = q.rollouts + 1;
  const correct = q.correct + reward;
  const status: QuestionStatus = decideStop(rollouts, correct, stopRule(ctx)) ?? 'running';
  const newNodes: NewNode[] = reflection ? [toNewNode(ctx, q, reflection.ancestor, reflection.child)] : [];
  const commit = {
    runId: ctx.runId,
    questionId: q.problem.id,
    idx: q.rollouts,
    path: path.map((i) => tree.storeId[i]!),
    reward,
    verdict: deadEnd ? 'context_exceeded' : (tree.verdict[leaf] ?? 'no_answer'),
    newNodes,
    status,
  };
  // Counted before the commit resolves so concurrent iterations (virtual loss) take distinct
  // rollout numbers.
  q.rollouts = rollouts;
  q.correct = correct;
  const ids = await ctx.store.commitRolloutGrouped(commit).catch((error: unknown) => {
    throw new Error(`${ctx.store.file}: cannot commit rollout ${commit.idx} of ${q.problem.id}: ${(error as Error).message}`, {
      cause: error,
    });
  });
  ctx.counters.rollouts++;
  ctx.counters.correctRollouts += reward;
  ctx.counters.nodesCreated += ids.length;
  if (ctx.iterationsPerTree > 1) applyVirtualVisit(tree, path, -1);
  backup(tree, path, reward);
  if (reflection) addChildren(q, reflection.ancestor, [reflection.child], ids);
}

/**
 * One iteration: `descend` to an answer node (or a dead end), then `recordRollout`. `key` names
 * the iteration's random stream; in ordered mode it is the rollout number, so a replay after a
 * crash draws the same tie-breaks. With virtual loss, the path's pending visits are removed
 * when the iteration ends, committed or failed.
 */
async function iterate(ctx: SearchContext, q: QuestionState, key: string): Promise<void> {
  const rng = q.rng.split(key);
  const virtual = ctx.iterationsPerTree > 1;
  const path = [0];
  if (virtual) applyVirtualVisit(q.tree, [0], 1);
  try {
    const deadEnd = await descend(ctx, q, path, rng);
    await recordRollout(ctx, q, path, deadEnd, rng); // removes the pending visits before backup
  } catch (error) {
    if (virtual) applyVirtualVisit(q.tree, path, -1);
    throw error;
  }
}

export interface QuestionOutcome {
  status: QuestionStatus;
  rollouts: number;
  correct: number;
  error?: string;
}

/**
 * Search one question to its stop rule. Iterations are ordered (each sees the statistics
 * of all earlier ones) unless `iterationsPerTree > 1` (virtual loss). A failed iteration
 * (policy error after retries) is retried; after `maxConsecutiveErrors` failures in a row
 * the question is marked 'error' (a later run retries it) and the search moves on.
 */
export async function searchQuestion(ctx: SearchContext, problem: Problem, onRollout?: () => void): Promise<QuestionOutcome> {
  const q = loadQuestionState(ctx, problem);
  const rule = stopRule(ctx);
  let failures = 0;
  let lastError: unknown = null;
  const worker = async () => {
    while (decideStop(q.rollouts, q.correct, rule) === null && failures < ctx.maxConsecutiveErrors) {
      if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('aborted');
      const key = ctx.iterationsPerTree > 1 ? `virtual:${q.started++}` : `rollout:${q.rollouts}`;
      try {
        await iterate(ctx, q, key);
        failures = 0;
        onRollout?.();
      } catch (error) {
        if (ctx.signal?.aborted || !TreecotError.isInstance(error)) throw error;
        failures++;
        lastError = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, ctx.iterationsPerTree) }, worker));
  const decision = decideStop(q.rollouts, q.correct, rule);
  if (decision === null) {
    const message = lastError instanceof Error ? lastError.message : String(lastError);
    ctx.store.setQuestionStatus(ctx.runId, problem.id, 'error', message);
    return { status: 'error', rollouts: q.rollouts, correct: q.correct, error: message };
  }
  ctx.store.setQuestionStatus(ctx.runId, problem.id, decision);
  return { status: decision, rollouts: q.rollouts, correct: q.correct };
}
