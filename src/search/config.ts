/**
 * The search config (YAML or JSON): the action graph of typed thoughts (docs/method.md
 * section 1), the instruction, sampling and the MCTS parameters. Validated once here with
 * zod; every error names the field, the file and (when known) the line.
 *
 * Field names are snake_case like the authors' `marco_o1_demo_config.json`. Defaults are
 * the authors' demo values (temperature 0.7, top-p 0.9, 512 tokens, c = 1.414,
 * thresholds [4, 8] over 32 rollouts, give up after 4 x 32).
 */
import { canonicalHash, canonicalJson } from '../core/canonical-json.ts';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { configErrorFromZod } from '../core/config-error-from-zod.ts';
import { readConfigFile } from '../core/config-file.ts';
import { closeTag, defaultTagFor } from '../core/thought-format.ts';
import { escapeRegExp } from '../core/regexp.ts';

/** The root node's type name in the graph (the authors call it `base`; both are accepted). */
export const ROOT_TYPE = 'root';
/** The terminal node type: reaching it ends a rollout and calls the verifier. */
export const ANSWER_TYPE = 'answer';

const typeName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'node type names are lower_snake_case');

const nodeTypeSchema = z.strictObject({
  /** Prefill phrases; one is picked at random per expansion and written after the open tag. */
  prefill: z.array(z.string()).default([]),
  /** Child type -> number of samples (one policy call with n = count). */
  next_step: z.record(typeName, z.int().min(1).max(64)).default({}),
  /** Generate this type with the `--special-policy` model (paper: Llama-3.1-70B for double-check/reflection). */
  special_model: z.boolean().default(false),
  /** Whether the thought is written into the linearised path (prompts and training data). */
  show_in_history: z.boolean().default(true),
  /** Tag name; default `defaultTagFor(type)` (underscores -> hyphens). */
  tag: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a tag is letters, digits, - and _')
    .optional(),
  /** Max new tokens for this type (overrides sampling.max_tokens). */
  max_tokens: z.int().min(1).optional(),
  description: z.string().optional(),
});

const configSchema = z.strictObject({
  /** Task instruction before the question in the user turn; omitted = the task's default. */
  instruction: z.string().optional(),
  format: z
    .strictObject({
      /** Text between thoughts on a path ("\n" for chat models, "" for the built-in compact model). */
      separator: z.string().default('\n'),
      /**
       * Also end a thought at any other tag of the graph (open or close), not only at its own
       * close tag. Thoughts cannot nest (the authors' prompt says so); a small model that
       * writes `</thinking>` inside a double-check has left the thought. Off by default because
       * some hosted APIs accept at most 4 stop strings.
       */
      stop_at_any_tag: z.boolean().default(false),
    })
    .default({ separator: '\n', stop_at_any_tag: false }),
  sampling: z
    .strictObject({
      temperature: z.number().min(0).max(5).default(0.7),
      top_p: z.number().gt(0).max(1).default(0.9),
      max_tokens: z.int().min(1).default(512),
    })
    .default({ temperature: 0.7, top_p: 0.9, max_tokens: 512 }),
  search: z
    .strictObject({
      /** UCT exploration constant c in W/N + c*sqrt(2 ln N_parent / N). */
      uct_c: z.number().min(0).default(1.414),
      /** Rollouts after which a question with >= reward_thresholds[0] correct stops (authors: max_rollout_time). */
      max_rollouts: z.int().min(1).default(32),
      /** [min, max] correct rollouts: stop at max; after max_rollouts stop once >= min. */
      reward_thresholds: z.tuple([z.int().min(0), z.int().min(1)]).default([4, 8]),
      /** Give up after give_up_factor * max_rollouts rollouts with < min correct. */
      give_up_factor: z.number().min(1).default(4),
      /**
       * Ancestor type that receives a reflection child after a wrong answer; null disables
       * backtracking. Default: 'double_check' when the graph has it and the reflection type.
       */
      reflection_ancestor: typeName.nullable().optional(),
      /** Type of the node added by backtracking. */
      reflection_type: typeName.default('reflection'),
      /** Longest root-to-answer path (root depth 0); deeper nodes only grow toward `answer`. */
      max_depth: z.int().min(1).max(1000).default(32),
      /** What the verifier judges: the answer thought's content, or the whole linearised path. */
      verify_on: z.enum(['answer', 'path']).default('answer'),
    })
    .default({
      uct_c: 1.414,
      max_rollouts: 32,
      reward_thresholds: [4, 8],
      give_up_factor: 4,
      reflection_type: 'reflection',
      max_depth: 32,
      verify_on: 'answer',
    }),
  seed: z.int().min(0).max(0xffffffff).default(0),
  graph: z.record(typeName, nodeTypeSchema),
});

export type NodeTypeConfig = z.output<typeof nodeTypeSchema> & { tag: string };
type ParsedConfig = z.output<typeof configSchema>;
export type SearchConfig = Omit<ParsedConfig, 'graph' | 'search'> & {
  graph: Record<string, NodeTypeConfig>;
  search: Omit<ParsedConfig['search'], 'reflection_ancestor'> & { reflection_ancestor: string | null };
};

/**
 * The instruction a search with `config` puts before each question: the config's own (an empty one
 * too); else the task's default, with the thought tags of the authors' graph that it names written as
 * this graph writes the same roles: `<sub-task>`, `<thinking>` and `<answer>` by the sub_task,
 * thinking and answer types, `<reflection>` by the search's reflection type and `<double-check>` by
 * its reflection ancestor (else the double_check type). So a graph that renames its thoughts is not
 * told to write tags it never parses. Other `<...>` text (a placeholder such as `<number>`) and roles
 * the graph lacks stay as written.
 */
export function searchInstruction(config: Pick<SearchConfig, 'instruction' | 'graph' | 'search'>, taskDefault: string): string {
  if (config.instruction !== undefined) return config.instruction;
  const { graph, search } = config;
  const roles: Record<string, string | null | undefined> = {
    sub_task: 'sub_task',
    thinking: 'thinking',
    answer: ANSWER_TYPE,
    reflection: search.reflection_type,
    double_check: search.reflection_ancestor ?? 'double_check',
  };
  const renamed = new Map<string, string>();
  for (const [role, type] of Object.entries(roles)) {
    const tag = type ? graph[type]?.tag : undefined;
    if (tag !== undefined && tag !== defaultTagFor(role)) renamed.set(defaultTagFor(role), tag);
  }
  if (renamed.size === 0) return taskDefault;
  // One pass, so that a tag renamed to another role's name is not renamed twice.
  const names = [...renamed.keys()].map(escapeRegExp).join('|');
  return taskDefault.replace(new RegExp(`<(/?)(${names})>`, 'g'), (_, slash: string, name: string) => `<${slash}${renamed.get(name)}>`);
}

/** A loaded config with where it came from. */
export interface LoadedSearchConfig {
  config: SearchConfig;
  file: string;
}

export { canonicalJson };

/** sha256 hex of the canonical JSON of the effective config (stored with every run). */
export function configHash(config: SearchConfig): string {
  return canonicalHash(config);
}

/**
 * Read and validate a search config file (YAML or JSON; JSON is read by the YAML parser).
 * @throws ConfigError naming the file, the line and the field, with what is wrong.
 */
export function loadSearchConfig(file: string): LoadedSearchConfig {
  const { value, lineOf } = readConfigFile(file);
  return { config: parseSearchConfig(value, file, lineOf), file };
}

/**
 * Validate a config object (already parsed). `lineOf` maps a field path to a line.
 * @throws ConfigError naming the field.
 */
export function parseSearchConfig(
  raw: unknown,
  file = '<config>',
  lineOf: (path: readonly PropertyKey[]) => number | undefined = () => undefined,
): SearchConfig {
  const fail = (path: readonly PropertyKey[], problem: string): never => {
    throw new ConfigError({ file, line: lineOf(path), field: path.map(String).join('.') }, problem);
  };
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const graph = (raw as Record<string, unknown>).graph;
    // Accept the authors' name for the root row.
    if (graph && typeof graph === 'object' && 'base' in graph && !(ROOT_TYPE in graph)) {
      const { base, ...rest } = graph as Record<string, unknown>;
      (raw as Record<string, unknown>).graph = { [ROOT_TYPE]: base, ...rest };
    }
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw configErrorFromZod(parsed.error, { file, input: raw, lineOf, docs: 'docs/search.md' });
  }
  const value = parsed.data!;
  const graph: Record<string, NodeTypeConfig> = {};
  for (const [type, node] of Object.entries(value.graph)) graph[type] = { ...node, tag: node.tag ?? defaultTagFor(type) };
  const ancestor = value.search.reflection_ancestor;
  const search = {
    ...value.search,
    reflection_ancestor:
      ancestor !== undefined ? ancestor : graph.double_check && graph[value.search.reflection_type] ? 'double_check' : null,
  };
  const config: SearchConfig = { ...value, search, graph };
  validateGraph(config, fail);
  return config;
}

function validateGraph(config: SearchConfig, fail: (path: readonly PropertyKey[], problem: string) => never): void {
  const { graph, search } = config;
  if (!graph[ROOT_TYPE]) fail(['graph'], `the graph needs a "${ROOT_TYPE}" row (the question node; "base" is accepted too)`);
  if (!graph[ANSWER_TYPE]) fail(['graph'], `the graph needs an "${ANSWER_TYPE}" type (the terminal thought the verifier judges)`);
  if (Object.keys(graph[ANSWER_TYPE]!.next_step).length > 0)
    fail(['graph', ANSWER_TYPE, 'next_step'], 'an answer is terminal: next_step must be empty');
  for (const [type, node] of Object.entries(graph)) {
    for (const child of Object.keys(node.next_step)) {
      if (!graph[child]) fail(['graph', type, 'next_step', child], `unknown node type "${child}"; known: ${Object.keys(graph).join(', ')}`);
      if (child === ROOT_TYPE) fail(['graph', type, 'next_step', child], 'the root cannot be a child');
    }
    node.prefill.forEach((p, i) => {
      if (p.includes(closeTag(node.tag)) && !p.endsWith(closeTag(node.tag))) {
        fail(
          ['graph', type, 'prefill', i],
          `the close tag ${closeTag(node.tag)} may only end a prefill (then the thought needs no model call)`,
        );
      }
    });
  }
  if (search.reward_thresholds[0] > search.reward_thresholds[1]) {
    fail(
      ['search', 'reward_thresholds'],
      `min ${search.reward_thresholds[0]} is above max ${search.reward_thresholds[1]}; write [min, max]`,
    );
  }
  if (search.reward_thresholds[0] > search.max_rollouts) {
    fail(
      ['search', 'reward_thresholds'],
      `min ${search.reward_thresholds[0]} correct rollouts can never be reached within max_rollouts ${search.max_rollouts}; lower it or raise max_rollouts`,
    );
  }
  if (search.reflection_ancestor !== null) {
    if (!graph[search.reflection_ancestor]) fail(['search', 'reflection_ancestor'], `unknown node type "${search.reflection_ancestor}"`);
    if (!graph[search.reflection_type]) fail(['search', 'reflection_type'], `unknown node type "${search.reflection_type}"`);
  }
  const distance = distanceToAnswer(graph);
  for (const type of reachableTypes(graph, search.reflection_ancestor !== null ? [ROOT_TYPE, search.reflection_type] : [ROOT_TYPE])) {
    if (!Number.isFinite(distance[type]!)) fail(['graph', type, 'next_step'], `no path from "${type}" reaches "${ANSWER_TYPE}"`);
  }
  if (distance[ROOT_TYPE]! > search.max_depth)
    fail(['search', 'max_depth'], `${search.max_depth} is below the shortest root-to-answer path (${distance[ROOT_TYPE]})`);
}

/** Fewest edges from each type to `answer` in the action graph (Infinity when unreachable). */
export function distanceToAnswer(graph: Record<string, NodeTypeConfig>): Record<string, number> {
  const distance: Record<string, number> = {};
  for (const type of Object.keys(graph)) distance[type] = type === ANSWER_TYPE ? 0 : Infinity;
  for (let changed = true; changed;) {
    changed = false;
    for (const [type, node] of Object.entries(graph)) {
      for (const child of Object.keys(node.next_step)) {
        const d = distance[child]! + 1;
        if (d < distance[type]!) {
          distance[type] = d;
          changed = true;
        }
      }
    }
  }
  return distance;
}

function reachableTypes(graph: Record<string, NodeTypeConfig>, starts: string[]): string[] {
  const seen = new Set<string>(starts);
  const queue = [...starts];
  while (queue.length > 0) {
    for (const child of Object.keys(graph[queue.shift()!]?.next_step ?? {})) {
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return [...seen];
}
