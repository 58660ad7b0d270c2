/**
 * Shared pieces for the search tests: a letter-count policy whose every answer can be
 * worked out from the prompt (deterministic, keyed by a hash of the prompt, so a resumed
 * run gets the same texts), the letter-count verifier, and tree normalisation for
 * comparing runs whose node ids differ.
 */
import { hashString } from '../../src/core/index.ts';
import { ScriptedPolicy, type ScriptedRequest } from '../../src/policy/scripted-policy.ts';
import { getTask, parseLetterCountQuestion, letterCountAnswer, type Problem } from '../../src/tasks/index.ts';
import type { ExportedTree } from '../../src/search/index.ts';
import type { VerifyFn } from '../../src/search/index.ts';
import { dataFile } from '../helpers/data-paths.ts';

/** The tag the assistant prefix has just opened (the thought being generated). */
export function openedTag(request: ScriptedRequest): string {
  const tags = [...request.prompt.assistantPrefix.matchAll(/<([a-z-]+)>/g)];
  return tags.length > 0 ? tags[tags.length - 1]![1]! : '';
}

/**
 * A letter-count policy: thoughts vary with hash(prefix, seed, sample) so siblings differ
 * (sometimes equal, to exercise merging); an answer is right with probability about
 * `pCorrect` (also by hash), else off by one.
 */
export function hashedLetterCountPolicy(options: { pCorrect?: number; latencyMs?: number; modelId?: string } = {}): ScriptedPolicy {
  const pCorrect = options.pCorrect ?? 0.5;
  return new ScriptedPolicy({
    modelId: options.modelId ?? 'hashed-letter-count',
    latencyMs: options.latencyMs,
    respond: (request, i) => {
      const h = hashString(`${request.prompt.assistantPrefix}|${request.seed}|${i}`);
      const parsed = parseLetterCountQuestion(request.prompt.question);
      const truth = parsed ? letterCountAnswer(parsed) : 0;
      switch (openedTag(request)) {
        case 'answer':
          return ` \\boxed{${(h % 1000) / 1000 < pCorrect ? truth : truth + 1}}`;
        case 'sub-task':
          return ` split the word, count each letter (${h % 2})`;
        case 'double-check':
          return ` the counts look ${h % 3 === 0 ? 'right' : 'plausible'}`;
        default:
          return ` step ${h % 4}`;
      }
    },
  });
}

export const letterCountTask = getTask('letter-count');

/** The real letter-count verifier as a VerifyFn. */
export const verifyLetterCount: VerifyFn = (output, problem: Problem) => letterCountTask.verify(output, problem);

export const LETTER_COUNT_DATA = dataFile('letter-count/letter_count_hard.json');

/** An exported tree with node ids replaced by per-question creation index (ids differ between runs). */
export function normaliseTree(tree: ExportedTree): unknown {
  const local = new Map(tree.nodes.map((n, i) => [n.id, i]));
  const map = (id: number | null) => (id === null ? null : local.get(id)!);
  return {
    ...tree,
    nodes: tree.nodes.map((n) => ({ ...n, id: map(n.id), parent: map(n.parent) })),
    correct_paths: tree.correct_paths.map((p) => p.map(map)),
    wrong_paths: tree.wrong_paths.map((p) => p.map(map)),
  };
}
