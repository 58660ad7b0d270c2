/**
 * Expansion (the only asynchronous step of the search): generate all children of a node,
 * one policy call per child type with n = the graph's count and one random prefill,
 * verify new answer nodes, and commit everything in one transaction before the search
 * uses it (docs/method.md section 1, "Generating a node" and "Expansion is lazy").
 */
import type { Rng } from '../core/rng.ts';
import { ContextLengthError, VerifierTimeoutError } from '../core/errors.ts';
import { cutAtStop } from '../policy/index.ts';
import { closeTag, openTag, renderThought } from '../core/thought-format.ts';
import type { Completion, FinishReason } from '../policy/types.ts';
import type { NewNode } from '../store/search-store.ts';
import type { Verdict } from '../tasks/types.ts';
import { ANSWER_TYPE } from './config.ts';
import type { QuestionState, SearchContext } from './context.ts';

/** One distinct child text produced for a node (identical samples merged). */
export interface GeneratedChild {
  type: string;
  tag: string;
  prefill: string;
  content: string;
  showInHistory: boolean;
  copies: number;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason | null;
  policy: string;
  reward: number | null;
  verdict: string | null;
  verdictReason: string | null;
}

/**
 * The child types a node at `depth` may get: the graph row, restricted near `max_depth`
 * to types that can still reach `answer` within it (if none can, the ones closest to it).
 * The paper sets no depth limit; without one a `thinking -> thinking` loop is unbounded.
 */
export function childTypesAt(ctx: SearchContext, type: string, depth: number): [string, number][] {
  const row = Object.entries(ctx.config.graph[type]!.next_step);
  const fits = row.filter(([t]) => depth + 1 + ctx.distanceToAnswer[t]! <= ctx.config.search.max_depth);
  if (fits.length > 0) return fits;
  const closest = Math.min(...row.map(([t]) => ctx.distanceToAnswer[t]!));
  return row.filter(([t]) => ctx.distanceToAnswer[t] === closest);
}

/**
 * The assistant-turn prefix for a new thought of `tag` under `node`: path + separator + open tag
 * + prefill. `path` is `q.tree.pathText(node, separator)` when the caller already has it.
 */
export function assistantPrefixFor(
  ctx: SearchContext,
  q: QuestionState,
  node: number,
  tag: string,
  prefill: string,
  path = q.tree.pathText(node, ctx.config.format.separator),
): string {
  return `${path === '' ? '' : path + ctx.config.format.separator}${openTag(tag)}${prefill}`;
}

/**
 * Stop strings for a thought written with `tag`: its close tag, then (with
 * `format.stop_at_any_tag`) every other open and close tag of the graph.
 */
export function stopStringsFor(ctx: SearchContext, tag: string): string[] {
  const stops = [closeTag(tag)];
  if (!ctx.config.format.stop_at_any_tag) return stops;
  for (const spec of Object.values(ctx.config.graph)) {
    if (spec.tag === '') continue;
    for (const s of [openTag(spec.tag), closeTag(spec.tag)]) if (!stops.includes(s)) stops.push(s);
  }
  return stops;
}

/**
 * Sample `count` children of one type under `node`. A prefill that ends with the type's
 * close tag is the whole thought: no model call, one node with `copies = count`.
 * @throws PolicyCallError (from the policy) when the call fails after its retries.
 */
export async function generateChildren(
  ctx: SearchContext,
  q: QuestionState,
  node: number,
  type: string,
  count: number,
  rng: Rng,
  /** `q.tree.pathText(node, separator)`, computed once per expansion by `expand`. */
  path?: string,
): Promise<GeneratedChild[]> {
  const spec = ctx.config.graph[type]!;
  const close = closeTag(spec.tag);
  const prefill = spec.prefill.length > 0 ? rng.pick(spec.prefill) : '';
  if (prefill.endsWith(close)) {
    const content = prefill.slice(0, -close.length);
    return [newChild(type, spec.tag, spec.show_in_history, content, content, count, null, '')];
  }
  const stops = stopStringsFor(ctx, spec.tag);
  const policy = spec.special_model ? ctx.specialPolicy : ctx.policy;
  const seed = rng.int(0, 0x7fffffff);
  ctx.counters.policyCalls++;
  let result;
  try {
    result = await policy.doComplete({
      prompt: {
        instruction: ctx.instruction,
        question: q.problem.question,
        assistantPrefix: assistantPrefixFor(ctx, q, node, spec.tag, prefill, path),
      },
      n: count,
      stop: stops,
      maxTokens: spec.max_tokens ?? ctx.config.sampling.max_tokens,
      temperature: ctx.config.sampling.temperature,
      topP: ctx.config.sampling.top_p,
      seed,
      signal: ctx.signal,
    });
  } catch (error) {
    if (!ContextLengthError.isContextLength(error)) ctx.counters.failedCalls++;
    throw error;
  }
  ctx.counters.requests += result.requests;
  ctx.counters.promptTokens += result.usage.promptTokens;
  ctx.counters.completionTokens += result.usage.completionTokens;
  const completions = result.completions.length > count ? result.completions.slice(0, count) : result.completions;
  return mergeIdentical(completions, type, spec.tag, spec.show_in_history, prefill, stops, result.usage, policy.modelId);
}

/** A child record with every field set (one object shape for all children). */
function newChild(
  type: string,
  tag: string,
  showInHistory: boolean,
  prefill: string,
  content: string,
  copies: number,
  finishReason: FinishReason | null,
  policy: string,
): GeneratedChild {
  return {
    type,
    tag,
    prefill,
    content,
    showInHistory,
    copies,
    promptTokens: 0,
    completionTokens: 0,
    finishReason,
    policy,
    reward: null,
    verdict: null,
    verdictReason: null,
  };
}

/**
 * Merge samples with identical text into one child with `copies` = how many produced it,
 * in first-seen order. The call's token usage is split evenly over the samples (remainder
 * to the first child), so the children's sums equal the call's usage.
 */
function mergeIdentical(
  completions: readonly Completion[],
  type: string,
  tag: string,
  showInHistory: boolean,
  prefill: string,
  stops: readonly string[],
  usage: { promptTokens: number; completionTokens: number },
  policy: string,
): GeneratedChild[] {
  const children: GeneratedChild[] = [];
  for (const completion of completions) {
    // Cut again for back-ends that do not honour `stop` (the scripted policy, some servers).
    const content = prefill + cutAtStop(completion.text, stops).text;
    let existing: GeneratedChild | undefined;
    for (const child of children) if (child.content === content) existing = child;
    if (existing) existing.copies++;
    else children.push(newChild(type, tag, showInHistory, prefill, content, 1, completion.finishReason, policy));
  }
  const n = Math.max(1, completions.length);
  const promptShare = Math.floor(usage.promptTokens / n);
  const completionShare = Math.floor(usage.completionTokens / n);
  let promptGiven = 0;
  let completionGiven = 0;
  for (const child of children) {
    child.promptTokens = promptShare * child.copies;
    child.completionTokens = completionShare * child.copies;
    promptGiven += child.promptTokens;
    completionGiven += child.completionTokens;
  }
  if (children.length > 0) {
    children[0]!.promptTokens += usage.promptTokens - promptGiven;
    children[0]!.completionTokens += usage.completionTokens - completionGiven;
  }
  return children;
}

/** Run the verifier on an answer child; timeouts become verdict 'timeout' (reward 0). */
export async function judgeAnswer(
  ctx: SearchContext,
  q: QuestionState,
  parent: number,
  child: GeneratedChild,
  path = q.tree.pathText(parent, ctx.config.format.separator),
): Promise<void> {
  const thought = renderThought(child.tag, child.content);
  const output =
    ctx.config.search.verify_on === 'answer' ? thought : [path, thought].filter((s) => s !== '').join(ctx.config.format.separator);
  let verdict: Verdict;
  try {
    const result = ctx.verify(output, q.problem);
    verdict = result instanceof Promise ? await result : result;
  } catch (error) {
    if (!VerifierTimeoutError.isVerifierTimeout(error)) throw error;
    verdict = { verdict: 'timeout', extracted: null, reference: '', reason: (error as Error).message };
  }
  if (verdict.verdict === 'timeout') ctx.counters.verifierTimeouts++;
  const rule = `${verdict.verdict}: ${verdict.rule ?? '(none)'}`;
  ctx.counters.verdictsByRule[rule] = (ctx.counters.verdictsByRule[rule] ?? 0) + 1;
  child.verdict = verdict.verdict;
  child.verdictReason = verdict.reason;
  child.reward = verdict.verdict === 'correct' ? 1 : 0;
}

/** The store row for a generated child of tree node `parent`. */
export function toNewNode(ctx: SearchContext, q: QuestionState, parent: number, child: GeneratedChild): NewNode {
  return {
    runId: ctx.runId,
    questionId: q.problem.id,
    parentId: q.tree.storeId[parent]!,
    type: child.type,
    tag: child.tag,
    prefill: child.prefill,
    content: child.content,
    showInHistory: child.showInHistory,
    depth: q.tree.depth[parent]! + 1,
    reward: child.reward,
    verdict: child.verdict,
    verdictReason: child.verdictReason,
    copies: child.copies,
    promptTokens: child.promptTokens,
    completionTokens: child.completionTokens,
    finishReason: child.finishReason,
    policy: child.policy,
  };
}

/** Add committed children to the in-memory tree (same order as the store ids). */
export function addChildren(q: QuestionState, parent: number, children: readonly GeneratedChild[], storeIds: readonly number[]): number[] {
  return children.map((child, i) =>
    q.tree.add({
      parent,
      type: child.type,
      tag: child.tag,
      prefill: child.prefill,
      content: child.content,
      showInHistory: child.showInHistory,
      storeId: storeIds[i]!,
      reward: child.reward,
      verdict: child.verdict,
      copies: child.copies,
      expanded: false,
    }),
  );
}

/**
 * Expansion (mctx `expand`): give `node` every child type of its graph row (calls run
 * concurrently, each behind the global request bound), answers verified, then one commit.
 * Randomness (prefill choice, sampling seed) is keyed by the node's index, so a resumed run
 * that expands the node later draws the same choices.
 */
export async function expand(ctx: SearchContext, q: QuestionState, node: number): Promise<void> {
  const path = q.tree.pathText(node, ctx.config.format.separator); // shared by every child type
  let types = childTypesAt(ctx, q.tree.type[node]!, q.tree.depth[node]!);
  if (ctx.childTypeFilter) types = await ctx.childTypeFilter(q.problem, path, types);
  const rng = q.rng.split(`expand:${node}`);
  const perType = await Promise.all(
    types.map(([type, count]) =>
      generateChildren(ctx, q, node, type, count, rng.split(type), path).catch((error: unknown) => {
        // A path that outgrew the model's context cannot continue: no children of this type.
        // A node left with no children at all is a dead end (see question-search.ts).
        if (!ContextLengthError.isContextLength(error)) throw error;
        ctx.counters.contextExceeded++;
        return [] as GeneratedChild[];
      }),
    ),
  );
  const children = perType.flat();
  for (const child of children) if (child.type === ANSWER_TYPE) await judgeAnswer(ctx, q, node, child, path);
  const rows = children.map((child) => toNewNode(ctx, q, node, child));
  const ids = await ctx.store.commitExpansionGrouped(q.tree.storeId[node]!, rows);
  ctx.counters.nodesCreated += ids.length;
  addChildren(q, node, children, ids);
  q.tree.expanded[node] = 1;
}
