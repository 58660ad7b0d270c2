// treecot view: hash router and the header with live run totals (server-sent events).
import { html, render, useEffect, useState } from '/vendor/preact-htm.js';
import { get, state, eventsUrl } from './api.js';
import { QuestionsPage } from './questions.js';
import { TreePage } from './tree.js';
import { PathPage } from './path.js';
import { PairsPage } from './pairs.js';
import { ReviewPage } from './review.js';
import { RunPage } from './run.js';

/**
 * '#/q/ID/tree' -> { page: 'tree', id }, '#/q/ID/tree/N' and '#/q/ID/path/N' -> also { leaf: N } (a node
 * id within the question, as in the data files' node_ids), '#/review?verdict=wrong' -> { page: 'review', params }.
 */
function parseRoute(hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  if (parts[0] === 'q' && parts[1] !== undefined) {
    return { page: parts[2] ?? 'tree', id: decodeURIComponent(parts[1]), leaf: parts[3] !== undefined ? Number(parts[3]) : null, params };
  }
  if (parts[0] === 'review') return { page: 'review', params };
  if (parts[0] === 'run') return { page: 'run', params };
  return { page: 'questions', params };
}

function useRoute() {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Live totals and changed questions from /api/events; `live.seq` grows with each message. */
function useLive() {
  const [live, setLive] = useState({ seq: 0, totals: null, changed: [] });
  useEffect(() => {
    const source = new EventSource(eventsUrl());
    source.onmessage = (event) => {
      const data = JSON.parse(event.data);
      setLive((old) => ({ seq: old.seq + 1, totals: data.totals, changed: data.changed }));
    };
    return () => source.close();
  }, []);
  return live;
}

function Header({ info, live }) {
  const t = live.totals;
  const running = t ? (t.byStatus.running ?? 0) : 0;
  const switchDb = (event) => {
    location.search = '?db=' + event.target.value;
  };
  return html`<header>
    <a class="brand" href="#/">treecot view</a>
    <nav>
      <a href="#/">Questions</a> <a href="#/review">Review</a>${info && info.folder !== null && html` <a href="#/run">Run folder</a>`}
    </nav>
    ${
      info &&
      (info.databases.length > 1
        ? html`<select class="db" value=${state.db} onChange=${switchDb} aria-label="database">
            ${info.databases.map((label, i) => html`<option value=${i}>${label}</option>`)}
          </select>`
        : html`<span class="db" data-testid="db-label">${info.databases[0]}</span>`)
    }
    <span class="task">${info ? `${info.run.task} · run ${info.run.runId}` : ''}</span>
    ${
      t &&
      html`<span class="totals" data-testid="totals">
        <span class=${running > 0 ? 'live on' : 'live'} title=${running > 0 ? 'search running' : 'idle'}>●</span>
        <span data-testid="total-rollouts">${t.rollouts}</span> rollouts · <span data-testid="total-nodes">${t.nodes}</span> nodes ·
        ${t.questions} questions
        (${Object.entries(t.byStatus)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})
      </span>`
    }
  </header>`;
}

function App() {
  const route = useRoute();
  const live = useLive();
  const [info, setInfo] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    get('/api/info').then(setInfo, (e) => setError(e.message));
  }, []);
  let page;
  if (error) page = html`<p class="error">${error}</p>`;
  else if (!info) page = html`<p class="loading">Loading…</p>`;
  else if (route.page === 'tree')
    page = html`<${TreePage} key=${route.id + '/' + route.leaf} id=${route.id} focus=${route.leaf} info=${info} live=${live} />`;
  else if (route.page === 'path') page = html`<${PathPage} key=${route.id} id=${route.id} leaf=${route.leaf} info=${info} />`;
  else if (route.page === 'pairs') page = html`<${PairsPage} key=${route.id} id=${route.id} />`;
  else if (route.page === 'run') page = html`<${RunPage} />`;
  else if (route.page === 'review') page = html`<${ReviewPage} verdict=${route.params.get('verdict') ?? 'correct'} info=${info} />`;
  else page = html`<${QuestionsPage} info=${info} live=${live} />`;
  return html`<${Header} info=${info} live=${live} />
    <main>${page}</main>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
