/**
 * How typed thoughts are written as text. This is the one place that fixes the format,
 * so the search (which writes paths into prompts), the data builder (which linearises
 * paths into SFT/DPO responses), the trainer's tokenizer and the built-in model agree.
 *
 * A thought of type `double_check` with content "1+2=3" is written `<double-check>1+2=3</double-check>`.
 * The content is the node's prefill phrase followed by the generated text.
 * docs/method.md section 1: "A node is one typed thought, written inside its own tag".
 */

/** Default tag for a node type: underscores become hyphens (`sub_task` -> `sub-task`). */
export function defaultTagFor(nodeType: string): string {
  return nodeType.replace(/_/g, '-');
}

/** `<tag>` */
export function openTag(tag: string): string {
  return `<${tag}>`;
}

/** `</tag>` */
export function closeTag(tag: string): string {
  return `</${tag}>`;
}

/** One thought as text: `<tag>content</tag>`. */
export function renderThought(tag: string, content: string): string {
  return `${openTag(tag)}${content}${closeTag(tag)}`;
}

/** A thought on a path, as needed to linearise it. */
export interface ThoughtOnPath {
  tag: string;
  /** Prefill phrase + generated text, without tags. */
  content: string;
  /** false for node types whose config says `show_in_history: false`. */
  showInHistory: boolean;
}

/**
 * The assistant response for a root-to-node path: the shown thoughts, each rendered with
 * its tags, joined by `separator` (config `format.separator`; "\n" for chat models,
 * "" for the built-in compact model).
 */
export function linearizePath(thoughts: readonly ThoughtOnPath[], separator: string): string {
  return thoughts
    .filter((t) => t.showInHistory)
    .map((t) => renderThought(t.tag, t.content))
    .join(separator);
}

/** The tags every treecot tokenizer knows as single tokens (open and close). */
export const STANDARD_THOUGHT_TAGS = [
  'sub-task',
  'thinking',
  'hypothesis',
  'double-check',
  'reclarify',
  'reflection',
  'thinking-from-scratch',
  'answer',
] as const;
