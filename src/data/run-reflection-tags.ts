/**
 * The reflection tags of a stored search run (eval/reflection-tags.ts), for the data build's
 * reflection accounting and process check. `treecot search` stores its effective config with the
 * run, graph and tags included, so they are known. A run whose stored config has no graph (written
 * by another tool) still stores each node's type and tag: the tags are read from its nodes, and what
 * neither says is assumed and reported in `note`, never silently.
 */
import { reflectionTagsOfGraph, type GraphTagSource, type ReflectionTags } from '../eval/index.ts';
import type { StoredQuestion, StoredRun } from '../store/types.ts';

export interface RunReflectionTags {
  tags: ReflectionTags;
  /** null when the tags are the stored config's; else where they came from, to print as a warning. */
  note: string | null;
}

export function runReflectionTags(data: { run: StoredRun; questions: readonly StoredQuestion[] }): RunReflectionTags {
  const config = data.run.config as { graph?: unknown; search?: GraphTagSource['search'] } | null;
  const graph = config?.graph;
  if (graph && typeof graph === 'object' && !Array.isArray(graph)) {
    return { tags: reflectionTagsOfGraph({ graph: graph as GraphTagSource['graph'], search: config?.search }), note: null };
  }
  // Each stored node carries its type and the tag it was written with.
  const fromNodes: Record<string, { tag: string }> = {};
  for (const q of data.questions)
    for (const n of q.nodes) if (n.parentId !== null && !(n.type in fromNodes)) fromNodes[n.type] = { tag: n.tag };
  const tags = reflectionTagsOfGraph({ graph: fromNodes, search: config?.search });
  const reflectionType = typeof config?.search?.reflection_type === 'string' ? config.search.reflection_type : 'reflection';
  const ancestor = config?.search?.reflection_ancestor;
  const checkType = typeof ancestor === 'string' ? ancestor : 'double_check';
  const how = (tag: string | null, type: string): string =>
    fromNodes[type] ? `<${tag}> (from its ${type} nodes)` : `${tag === null ? 'none' : `<${tag}>`} (assumed: no node of type ${type})`;
  return {
    tags,
    note:
      `run ${data.run.runId} stores no action graph with its config, so the reflection accounting reads reflection tag ` +
      `${how(tags.reflection, reflectionType)}, check tag ${how(tags.check, checkType)}, answer tag ${how(tags.answer, 'answer')}`,
  };
}
