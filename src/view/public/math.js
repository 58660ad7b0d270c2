// Text with math, rendered by KaTeX in its safe mode. The text is set with `textContent` (never
// parsed as HTML); KaTeX's auto-render then replaces only the delimited math inside those text
// nodes, with `trust: false` (no \href, \url, \html*), so model output cannot add markup or links.
import { html, useEffect, useRef } from '/vendor/preact-htm.js';

// KaTeX (~600 kB) loads on first use, so pages without math render without waiting for it.
let autoRender = null;
function loadAutoRender() {
  autoRender ??= import('/vendor/katex/contrib/auto-render.mjs').then((m) => m.default);
  return autoRender;
}

const DELIMITERS = [
  { left: '$$', right: '$$', display: true },
  { left: '\\[', right: '\\]', display: true },
  { left: '\\(', right: '\\)', display: false },
  { left: '$', right: '$', display: false },
];

/** Commands a model writes outside $...$ that should still render (\boxed{42}, \frac{a}{b}). */
const BARE = ['\\boxed{', '\\frac{', '\\dfrac{', '\\tfrac{', '\\sqrt{', '\\sqrt['];

/** The index after a balanced {...} or [...] group starting at `i`, or -1. */
function groupEnd(text, i) {
  const open = text[i];
  const close = open === '{' ? '}' : open === '[' ? ']' : null;
  if (!close) return -1;
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === open) depth++;
    else if (text[j] === close && --depth === 0) return j + 1;
  }
  return -1;
}

/** Wrap bare math commands that sit outside any delimiter in \( \) so auto-render picks them up. */
export function wrapBareMath(text) {
  let out = '';
  let i = 0;
  let inMath = null;
  while (i < text.length) {
    if (inMath) {
      if (text.startsWith(inMath, i)) {
        out += inMath;
        i += inMath.length;
        inMath = null;
        continue;
      }
      if (text[i] === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      out += text[i++];
      continue;
    }
    const opener = text.startsWith('$$', i)
      ? '$$'
      : text[i] === '$'
        ? '$'
        : text.startsWith('\\(', i)
          ? '\\('
          : text.startsWith('\\[', i)
            ? '\\['
            : null;
    if (opener) {
      inMath = opener === '\\(' ? '\\)' : opener === '\\[' ? '\\]' : opener;
      out += opener;
      i += opener.length;
      continue;
    }
    const bare = BARE.find((b) => text.startsWith(b, i));
    if (bare) {
      let end = i + bare.length - 1;
      let groups = 0;
      while (end < text.length && (text[end] === '{' || text[end] === '[')) {
        const next = groupEnd(text, end);
        if (next < 0) break;
        end = next;
        groups++;
      }
      if (groups > 0) {
        out += '\\(' + text.slice(i, end) + '\\)';
        i = end;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

/** Show `text` at once as plain text, then typeset its math when KaTeX has loaded. */
export async function renderMath(element, text) {
  element.textContent = text;
  const renderMathInElement = await loadAutoRender();
  if (element.textContent !== text) return; // replaced meanwhile
  element.textContent = wrapBareMath(text);
  renderMathInElement(element, {
    delimiters: DELIMITERS,
    throwOnError: false,
    trust: false,
    strict: 'ignore',
    maxExpand: 500,
    maxSize: 20,
    errorCallback: () => {},
  });
}

/** A block of model text with its math rendered; `raw` shows the exact characters instead. */
export function MathText({ text, raw = false, class: className = 'text' }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!ref.current) return;
    if (raw) ref.current.textContent = text;
    else void renderMath(ref.current, text);
  }, [text, raw]);
  return html`<div class=${className + (raw ? ' raw' : '')} ref=${ref}></div>`;
}
