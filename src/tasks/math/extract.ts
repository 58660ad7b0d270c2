/**
 * Final-answer extraction for MATH-style outputs: the last `\boxed{...}` (nested braces; also
 * `\fbox{...}` and the brace-less `\boxed 5`), else the last "The (final) answer is: ..." phrase,
 * else the content of the last `<answer>` thought (src/core/thought-format.ts). Linear time in the
 * output length; braces are counted, never matched with a regex, so 5,000 nested braces are fine.
 */
import { lastAnswerTag } from '../answer-tags.ts';

/** Longest answer we take from a phrase like "The answer is ..." (characters). */
const MAX_PHRASE_ANSWER = 200;
/** Unclosed boxes we step back over before giving up (keeps adversarial inputs linear-ish). */
const MAX_BOX_ATTEMPTS = 20;

/** Start index of the content and its end (exclusive) for a balanced `{...}` starting at `open`. */
function balancedGroup(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      i++; // skip escaped char, e.g. \{ or \}
      continue;
    }
    if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i;
  }
  return -1;
}

/**
 * Content of the last `\boxed{...}` / `\fbox{...}` / `\boxed x` in `text`, or null.
 * An unclosed last box falls back to the previous complete one.
 */
export function lastBoxed(text: string): string | null {
  let searchEnd = text.length;
  for (let attempt = 0; attempt < MAX_BOX_ATTEMPTS; attempt++) {
    const boxed = text.lastIndexOf('\\boxed', searchEnd);
    const fbox = text.lastIndexOf('\\fbox', searchEnd);
    const at = Math.max(boxed, fbox);
    if (at < 0) return null;
    let i = at + (at === boxed ? 6 : 5);
    while (i < text.length && text[i] === ' ') i++;
    if (text[i] === '{') {
      const end = balancedGroup(text, i);
      if (end >= 0) return text.slice(i + 1, end).trim();
    } else if (i > at + 5 && at === boxed && i < text.length) {
      // `\boxed 5` / `\boxed -3`: up to the next `$`, newline or end of sentence.
      const match = /^[^$\n]*?(?=\s*(?:\$|\n|\\\]|\\\)|\.\s|\.?$))/.exec(text.slice(i));
      if (match && match[0].trim()) return match[0].trim();
    }
    if (at === 0) return null;
    searchEnd = at - 1;
  }
  return null;
}

/** Answer after the last "answer is" / "answer:" phrase, cut at the end of its sentence or line. */
function lastAnswerPhrase(text: string): string | null {
  const matches = [...text.matchAll(/(?:final answer|the answer|answer)\s*(?:is|:|=)\s*:?\s*/gi)];
  for (let k = matches.length - 1; k >= 0; k--) {
    const m = matches[k]!;
    let rest = text.slice(m.index! + m[0].length, m.index! + m[0].length + MAX_PHRASE_ANSWER * 2);
    rest = rest.split('\n')[0]!;
    const dollar = /^\$+([^$]+)\$+/.exec(rest) ?? /^\\\((.+?)\\\)/.exec(rest) ?? /^\\\[(.+?)\\\]/.exec(rest);
    let answer = dollar ? dollar[1]! : rest.replace(/\.\s.*$/, '').replace(/\.\s*$/, '');
    answer = answer.replace(/^\*\*|\*\*$/g, '').trim();
    if (answer && answer.length <= MAX_PHRASE_ANSWER) return answer;
  }
  return null;
}

/**
 * The final answer of a MATH/AIME output as LaTeX text; null when nothing is extractable.
 * Order: last `\boxed`/`\fbox`, then the last "answer is ..." phrase, then the last `<answer>` thought.
 */
export function extractMathAnswer(output: string): string | null {
  const boxed = lastBoxed(output);
  if (boxed !== null && boxed !== '') return boxed;
  const phrase = lastAnswerPhrase(output);
  if (phrase !== null) return phrase;
  const tag = lastAnswerTag(output);
  if (tag !== null) {
    const content = tag.trim().replace(/^\$+|\$+$/g, '').replace(/\.$/, '').trim();
    if (content && content.length <= MAX_PHRASE_ANSWER) return content;
  }
  return null;
}
