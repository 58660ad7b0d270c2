// Pairs page: a question's DPO pairs side by side, the shared prefix greyed and the divergence marked.
import { html, useEffect, useState } from '/vendor/preact-htm.js';
import { get, questionHref } from './api.js';

function Side({ title, text, prefix, verdict }) {
  return html`<div class="side">
    <h4>${title}${verdict ? ` (${verdict})` : ''}</h4>
    <pre><span class="shared">${text.slice(0, prefix)}</span><span class="diverge" title="point of divergence">▼</span><span class="own">${text.slice(prefix)}</span></pre>
  </div>`;
}

export function PairsPage({ id }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    get('/api/pairs?id=' + encodeURIComponent(id)).then(setData, (e) => setError(e.message));
  }, [id]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!data) return html`<p class="loading">Loading…</p>`;
  return html`<section class="pairs-page">
    <h2>
      ${id}
      <small>${data.pairs.length} DPO pairs (as <code>treecot build</code> makes them: shortest correct vs. shortest common prefix)</small>
    </h2>
    <nav class="sub"><a href=${questionHref(id)}>tree</a> · <a href=${questionHref(id, 'path')}>paths</a></nav>
    ${data.pairs.length === 0 && html`<p>No pair: the question needs a correct and an incorrect path.</p>`}
    ${data.pairs.map(
      (p, i) =>
        html`<article class="pair" data-testid="pair">
          <p class="pair-stats">
            pair ${i + 1}: common_prefix_chars
            ${p.common_prefix_chars}${p.common_prefix_tokens !== undefined ? `, common_prefix_tokens ${p.common_prefix_tokens}` : ''},
            shared_nodes ${p.shared_nodes}, chosen ${p.chosen_length} / rejected ${p.rejected_length} ${p.length_unit}
          </p>
          <div class="sides">
            <${Side} title="chosen" text=${p.chosen} prefix=${p.common_prefix_chars} verdict="correct" />
            <${Side} title="rejected" text=${p.rejected} prefix=${p.common_prefix_chars} verdict=${p.rejected_verdict} />
          </div>
        </article>`,
    )}
  </section>`;
}
