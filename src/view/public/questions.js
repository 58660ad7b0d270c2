// Questions page: a sortable, filterable, paged table of every question, updated live.
import { html, useEffect, useState } from '/vendor/preact-htm.js';
import { get, questionHref } from './api.js';

const PAGE = 100;
const COLUMNS = [
  ['idx', '#'],
  ['questionId', 'question'],
  ['status', 'status'],
  ['rollouts', 'rollouts'],
  ['correct', 'correct'],
  ['wrong', 'wrong'],
  ['noAnswer', 'no answer'],
  ['nodes', 'nodes'],
  ['tokens', 'tokens'],
  ['shareSolved', 'solved'],
  ['correctedReflection', 'reflection fixed'],
  ['annotated', 'reviewed'],
];
const STATUSES = ['', 'pending', 'running', 'solved', 'finished', 'gave_up', 'error'];

/** Progress sign: the share of max_rollouts used, and a pulse while running. */
function Progress({ row, maxRollouts }) {
  const share = Math.min(1, row.rollouts / Math.max(1, maxRollouts));
  return html`<span class=${'progress ' + row.status} title=${`${row.rollouts} of ${maxRollouts} rollouts`}>
    <span class="bar" style=${{ width: `${Math.round(share * 100)}%` }}></span>
  </span>`;
}

export function QuestionsPage({ info, live }) {
  const [query, setQuery] = useState({ sort: 'idx', dir: 'asc', status: '', search: '', offset: 0 });
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const maxRollouts = info.run.config?.search?.max_rollouts ?? 32;

  // The rows keep the query they answer: the header marks the order on screen, not the order asked for,
  // and an answer that arrives after a newer query was sent is dropped (it would show stale rows).
  useEffect(() => {
    let current = true;
    const params = new URLSearchParams({ ...query, offset: String(query.offset), limit: String(PAGE) });
    get('/api/questions?' + params).then(
      (d) => {
        if (!current) return;
        setData({ ...d, query });
        setError(null);
      },
      (e) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [query]);

  // Live: patch the rows on this page that the search changed (a full reload would lose the scroll).
  useEffect(() => {
    if (!data || live.changed.length === 0) return;
    const byId = new Map(live.changed.map((r) => [r.questionId, r]));
    if (!data.rows.some((r) => byId.has(r.questionId))) return;
    setData({ ...data, rows: data.rows.map((r) => byId.get(r.questionId) ?? r) });
  }, [live.seq]);

  const sortBy = (key) => setQuery({ ...query, sort: key, dir: query.sort === key && query.dir === 'asc' ? 'desc' : 'asc', offset: 0 });
  if (error) return html`<p class="error">${error}</p>`;
  if (!data) return html`<p class="loading">Loading…</p>`;
  const last = Math.min(data.filtered, data.offset + PAGE);
  return html`<section class="questions">
    <div class="controls">
      <label
        >status
        <select value=${query.status} onChange=${(e) => setQuery({ ...query, status: e.target.value, offset: 0 })}>
          ${STATUSES.map((s) => html`<option value=${s}>${s || 'any'}</option>`)}
        </select></label
      >
      <label
        >id contains <input type="search" value=${query.search} onInput=${(e) => setQuery({ ...query, search: e.target.value, offset: 0 })}
      /></label>
      <span class="count" data-testid="question-count">${data.filtered} of ${data.total} questions</span>
      <button disabled=${query.offset === 0} onClick=${() => setQuery({ ...query, offset: Math.max(0, query.offset - PAGE) })}>
        ‹ prev
      </button>
      <span>${data.filtered === 0 ? 0 : data.offset + 1}–${last}</span>
      <button disabled=${last >= data.filtered} onClick=${() => setQuery({ ...query, offset: query.offset + PAGE })}>next ›</button>
    </div>
    <table data-testid="questions-table">
      <thead>
        <tr>
          ${COLUMNS.map(
            ([key, label]) =>
              html`<th class=${data.query.sort === key ? 'sorted ' + data.query.dir : ''} onClick=${() => sortBy(key)}>${label}</th>`,
          )}
          <th>progress</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${data.rows.map(
          (r) =>
            html`<tr key=${r.questionId} data-question=${r.questionId}>
              <td>${r.idx}</td>
              <td><a href=${questionHref(r.questionId)}>${r.questionId}</a></td>
              <td class=${'status ' + r.status}>${r.status}</td>
              <td data-col="rollouts">${r.rollouts}</td>
              <td data-col="correct">${r.correct}</td>
              <td data-col="wrong">${r.wrong}</td>
              <td data-col="noAnswer">${r.noAnswer}</td>
              <td data-col="nodes">${r.nodes}</td>
              <td>${r.tokens}</td>
              <td>${(r.shareSolved * 100).toFixed(0)}%</td>
              <td>${r.correctedReflection ? '✓' : ''}</td>
              <td>${r.annotated || ''}</td>
              <td><${Progress} row=${r} maxRollouts=${maxRollouts} /></td>
              <td><a href=${questionHref(r.questionId, 'path')}>paths</a> · <a href=${questionHref(r.questionId, 'pairs')}>pairs</a></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
