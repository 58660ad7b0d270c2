/**
 * Whether a searched path is one the policy itself would write: at every thought, the tag the
 * search opened is the tag the policy opens greedily after the same prefix ("tag probe").
 *
 * Why (docs/eval.md "MCTS decode"): the action graph lets the search open any allowed thought
 * type, e.g. `double_check` right after the spelling, where the built-in model always counts the
 * letters first. With no verifier at inference, answers written after such forced tags are
 * guesses (measured: 278 of 584 answer nodes had no count step, 88 of 100 decoded answers came
 * from such paths). Only on-policy paths may vote in MCTS decode.
 *
 * The probe asks the policy, at temperature 0, to continue `prefix + separator` up to the first `>`:
 * the tag it writes is the tag it would open (the prefix does not end inside a tag, because
 * tokenizers that know the tags as single tokens never saw a lone `<` before a tag name).
 * One probe per distinct prefix, cached per question.
 * Thoughts the search wrote itself (a prefill that is the whole thought, e.g. the reflection's
 * "Wait! ...") are not probed: they are the method's backtracking, not a choice of the policy.
 */
import { closeTag, openTag } from '../core/thought-format.ts';
import { ContextLengthError } from '../core/errors.ts';
import type { Policy } from '../policy/types.ts';
import type { Problem } from '../tasks/types.ts';

/** One tagged thought of a linearised path. */
export interface PathThought {
  tag: string;
  content: string;
}

/**
 * Split a linearised path (`<tag>content</tag>` joined by `separator`) into its thoughts, in order.
 * Returns null when the text is not a sequence of whole thoughts of `tags` (then it cannot be probed).
 */
export function splitPath(text: string, separator: string, tags: readonly string[]): PathThought[] | null {
  const thoughts: PathThought[] = [];
  let at = 0;
  while (at < text.length) {
    if (thoughts.length > 0) {
      if (!text.startsWith(separator, at)) return null;
      at += separator.length;
    }
    const tag = tags.find((t) => text.startsWith(openTag(t), at));
    if (tag === undefined) return null;
    const start = at + openTag(tag).length;
    const end = text.indexOf(closeTag(tag), start);
    if (end < 0) return null;
    thoughts.push({ tag, content: text.slice(start, end) });
    at = end + closeTag(tag).length;
  }
  return thoughts;
}

export interface TagProbeOptions {
  policy: Policy;
  instruction: string;
  separator: string;
  /** Every tag of the action graph (a probe answer outside this list matches no thought). */
  tags: readonly string[];
  /** Whole thoughts the search writes without the policy (prefills ending with their close tag), as `<tag>content</tag>`. */
  searchWritten: ReadonlySet<string>;
}

/** The judgement of one path. */
export interface OnPolicyResult {
  onPolicy: boolean;
  /** Index of the first thought whose tag the policy would not open (null when on-policy or unparsable). */
  offAt: number | null;
  /** The tag the policy opens there. */
  policyTag: string | null;
}

/** The tag probe of one run and the path check built on it. */
export interface OnPolicyChecker {
  /** The tag the policy opens greedily after `prefix` (a linearised path plus separator, or ''); null when it writes no tag. */
  probe(problem: Problem, prefix: string): Promise<string | null>;
  /** Whether a linearised root-to-answer path is on-policy. */
  check(problem: Problem, text: string): Promise<OnPolicyResult>;
  /** Tokens the probes of a question used so far (as the policy reported them). */
  usage(problemId: string): { promptTokens: number; completionTokens: number };
}

/**
 * A per-run checker. Probes are cached by (question, prefix), so the thoughts a tree's paths
 * share are probed once, and expansion and voting ask the same question only once.
 */
export function onPolicyChecker(options: TagProbeOptions): OnPolicyChecker {
  const cache = new Map<string, Promise<string | null>>();
  const used = new Map<string, { promptTokens: number; completionTokens: number }>();
  // Enough tokens for the longest open tag written one character per token (and leading blanks).
  const longest = Math.max(...options.tags.map((t) => t.length)) + 4;
  const probe = (problem: Problem, prefix: string): Promise<string | null> => {
    const key = `${problem.id}\u0000${prefix}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = options.policy
        .doComplete({
          prompt: { instruction: options.instruction, question: problem.question, assistantPrefix: prefix },
          n: 1,
          stop: ['>'],
          maxTokens: longest,
          temperature: 0,
          topP: 1,
          seed: 0,
        })
        .then((r) => {
          const u = used.get(problem.id) ?? { promptTokens: 0, completionTokens: 0 };
          used.set(problem.id, {
            promptTokens: u.promptTokens + r.usage.promptTokens,
            completionTokens: u.completionTokens + r.usage.completionTokens,
          });
          return /^\s*<([^<>\s/]+)/.exec(r.completions[0]!.text)?.[1] ?? null;
        })
        // A prefix beyond the model's context: the policy cannot continue it at all.
        .catch((error: unknown) => {
          if (ContextLengthError.isContextLength(error)) return null;
          throw error;
        });
      cache.set(key, pending);
    }
    return pending;
  };
  const check = async (problem: Problem, text: string): Promise<OnPolicyResult> => {
    const thoughts = splitPath(text, options.separator, options.tags);
    if (thoughts === null || thoughts.length === 0) return { onPolicy: false, offAt: null, policyTag: null };
    let prefix = '';
    for (const [i, thought] of thoughts.entries()) {
      const rendered = `${openTag(thought.tag)}${thought.content}${closeTag(thought.tag)}`;
      const before = i === 0 ? '' : options.separator;
      if (!options.searchWritten.has(rendered)) {
        const policyTag = await probe(problem, prefix + before);
        if (policyTag !== thought.tag) return { onPolicy: false, offAt: i, policyTag };
      }
      prefix += before + rendered;
    }
    return { onPolicy: true, offAt: null, policyTag: null };
  };
  return { probe, check, usage: (id) => used.get(id) ?? { promptTokens: 0, completionTokens: 0 } };
}
