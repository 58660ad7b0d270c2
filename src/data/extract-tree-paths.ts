/**
 * Trees -> root-to-answer paths (METHOD.md section 1, "Output": the correct and incorrect
 * root-to-answer paths). Each path is linearised exactly as the search wrote it into its
 * prompts: `linearizePath(thoughts, separator)` from core/thought-format.ts, with the prompt
 * `userText(instruction, question)` from core/prompt.ts.
 */
import { DataError } from '../core/errors.ts';
import { linearizePath, renderThought, type ThoughtOnPath } from '../core/thought-format.ts';
import { userText } from '../core/prompt.ts';
import { reflectionMarkers } from '../eval/index.ts';
import type { StoredNode, StoredQuestion } from '../store/types.ts';
import type { CountTokens, TreePath } from './types.ts';

export interface ExtractPathsOptions {
  /** Thought separator of the run (`StoredRun.separator`). */
  separator: string;
  /** Write thoughts without their tags (content only). Default false: tags kept. */
  stripTags?: boolean;
  /** Token counter; when absent, lengths are characters. */
  countTokens?: CountTokens;
  /** Name used in error messages (the database path). */
  source?: string;
  /** Node types counted as reflections. Default REFLECTION_TYPES. */
  reflectionTypes?: readonly string[];
  /** The reflection type's tag, counted among the reflection markers (eval's reflectionMarkers). Default `reflection`. */
  reflectionTag?: string;
}

/** What was left out while extracting, for the stats. */
export interface ExtractCounts {
  /** Answer nodes with reward null (not yet scored). */
  unscoredAnswers: number;
  /** Paths through a node a person marked `rejected`. */
  annotationRejected: number;
}

/** Node types counted as reflections by default (the run's `search.reflection_type` is used when known). */
export const REFLECTION_TYPES: readonly string[] = ['reflection'];

/** An answer node: type `answer`, or any node that carries a reward. */
function isAnswerNode(node: StoredNode): boolean {
  return node.type === 'answer' || node.reward !== null;
}

/**
 * Every scored root-to-answer path of one question, in answer-node id order.
 * Paths through a node annotated `rejected` are dropped (counted in `counts`).
 * @throws DataError when the tree has no root, several roots, or a node whose parent is missing.
 */
export function extractQuestionPaths(
  question: StoredQuestion,
  options: ExtractPathsOptions,
  counts: ExtractCounts = { unscoredAnswers: 0, annotationRejected: 0 },
): TreePath[] {
  const file = options.source ?? 'run';
  if (question.nodes.length === 0) return [];
  const byId = new Map<number, StoredNode>();
  for (const node of question.nodes) byId.set(node.id, node);
  const roots = question.nodes.filter((n) => n.parentId === null);
  if (roots.length !== 1) {
    throw new DataError({ file, field: `question ${question.questionId}` }, `tree must have exactly one root node, found ${roots.length}`);
  }
  const prompt = userText(question.instruction, question.question);
  const paths: TreePath[] = [];
  const answers = question.nodes.filter(isAnswerNode).sort((a, b) => a.id - b.id);
  for (const answer of answers) {
    if (answer.reward === null) {
      counts.unscoredAnswers++;
      continue;
    }
    const chain: StoredNode[] = [];
    for (let node: StoredNode | undefined = answer; node;) {
      chain.push(node);
      if (node.parentId === null) break;
      const parent = byId.get(node.parentId);
      if (!parent) {
        throw new DataError({ file, field: `question ${question.questionId}` }, `node ${node.id} has missing parent ${node.parentId}`);
      }
      if (chain.length > question.nodes.length) {
        throw new DataError({ file, field: `question ${question.questionId}` }, `cycle through node ${node.id}`);
      }
      node = parent;
    }
    chain.reverse();
    if (chain.some((n) => n.annotation === 'rejected')) {
      counts.annotationRejected++;
      continue;
    }
    paths.push(buildPath(question.questionId, prompt, chain.slice(1), chain, options));
  }
  return paths;
}

function buildPath(
  questionId: string,
  prompt: string,
  thoughts: StoredNode[],
  chain: StoredNode[],
  options: ExtractPathsOptions,
): TreePath {
  const shown = thoughts.filter((n) => n.showInHistory);
  const response = options.stripTags
    ? shown.map((n) => n.content).join(options.separator)
    : linearizePath(
        shown.map((n): ThoughtOnPath => ({ tag: n.tag, content: n.content, showInHistory: true })),
        options.separator,
      );
  const thoughtStarts: number[] = [];
  let offset = 0;
  for (const node of shown) {
    thoughtStarts.push(offset);
    const written = options.stripTags ? node.content : renderThought(node.tag, node.content);
    offset += written.length + options.separator.length;
  }
  const answer = chain[chain.length - 1]!;
  const reward = answer.reward ?? 0;
  return {
    questionId,
    prompt,
    response,
    reward,
    correct: reward >= 1,
    verdict: answer.verdict,
    length: options.countTokens ? options.countTokens(response) : response.length,
    lengthUnit: options.countTokens ? 'tokens' : 'chars',
    reflectionCount: thoughts.filter((n) => (options.reflectionTypes ?? REFLECTION_TYPES).includes(n.type)).length,
    reflectionMarkers: reflectionMarkers(response, options.reflectionTag),
    nodeIds: chain.map((n) => n.id),
    thoughtStarts,
    promptTokens: chain.reduce((sum, n) => sum + n.promptTokens, 0),
    completionTokens: chain.reduce((sum, n) => sum + n.completionTokens, 0),
    nodeTokens: chain.map((n) => n.promptTokens + n.completionTokens),
  };
}
