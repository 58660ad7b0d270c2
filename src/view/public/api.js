// Calls to the view's JSON API (src/view/api.ts). Every call names the database (`db`).
export const state = { db: Number(new URLSearchParams(location.search).get('db') ?? '0') || 0 };

function withDb(path) {
  return path + (path.includes('?') ? '&' : '?') + 'db=' + state.db;
}

async function parse(response) {
  const body = response.headers.get('content-type')?.startsWith('application/json') ? await response.json() : await response.text();
  if (!response.ok) throw new Error(typeof body === 'object' && body && body.error ? body.error : `HTTP ${response.status}`);
  return body;
}

export async function get(path) {
  return parse(await fetch(withDb(path), { credentials: 'same-origin' }));
}

export async function post(path, body) {
  return parse(
    await fetch(withDb(path), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Treecot': '1' },
      body: JSON.stringify(body),
    }),
  );
}

export function eventsUrl() {
  return withDb('/api/events');
}

export function exportUrl() {
  return withDb('/api/annotations.jsonl');
}

/** A hash route for a question page; ids are URI-encoded so any id is safe in a link. */
export function questionHref(id, page = 'tree', extra = '') {
  return `#/q/${encodeURIComponent(id)}/${page}${extra}`;
}

/** Struct of arrays (api.ts `toColumns`) back to one object per node. */
export function fromColumns(columns) {
  const keys = Object.keys(columns);
  const count = keys.length ? columns[keys[0]].length : 0;
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    const row = {};
    for (const key of keys) row[key] = columns[key][i];
    rows[i] = row;
  }
  return rows;
}
