/**
 * The reflection tags of a stored search run (eval/reflection-tags.ts), for the data build's
 * reflection accounting and process check. `treecot search` stores its effective config with the
 * run, graph and tags included, so they are known. A run whose stored config has no graph (written
 * by another tool) still stores each node's type and tag: the tags are read from its nodes, and what
 * neither says is assumed and reported in `note`, never silently.
 */
import { defaultTagFor } from '../core/thought-format.ts';
import { DEFAULT_REFLECTION_TAGS, reflectionTagsOfGraph, type ReflectionTags } from '../eval/index.ts';
import type { StoredQuestion, StoredRun } from '../store/types.ts';

export interface RunReflectionTags {
  tags: ReflectionTags;
  /** null when the tags are the stored config's; else where they came from, to print as a warning. */
  note: string | null;
}

export function runReflectionTags(data: { run: StoredRun; questions: readonly StoredQuestion[] }): RunReflectionTags {
  const config = data.run.config as { graph?: unknown; search?: { reflection_type?: unknown; reflection_ancestor?: unknown } } | null;
  const graph = config?.graph;
  if (graph && typeof graph === 'object' && !Array.isArray(graph)) {
    return { tags: reflectionTagsOfGraph({ graph: graph as Record<string, { tag?: unknown }>, search: config?.search }), note: null };
  }
  const reflectionType = typeof config?.search?.reflection_type === 'string' ? config.search.reflection_type : 'reflection';
  const ancestor = config?.search?.reflection_ancestor;
  const checkType = typeof ancestor === 'string' ? ancestor : 'double_check';
  const tagOfNodes = (type: string): string | undefined => {
    for (const q of data.questions) for (const n of q.nodes) if (n.type === type) return n.tag;
    return undefined;
  };
  const found = { reflection: tagOfNodes(reflectionType), check: tagOfNodes(checkType), answer: tagOfNodes('answer') };
  const tags: ReflectionTags = {
    reflection: found.reflection ?? defaultTagFor(reflectionType),
    check: found.check ?? (checkType === 'double_check' ? DEFAULT_REFLECTION_TAGS.check : defaultTagFor(checkType)),
    answer: found.answer ?? DEFAULT_REFLECTION_TAGS.answer,
  };
  const how = (tag: string, type: string, from: string | undefined): string =>
    `<${tag}> (${from !== undefined ? `from its ${type} nodes` : `assumed: no node of type ${type}`})`;
  return {
    tags,
    note:
      `run ${data.run.runId} stores no action graph with its config, so the reflection accounting reads reflection tag ` +
      `${how(tags.reflection, reflectionType, found.reflection)}, check tag ${how(tags.check!, checkType, found.check)}, ` +
      `answer tag ${how(tags.answer, 'answer', found.answer)}`,
  };
}
