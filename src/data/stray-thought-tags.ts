/**
 * A thought whose text holds a thought tag of the action graph, e.g. a `<double-check>`
 * thought that writes `</thinking>` inside (issue 15 item 15). Linearised, such a path has
 * mismatched tags (`<double-check>... </thinking> ...</double-check>`), so a model trained on
 * it learns to close the wrong tag. The build drops these paths from SFT and DPO and counts
 * them (`droppedStrayTags`). Other markup (`<b>bold</b>`) is text and stays.
 */
import { escapeRegExp } from '../core/regexp.ts';
import type { StoredQuestion } from '../store/types.ts';

/** A test for "holds an opening or closing tag of one of `tags`"; null when there are no tags. */
export function strayTagPattern(tags: Iterable<string>): RegExp | null {
  const names = [...new Set(tags)].filter((t) => t !== '');
  return names.length === 0 ? null : new RegExp(`</?(?:${names.map(escapeRegExp).join('|')})>`);
}

/** The thought tags used in a question's tree. */
export function thoughtTags(question: StoredQuestion): string[] {
  return question.nodes.map((n) => n.tag);
}

/** Whether any node of `nodeIds` holds a stray thought tag in its text. */
export function pathHasStrayTag(question: StoredQuestion, nodeIds: readonly number[], pattern: RegExp | null): boolean {
  if (!pattern) return false;
  const byId = new Map(question.nodes.map((n) => [n.id, n]));
  return nodeIds.some((id) => {
    const node = byId.get(id);
    return node !== undefined && node.parentId !== null && pattern.test(node.content);
  });
}
