// The history page: every revision of the frontends and backends, newest first (who, when, the change that carried
// it, the items it changed), a revision's diff of the items' JSON, and Revert behind a confirmation.
import { h, getJson } from './dom.js';
import { apiFetch } from './auth.js';
import { on } from './state.js';

let shown = false;
let timer = null;
let selected = null;

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function value(v) {
  if (v === null || v === undefined) return h('span', { class: 'none' }, '—');
  return h('code', {}, typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v));
}

async function load() {
  const list = document.getElementById('history-list');
  const summary = document.getElementById('history-summary');
  try {
    const page = await getJson('/history?limit=100');
    summary.textContent = page.revisions.length === 0 ? 'No change yet.'
      : `${page.revisions.length} latest revision(s); revisions back to ${page.oldest} can be reverted to.`;
    list.replaceChildren(...page.revisions.map((r) => h('tr', { dataset: { revision: String(r.revision) },
      class: selected === r.revision ? 'selected' : '' },
    h('th', { scope: 'row' }, h('a', { href: '#/history', onclick: (e) => { e.preventDefault(); show(r.revision); } },
      String(r.revision))),
    h('td', {}, h('time', { datetime: r.time }, when(r.time))),
    h('td', {}, r.by || '—'),
    h('td', {}, r.change ? h('a', { href: `/changes/${r.change}` }, String(r.change)) : '—'),
    h('td', { class: 'items' }, r.items.map((i) => `${i.id} (${i.kind})`).join(', ')),
    h('td', {}, h('button', { type: 'button', class: 'revert', onclick: (e) => revert(r, e.target) },
      'Revert to this…')))));
    if (selected === null && page.revisions.length) show(page.revisions[0].revision);
  } catch (e) {
    summary.textContent = `the history cannot be read now: ${e.message}`;
  }
}

/** The diff of revision `n`: per item, the fields that changed, before and after. */
async function show(n) {
  selected = n;
  for (const tr of document.querySelectorAll('#history-list tr')) {
    tr.classList.toggle('selected', tr.dataset.revision === String(n));
  }
  const box = document.getElementById('history-diff');
  try {
    const r = await getJson(`/history/${n}`);
    box.replaceChildren(h('h2', { id: 'history-diff-title' }, `Revision ${r.revision}`),
      h('p', { class: 'hint' }, `${when(r.time)}${r.by ? ` by ${r.by}` : ''}${r.change ? `, change ${r.change}` : ''}`),
      ...r.items.map((i) => h('section', { class: 'diff', dataset: { id: i.id } },
        h('h3', {}, `${i.id} `, h('span', { class: `kind k-${i.kind}` }, i.kind)),
        h('div', { class: 'table-wrap' }, h('table', { class: 'diff-table' },
          h('thead', {}, h('tr', {}, ...['Field', 'Before', 'After'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...i.diff.map((d) => h('tr', {},
            h('th', { scope: 'row' }, h('code', {}, d.path || '(the item)')),
            h('td', { class: 'before' }, value(d.before)),
            h('td', { class: 'after' }, value(d.after))))))))));
  } catch (e) {
    box.replaceChildren(h('p', {}, `revision ${n} cannot be read: ${e.message}`));
  }
}

/** Revert to revision `r`, once the dialog is confirmed. */
function revert(r, opener) {
  const dialog = document.getElementById('revert-dialog');
  document.getElementById('revert-text').textContent = `Put the frontends and backends back as they were right after`
    + ` revision ${r.revision} (${when(r.time)})? It is one new change, checked as any write: membership at run time,`
    + ' anything else with one reload. The members of dynamic backends stay as the registry has them now.';
  dialog.returnValue = '';
  dialog.addEventListener('close', async () => {
    opener.focus();
    if (dialog.returnValue !== 'revert') return;
    const note = document.getElementById('history-note');
    note.textContent = `Reverting to revision ${r.revision}…`;
    note.setAttribute('role', 'status');
    try {
      const res = await apiFetch(`/history/${r.revision}/revert?wait=10s`, { method: 'POST' });
      const body = await res.json();
      if (!res.ok) throw new Error(body.reason || `HTTP ${res.status}`);
      note.textContent = body.revision
        ? `Reverted to revision ${r.revision}: revision ${body.revision} changed ${body.items.join(', ')}; change ${body.change ? `${body.change.id} ${body.change.state}` : 'none'}.`
        : `Nothing to revert: the frontends and backends are as they were right after revision ${r.revision}.`;
      selected = null;
      load();
    } catch (e) {
      note.textContent = `Revert refused: ${e.message}`;
      note.setAttribute('role', 'alert');
    }
  }, { once: true });
  dialog.showModal();
  document.getElementById('revert-confirm').focus();
}

export function initHistory() {
  on('config', () => {
    if (!shown) return;
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  });
  on('connection', ({ connected }) => { if (connected && shown) load(); });
}

export function showHistory(visible) {
  if (visible && !shown) load();
  shown = visible;
}
