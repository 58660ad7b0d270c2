/**
 * The thought tags the reflection accounting reads (eval/reflection.ts, the data build's stats, the
 * pipeline summary and the letter-count process check). A search config may name its node types and
 * their tags freely (`search.reflection_type`, `search.reflection_ancestor`, a node's `tag:`), so
 * these come from the run's config; the defaults are the authors' graph (docs/method.md section 1).
 */
import { defaultTagFor } from '../core/thought-format.ts';

export interface ReflectionTags {
  /** Tag of the reflection node type (`search.reflection_type`): splits a text into attempts. */
  reflection: string;
  /**
   * Tag of the reflection ancestor type (`search.reflection_ancestor`): its `... = x` is the last
   * checked result of an attempt cut short by a reflection. null: the graph has no such thought.
   */
  check: string | null;
  /** Tag of the `answer` node type. */
  answer: string;
  /**
   * Tag of every node type of the graph (for task checks that read other thoughts, e.g. the
   * letter-count process check's sub-task and thinking steps); absent: not known, read with defaults.
   */
  types?: Readonly<Record<string, string>>;
}

/** The tag a node type is written with under `tags` (its default tag when the graph is not known). */
export function tagOfType(tags: ReflectionTags, type: string): string {
  return tags.types?.[type] ?? defaultTagFor(type);
}

/** The authors' graph: `<reflection>`, `<double-check>`, `<answer>`. */
export const DEFAULT_REFLECTION_TAGS: ReflectionTags = Object.freeze({ reflection: 'reflection', check: 'double-check', answer: 'answer' });

/** What a search config (parsed, or as stored with a run) holds that the tags come from. */
export interface GraphTagSource {
  graph: Readonly<Record<string, { tag?: unknown }>>;
  search?: { reflection_type?: unknown; reflection_ancestor?: unknown };
}

/**
 * The tags of a search config's graph. The reflection type defaults to `reflection`; the ancestor,
 * when the config leaves it out or turns backtracking off (null), to the graph's `double_check` type
 * if it has one (reflections may still hang there through `next_step`), else none. A type the graph
 * lacks is written with its default tag, as the config loader does.
 */
export function reflectionTagsOfGraph(config: GraphTagSource): ReflectionTags {
  const types: Record<string, string> = {};
  for (const [type, node] of Object.entries(config.graph)) {
    types[type] = typeof node?.tag === 'string' ? node.tag : defaultTagFor(type);
  }
  const tagOf = (type: string): string => types[type] ?? defaultTagFor(type);
  const reflectionType = typeof config.search?.reflection_type === 'string' ? config.search.reflection_type : 'reflection';
  const ancestor = config.search?.reflection_ancestor;
  return {
    reflection: tagOf(reflectionType),
    check: typeof ancestor === 'string' ? tagOf(ancestor) : (types.double_check ?? null),
    answer: tagOf('answer'),
    types,
  };
}
