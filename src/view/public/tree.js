// Tree page: one question's search tree as a collapsible tree. Only expanded branches are in the
// DOM and at most CHILDREN_SHOWN children per node until asked, so 10,000-node trees stay responsive.
import { html, useEffect, useMemo, useState } from '/vendor/preact-htm.js';
import { fromColumns, get, post, questionHref } from './api.js';
import { MathText } from './math.js';

const CHILDREN_SHOWN = 50;
const OPEN_DEPTH = 2;
const VERDICT_SIGN = { correct: '✓', wrong: '✗', no_answer: '∅', timeout: '⏱' };

/** A stable colour per node type (hue from a string hash). */
export function typeColour(type) {
  let h = 0;
  for (const c of type) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360} 55% 42%)`;
}

/** UCT = W/N + c*sqrt(2 ln N_parent / N) (search/action-selection.ts), with the stored counts. */
function uct(node, parent, c) {
  if (!parent || node.visits === 0 || parent.visits === 0) return null;
  return node.rewardSum / node.visits + c * Math.sqrt((2 * Math.log(parent.visits)) / node.visits);
}

function buildIndex(nodes) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map();
  for (const n of nodes) {
    if (n.parentId === null) continue;
    if (!children.has(n.parentId)) children.set(n.parentId, []);
    children.get(n.parentId).push(n);
  }
  return { byId, children, root: nodes.find((n) => n.parentId === null) };
}

function TypeBadge({ type, reflection }) {
  return html`<span class=${'type' + (reflection ? ' reflection' : '')} style=${{ background: typeColour(type) }}
    >${reflection ? '↺ ' : ''}${type}</span
  >`;
}

/**
 * One node and, when open, its children. Clicks are handled once on the tree (see TreePage), not
 * per row, and everything a row needs comes in one `view` object, so 10,000 rows stay cheap.
 */
function Row({ node, view }) {
  const kids = view.index.children.get(node.id) ?? [];
  const isOpen = view.open.has(node.id);
  const parent = node.parentId === null ? null : view.index.byId.get(node.parentId);
  const score = uct(node, parent, view.c);
  const limit = view.shown.get(node.id) ?? CHILDREN_SHOWN;
  const reflection = node.type === view.reflectionType;
  return html`<li>
    <div
      class=${'node' + (view.selected === node.id ? ' selected' : '') + (node.annotation ? ' ' + node.annotation : '')}
      data-node=${node.id}
    >
      <button class="twisty" disabled=${kids.length === 0} aria-label=${isOpen ? 'collapse' : 'expand'}>
        ${kids.length === 0 ? '·' : isOpen ? '▾' : '▸'}
      </button>
      <span class=${'type' + (reflection ? ' reflection' : '')} style=${{ background: typeColour(node.type) }}
        >${reflection ? '↺ ' : ''}${node.type}</span
      >
      <span class="stats"
        >N=${node.visits}
        Q=${node.visits ? (node.rewardSum / node.visits).toFixed(2) : '–'}${score !== null ? ` UCT=${score.toFixed(2)}` : ''}</span
      >
      ${node.verdict && html`<span class=${'verdict ' + node.verdict}>${VERDICT_SIGN[node.verdict] ?? ''} ${node.verdict}</span>`}
      ${node.copies > 1 && html`<span class="copies">×${node.copies}</span>`}
      <span class="snippet">${node.parentId === null ? '(question)' : node.content.slice(0, 120)}</span>
      ${kids.length > 0 && !isOpen && html`<span class="kids">${kids.length} children</span>`}
    </div>
    ${
      isOpen &&
      kids.length > 0 &&
      html`<ul>
        ${kids.slice(0, limit).map((k) => html`<${Row} key=${k.id} node=${k} view=${view} />`)}
        ${kids.length > limit && html`<li><button class="more" data-more=${node.id}>show ${Math.min(CHILDREN_SHOWN, kids.length - limit)} more of ${kids.length - limit}</button></li>`}
      </ul>`
    }
  </li>`;
}

function NodePanel({ node, parent, c, onMark, id }) {
  const [raw, setRaw] = useState(false);
  if (!node) return html`<aside class="panel"><p>Click a node to see its full text.</p></aside>`;
  const score = uct(node, parent, c);
  const isAnswer = node.reward !== null;
  return html`<aside class="panel" data-testid="node-panel">
    <h3><${TypeBadge} type=${node.type} /> node ${node.id}</h3>
    <dl>
      <dt>tag</dt>
      <dd>${node.tag}</dd>
      <dt>depth</dt>
      <dd>${node.depth}</dd>
      <dt>visits N</dt>
      <dd>${node.visits}</dd>
      <dt>value W/N</dt>
      <dd>${node.visits ? `${node.rewardSum}/${node.visits} = ${(node.rewardSum / node.visits).toFixed(3)}` : '–'}</dd>
      <dt>UCT</dt>
      <dd>${score === null ? '–' : score.toFixed(3)}</dd>
      <dt>prompt tokens</dt>
      <dd>${node.promptTokens}</dd>
      <dt>completion tokens</dt>
      <dd>${node.completionTokens}</dd>
      <dt>copies</dt>
      <dd>${node.copies}</dd>
      <dt>policy</dt>
      <dd>${node.policy || '–'}</dd>
      <dt>finish</dt>
      <dd>${node.finishReason ?? '–'}</dd>
      ${
        node.verdict &&
        html`<dt>verdict</dt>
          <dd class=${'verdict ' + node.verdict}>${node.verdict}</dd>
          <dt>reason</dt>
          <dd>${node.verdictReason ?? ''}</dd>`
      }
      <dt>review</dt>
      <dd data-testid="node-mark">${node.annotation ?? 'unmarked'}</dd>
    </dl>
    <div class="actions">
      <button onClick=${() => onMark(node, 'accepted')}>accept node</button>
      <button onClick=${() => onMark(node, 'rejected')}>reject node</button>
      <button onClick=${() => onMark(node, null)}>clear</button>
      ${isAnswer && html`<a href=${questionHref(id, 'path', '/' + node.id)}>path to here</a>`}
      <label><input type="checkbox" checked=${raw} onChange=${(e) => setRaw(e.target.checked)} /> raw text</label>
    </div>
    ${node.prefill && html`<p class="prefill">prefill: <span>${node.prefill}</span></p>`}
    <${MathText} text=${node.content} raw=${raw} class="text node-text" />
  </aside>`;
}

/**
 * `focus`: a node id from the route (`#/q/ID/tree/N`, N as in a data row's `node_ids`): selected,
 * with its ancestors open.
 */
export function TreePage({ id, live, focus = null }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [open, setOpen] = useState(null);
  const [shown, setShown] = useState(new Map());
  const [selected, setSelected] = useState(focus);
  const load = () =>
    get('/api/question?id=' + encodeURIComponent(id)).then(
      (d) => setData({ ...d, nodes: fromColumns(d.columns) }),
      (e) => setError(e.message),
    );
  useEffect(() => {
    load();
  }, [id]);
  // Reload while this question is being searched.
  useEffect(() => {
    if (live.changed.some((q) => q.questionId === id)) load();
  }, [live.seq]);
  const index = useMemo(() => (data ? buildIndex(data.nodes) : null), [data]);
  useEffect(() => {
    if (!index || open !== null) return;
    const initial = new Set(data.nodes.filter((n) => n.depth < OPEN_DEPTH).map((n) => n.id));
    const target = focus === null ? undefined : index.byId.get(focus);
    for (let p = target ? target.parentId : null; p !== null; p = index.byId.get(p).parentId) initial.add(p);
    setOpen(initial);
  }, [index]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!data || !index || open === null) return html`<p class="loading">Loading…</p>`;
  if (!index.root) return html`<p>This question has no tree yet (status ${data.question.status}).</p>`;
  const types = [...new Set(data.nodes.map((n) => n.type))];
  const toggle = (nodeId) => {
    const next = new Set(open);
    next.has(nodeId) ? next.delete(nodeId) : next.add(nodeId);
    setOpen(next);
  };
  const byType = (type, expand) => {
    const next = new Set(open);
    for (const n of data.nodes) if (n.type === type) expand ? next.add(n.id) : next.delete(n.id);
    if (expand)
      for (const n of data.nodes) if (n.type === type) for (let p = n.parentId; p !== null; p = index.byId.get(p).parentId) next.add(p);
    setOpen(next);
  };
  const showMore = (nodeId) => setShown(new Map(shown).set(nodeId, (shown.get(nodeId) ?? CHILDREN_SHOWN) + CHILDREN_SHOWN));
  const onMark = async (node, mark) => {
    try {
      await post('/api/annotations', { questionId: id, nodeId: node.id, scope: 'node', mark });
      await load();
    } catch (e) {
      setError(e.message);
    }
  };
  // One handler for the whole tree: the twisty toggles, "show more" adds children, a row selects.
  const onTreeClick = (event) => {
    const more = event.target.closest('[data-more]');
    if (more) return showMore(Number(more.dataset.more));
    const row = event.target.closest('[data-node]');
    if (!row) return;
    const nodeId = Number(row.dataset.node);
    if (event.target.closest('.twisty')) toggle(nodeId);
    else setSelected(nodeId);
  };
  const node = selected !== null ? index.byId.get(selected) : null;
  const q = data.question;
  return html`<section class="tree-page">
    <h2>
      ${q.questionId} <span class=${'status ' + q.status}>${q.status}</span>
      <small>${data.nodes.length} nodes · ${q.rollouts} rollouts · ${q.correctRollouts} correct</small>
    </h2>
    <nav class="sub"><a href=${questionHref(id, 'path')}>paths</a> · <a href=${questionHref(id, 'pairs')}>pairs</a></nav>
    <${MathText} text=${q.question} class="text question" />
    <div class="type-controls">
      ${types.map(
        (t) =>
          html`<span class="type-control"
            ><${TypeBadge} type=${t} reflection=${t === data.reflectionType} />
            <button onClick=${() => byType(t, true)} title=${'expand every ' + t}>+</button
            ><button onClick=${() => byType(t, false)} title=${'collapse every ' + t}>−</button></span
          >`,
      )}
    </div>
    <div class="tree-layout">
      <ul class="tree" data-testid="tree" onClick=${onTreeClick}>
        <${Row} node=${index.root} view=${{ index, open, selected, shown, c: data.uctC, reflectionType: data.reflectionType }} />
      </ul>
      <${NodePanel}
        node=${node}
        parent=${node && node.parentId !== null ? index.byId.get(node.parentId) : null}
        c=${data.uctC}
        onMark=${onMark}
        id=${id}
      />
    </div>
  </section>`;
}
