// One root-to-answer path as the student is trained on it: each thought a labelled block with
// its math rendered, then the verdict with the extracted answer and the verifier's reason.
import { html, useState } from '/vendor/preact-htm.js';
import { MathText } from './math.js';
import { typeColour } from './tree.js';

export function PathView({ path, nodes, question }) {
  const [raw, setRaw] = useState(false);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const chain = path.nodeIds.map((id) => byId.get(id)).filter(Boolean);
  return html`<article class="path" data-testid="path" data-leaf=${path.leafId}>
    <div class="path-head">
      <span class=${'verdict ' + path.verdict}>${path.verdict}</span>
      <span>extracted answer: <code data-testid="extracted">${path.extractedAnswer ?? '(none)'}</code></span>
      <span>${path.length} ${path.lengthUnit}</span>
      <span data-testid="path-mark" class=${'mark ' + (path.mark ?? '')}>${path.mark ?? 'unreviewed'}</span>
      ${path.droppedByBuild && html`<span class="dropped">build drops this path</span>`}
      <label><input type="checkbox" checked=${raw} onChange=${(e) => setRaw(e.target.checked)} /> as trained (raw text)</label>
    </div>
    ${path.verdictReason && html`<p class="reason">verifier: <span>${path.verdictReason}</span></p>`}
    <div class="block prompt"><span class="label">question</span><${MathText} text=${question} /></div>
    ${
      raw
        ? html`<pre class="raw-response" data-testid="raw-response">${path.response}</pre>`
        : chain.slice(1).map(
            (n) =>
              html`<div
                class=${'block' + (n.showInHistory ? '' : ' hidden-thought') + (n.annotation ? ' ' + n.annotation : '')}
                key=${n.id}
              >
                <span class="label" style=${{ background: typeColour(n.type) }}>${n.tag}</span>
                ${!n.showInHistory && html`<span class="note">not in the trained text (show_in_history: false)</span>`}
                <${MathText} text=${n.content} />
              </div>`,
          )
    }
  </article>`;
}
