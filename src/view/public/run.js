// Run folder page: headline numbers of a `treecot run` folder's summary.json, and its report.
import { html, useEffect, useState } from '/vendor/preact-htm.js';
import { get } from './api.js';

const pct = (x) => (Number.isFinite(x) ? (100 * x).toFixed(1) + '%' : '–');

export function RunPage() {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    get('/api/run-folder').then(setData, (e) => setError(e.message));
  }, []);
  if (error) return html`<p class="error">${error}</p>`;
  if (!data) return html`<p class="loading">Loading…</p>`;
  return html`<section class="run-page">
    <h2>${data.folder} ${data.hasReport && html`<small><a href="/report.html" target="_blank" rel="noopener">report.html</a></small>`}</h2>
    ${data.stages.length === 0 && data.search.length === 0 && html`<p>No summary.json yet (the run has not finished a stage).</p>`}
    ${
      data.stages.length > 0 &&
      html`<h3>Evaluation</h3>
        <table data-testid="stages">
          <thead>
            <tr>
              <th>stage</th>
              <th>set</th>
              <th>n</th>
              <th>accuracy ± SE</th>
              <th>no-answer rate</th>
              <th>what</th>
            </tr>
          </thead>
          <tbody>
            ${data.stages.map(
              (s) =>
                html`<tr>
                  <td>${s.stage}</td>
                  <td>${s.set}</td>
                  <td>${s.n}</td>
                  <td>${pct(s.accuracy)} ± ${pct(s.accuracySe)}</td>
                  <td>${pct(s.noAnswerRate)}</td>
                  <td>${s.description}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
    }
    ${
      data.search.length > 0 &&
      html`<h3>Search</h3>
        <table>
          <thead>
            <tr>
              <th>round</th>
              <th>questions</th>
              <th>solved</th>
              <th>rollouts</th>
              <th>nodes</th>
              <th>wall s</th>
            </tr>
          </thead>
          <tbody>
            ${data.search.map(
              (s) =>
                html`<tr>
                  <td>${s.round}</td>
                  <td>${s.questions}</td>
                  <td>${s.solved}</td>
                  <td>${s.rollouts}</td>
                  <td>${s.nodes}</td>
                  <td>${Math.round(s.wallS)}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
    }
    ${
      data.data.length > 0 &&
      html`<h3>Data</h3>
        <table>
          <thead>
            <tr>
              <th>build</th>
              <th>SFT rows</th>
              <th>DPO pairs</th>
              <th>folder</th>
            </tr>
          </thead>
          <tbody>
            ${data.data.map(
              (d) =>
                html`<tr>
                  <td>${d.name}</td>
                  <td>${d.sftRows}</td>
                  <td>${d.dpoPairs}</td>
                  <td>${d.dir}</td>
                </tr>`,
            )}
          </tbody>
        </table>`
    }
  </section>`;
}
