// Path page: every root-to-answer path of a question, one shown in full, with accept/reject.
import { html, useEffect, useState } from '/vendor/preact-htm.js';
import { get, post, questionHref } from './api.js';
import { PathView } from './path-view.js';

export function PathPage({ id, leaf }) {
  const [data, setData] = useState(null);
  const [question, setQuestion] = useState('');
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const load = () => get('/api/paths?id=' + encodeURIComponent(id)).then(setData, (e) => setError(e.message));
  useEffect(() => {
    load();
    get('/api/question?id=' + encodeURIComponent(id)).then(
      (d) => setQuestion(d.question.question),
      () => {},
    );
  }, [id]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!data) return html`<p class="loading">Loading…</p>`;
  if (data.paths.length === 0) return html`<p>No scored root-to-answer path yet. <a href=${questionHref(id)}>tree</a></p>`;
  const current = data.paths.find((p) => p.leafId === leaf) ?? data.paths[0];
  const mark = async (value) => {
    try {
      await post('/api/annotations', { questionId: id, nodeId: current.leafId, scope: 'path', mark: value, note });
      setNote('');
      await load();
    } catch (e) {
      setError(e.message);
    }
  };
  return html`<section class="path-page">
    <h2>${id} <small>${data.paths.length} paths</small></h2>
    <nav class="sub"><a href=${questionHref(id)}>tree</a> · <a href=${questionHref(id, 'pairs')}>pairs</a></nav>
    <div class="path-layout">
      <ol class="path-list">
        ${data.paths.map(
          (p) =>
            html`<li class=${p.leafId === current.leafId ? 'selected' : ''}>
              <a href=${questionHref(id, 'path', '/' + p.leafId)}
                ><span class=${'verdict ' + p.verdict}>${p.verdict}</span> ${p.length} ${p.lengthUnit} ${p.mark ? '· ' + p.mark : ''}</a
              >
            </li>`,
        )}
      </ol>
      <div>
        <div class="actions">
          <button data-testid="accept" onClick=${() => mark('accepted')}>accept path</button>
          <button data-testid="reject" onClick=${() => mark('rejected')}>reject path</button>
          <button onClick=${() => mark(null)}>clear</button>
          <input class="note" placeholder="note (optional)" maxlength="2000" value=${note} onInput=${(e) => setNote(e.target.value)} />
        </div>
        <${PathView} path=${current} nodes=${data.nodes} question=${question} />
      </div>
    </div>
  </section>`;
}
