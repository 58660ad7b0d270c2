/**
 * `\boxed{...}` answers, found the same way by every task that reads them (gsm8k, math/aime, and
 * letter-count/arithmetic through integer-answer.ts). A box is `\boxed` or `\fbox`, optional
 * whitespace, then a brace group. Braces are counted, so nesting works; escaped braces `\{` `\}`
 * are literal characters in LaTeX and are not counted. A box whose group never closes is no box,
 * and a box after it (even one written inside it) still counts.
 *
 * Linear in the text: one pass matches every brace with a stack, so 5,000 nested boxes, 150,000
 * unclosed ones or 100,000 boxes in a row are all one scan.
 */

/** One box of a text. */
export interface BoxedGroup {
  /** The text inside the braces as written (brace-less: the argument, trimmed). */
  content: string;
  /** Index of the opener (its backslash, or the `b`/`f` of an opener written without one). */
  start: number;
  /** Index just past the closing brace (brace-less: just past the argument). */
  end: number;
}

/** Which boxes `findBoxes` reads besides `\boxed{...}` and `\fbox{...}`. */
export interface BoxedOptions {
  /**
   * Also read `boxed{3}` and `fbox{3}` without the backslash. integer-answer.ts sets this: the
   * letter-count authors' prompt literally asks for "boxed{}", so their models write it.
   */
  withoutBackslash?: boolean;
  /**
   * Also read a brace-less `\boxed 5` (`\boxed -3`, `$\boxed 5$`): the argument runs to the next
   * `$`, newline, `\]`, `\)` or sentence-ending `.`, and counts when it is not empty. math sets
   * this: MATH's reference grader (Hendrycks et al., `last_boxed_only_string`) reads `\boxed `.
   */
  braceless?: boolean;
  /**
   * Also list boxes that sit inside another box (default: only the outermost ones). math sets this
   * to take the last `\boxed` opener, as `last_boxed_only_string` does (it searches backwards for
   * the last `\boxed`, which may be an inner one); gsm8k and integer answers read the outer box.
   */
  nested?: boolean;
}

/**
 * Every box of `text`, in the order of its opener (see the file comment for what a box is).
 * Empty boxes (`\boxed{}`) are listed; unclosed ones are not. Never throws.
 */
export function findBoxes(text: string, options: BoxedOptions = {}): BoxedGroup[] {
  const opener = options.withoutBackslash ? /\\?(?:boxed|fbox)/g : /\\(?:boxed|fbox)/g;
  const openers: { start: number; at: number; braceless: boolean }[] = [];
  for (const m of text.matchAll(opener)) {
    let at = m.index + m[0].length;
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (text[at] === '{') openers.push({ start: m.index, at, braceless: false });
    else if (options.braceless && m[0] === '\\boxed' && at < text.length)
      openers.push({ start: m.index, at: m.index + m[0].length, braceless: true });
  }
  if (openers.length === 0) return [];
  const closes = closingBraces(
    text,
    openers.filter((o) => !o.braceless).map((o) => o.at),
  );
  const stops = bracelessStops(text);
  const boxes: BoxedGroup[] = [];
  let outerEnd = -1;
  for (const { start, at, braceless } of openers) {
    let box: BoxedGroup | null = null;
    if (braceless) {
      const end = stops(at);
      const content = text.slice(at, end).trim();
      if (content !== '') box = { content, start, end };
    } else {
      const close = closes.get(at);
      if (close !== undefined) box = { content: text.slice(at + 1, close), start, end: close + 1 };
    }
    if (box === null) continue;
    const inside = box.start < outerEnd;
    if (!inside) outerEnd = box.end;
    if (!inside || options.nested) boxes.push(box);
  }
  return boxes;
}

/**
 * Index of the closing brace of each open brace in `opens` (ascending indices of `{`), for those
 * that close. One pass from the first of them; a backslash escapes the next character.
 */
function closingBraces(text: string, opens: readonly number[]): Map<number, number> {
  const closes = new Map<number, number>();
  if (opens.length === 0) return closes;
  const wanted = new Set(opens);
  const stack: number[] = [];
  for (let i = opens[0]!; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 123 /* { */) stack.push(i);
    else if (c === 125 /* } */ && stack.length > 0) {
      const open = stack.pop()!;
      if (wanted.has(open)) closes.set(open, i);
    }
  }
  return closes;
}

/**
 * For brace-less arguments: a function giving the first stop at or after an index (a `$`, a
 * newline, `\]`, `\)`, or a `.` followed by whitespace or the end of the text; else the end of
 * the text). It must be asked for increasing indices; it reuses its last answer while that still
 * lies ahead, so all the calls together scan the text once.
 */
function bracelessStops(text: string): (from: number) => number {
  let last = -1;
  return (from) => {
    if (last >= from) return last;
    let i = from;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '$' || c === '\n') break;
      if (c === '\\' && (text[i + 1] === ']' || text[i + 1] === ')')) break;
      if (c === '.' && (i + 1 === text.length || /\s/.test(text[i + 1]!))) break;
    }
    last = i;
    return i;
  };
}
