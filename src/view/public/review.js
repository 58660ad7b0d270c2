// Review page: walk every path of one verdict, accept (a) or reject (r) each with an optional note;
// u undoes your last mark, j/k move, n focuses the note. Marks go to the database at once.
import { html, useEffect, useRef, useState } from '/vendor/preact-htm.js';
import { exportUrl, get, post } from './api.js';
import { PathView } from './path-view.js';

const VERDICTS = ['correct', 'wrong', 'no_answer', 'all'];

export function ReviewPage({ verdict }) {
  const [queue, setQueue] = useState(null);
  const [position, setPosition] = useState(0);
  const [detail, setDetail] = useState(null);
  const [note, setNote] = useState('');
  const [message, setMessage] = useState('');
  const noteRef = useRef(null);

  const loadQueue = async (keep) => {
    const q = await get('/api/review-queue?verdict=' + encodeURIComponent(verdict));
    setQueue(q);
    if (!keep) {
      const first = q.items.findIndex((i) => i.mark === null);
      setPosition(first < 0 ? 0 : first);
    }
    return q;
  };
  useEffect(() => {
    loadQueue(false).catch((e) => setMessage(e.message));
  }, [verdict]);

  const item = queue && queue.items[position];
  useEffect(() => {
    if (!item) return;
    Promise.all([
      get('/api/paths?id=' + encodeURIComponent(item.questionId)),
      get('/api/question?id=' + encodeURIComponent(item.questionId)),
    ]).then(
      ([paths, q]) => setDetail({ key: item.questionId, paths, question: q.question.question }),
      (e) => setMessage(e.message),
    );
  }, [item && item.questionId, item && item.mark, queue]);

  const mark = async (value) => {
    if (!item) return;
    try {
      await post('/api/annotations', { questionId: item.questionId, nodeId: item.leafId, scope: 'path', mark: value, note });
      setNote('');
      setMessage(`${value} path ${item.questionId} / node ${item.leafId}`);
      const q = await loadQueue(true);
      const next = q.items.findIndex((i, k) => k > position && i.mark === null);
      if (next >= 0) setPosition(next);
    } catch (e) {
      setMessage(e.message);
    }
  };
  const undo = async () => {
    try {
      const { undone } = await post('/api/annotations/undo', {});
      if (!undone) {
        setMessage('nothing to undo');
        return;
      }
      setMessage(`undid ${undone.mark ?? 'clear'} on ${undone.questionId} / node ${undone.nodeId}`);
      const q = await loadQueue(true);
      const back = q.items.findIndex((i) => i.questionId === undone.questionId && i.leafId === undone.nodeId);
      if (back >= 0) setPosition(back);
    } catch (e) {
      setMessage(e.message);
    }
  };
  const importFile = async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try {
      const result = await post('/api/annotations/import', { text: await file.text(), name: file.name });
      setMessage(`imported ${result.imported} marks (${result.unchanged} unchanged)`);
      await loadQueue(true);
    } catch (e) {
      setMessage(e.message);
    }
    event.target.value = '';
  };

  useEffect(() => {
    const onKey = (event) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) {
        if (event.key === 'Escape') event.target.blur();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const max = queue ? queue.items.length - 1 : 0;
      if (event.key === 'a') mark('accepted');
      else if (event.key === 'r') mark('rejected');
      else if (event.key === 'c') mark(null);
      else if (event.key === 'u') undo();
      else if (event.key === 'j' || event.key === 'ArrowRight') setPosition((p) => Math.min(max, p + 1));
      else if (event.key === 'k' || event.key === 'ArrowLeft') setPosition((p) => Math.max(0, p - 1));
      else if (event.key === 'n') {
        event.preventDefault();
        noteRef.current?.focus();
      } else return;
      event.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  if (!queue) return html`<p class="loading">${message || 'Loading…'}</p>`;
  const path = item && detail && detail.key === item.questionId ? detail.paths.paths.find((p) => p.leafId === item.leafId) : null;
  return html`<section class="review">
    <div class="controls">
      <label
        >paths
        <select
          value=${verdict}
          onChange=${(e) => {
            location.hash = '#/review?verdict=' + e.target.value;
          }}
        >
          ${VERDICTS.map((v) => html`<option value=${v}>${v}</option>`)}
        </select></label
      >
      <span class="count" data-testid="review-progress">${queue.reviewed} of ${queue.items.length} reviewed</span>
      <span>${queue.items.length ? `path ${position + 1}: ${item.questionId} / node ${item.leafId}` : 'no paths'}</span>
      <a href=${exportUrl()} download="annotations.jsonl">export JSONL</a>
      <label class="import">import JSONL <input type="file" accept=".jsonl,.json,application/x-ndjson" onChange=${importFile} /></label>
    </div>
    <p class="keys">
      keys: <kbd>a</kbd> accept · <kbd>r</kbd> reject · <kbd>c</kbd> clear · <kbd>u</kbd> undo · <kbd>j</kbd>/<kbd>k</kbd> next/previous ·
      <kbd>n</kbd> note · <kbd>Esc</kbd> leave the note
    </p>
    <div class="actions">
      <button data-testid="accept" onClick=${() => mark('accepted')}>accept (a)</button>
      <button data-testid="reject" onClick=${() => mark('rejected')}>reject (r)</button>
      <button data-testid="undo" onClick=${undo}>undo (u)</button>
      <input ref=${noteRef} class="note" placeholder="note (n)" maxlength="2000" value=${note} onInput=${(e) => setNote(e.target.value)} />
      <span class="message" data-testid="review-message">${message}</span>
    </div>
    ${path ? html`<${PathView} path=${path} nodes=${detail.paths.nodes} question=${detail.question} />` : item ? html`<p class="loading">Loading…</p>` : null}
  </section>`;
}
