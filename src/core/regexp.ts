/** `text` with every regular-expression metacharacter escaped, to match it literally inside a RegExp (internal: not in the public API). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
