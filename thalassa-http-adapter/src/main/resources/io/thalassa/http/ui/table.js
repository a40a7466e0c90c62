// The overview's compact table of backends, the default above 50 of them: one row per backend (status, healthy/total,
// version or split, sessions, request rate, error rate, rollout), sortable by any column, the unhealthy, those held
// by a rollout's guard and those mid-rollout first. Only the rows of the page shown exist in the DOM; a row opens
// the backend's card.
import { h, badge } from './dom.js';
import { state } from './state.js';
import { weightsText } from './split.js';

export const TABLE_ABOVE = 50;
const PAGE = 50;

function live(k) {
  return state.live.backends.get(k);
}

/** 0: unhealthy; 1: held by a rollout's guard or paused; 2: mid-rollout; 3: the rest. */
export function priority(k) {
  const l = live(k);
  const r = state.rollouts.get(k);
  if (l && (l.status === 'DOWN' || (l.total > 0 && l.healthy < l.total))) return 0;
  if (r && (r.state === 'paused' || (r.state === 'running' && r.reason))) return 1;
  if (r && r.state === 'running') return 2;
  return 3;
}

function versionText(b) {
  if (b.type !== 'dynamic') return 'static';
  return b.versions ? `${b.name}@${weightsText(b.versions)}` : `${b.name}@${b.version}`;
}

function rolloutText(k) {
  const r = state.rollouts.get(k);
  if (!r || !(r.state === 'running' || r.state === 'paused')) return '';
  return `${r.percent} % to ${r.to}${r.state === 'paused' ? ', paused' : r.reason ? ', held' : ''}`;
}

const COLUMNS = [
  { id: 'key', label: 'Backend', value: (k) => k },
  { id: 'status', label: 'Status', value: (k) => (live(k) ? live(k).status : 'PENDING') },
  { id: 'healthy', label: 'Healthy', value: (k) => (live(k) ? live(k).healthy - live(k).total : 0) },
  { id: 'version', label: 'Version or split', value: (k) => versionText(state.backends.get(k)) },
  { id: 'cur', label: 'Sessions', value: (k) => (live(k) ? live(k).cur : 0) },
  { id: 'rate', label: 'Req/s', value: (k) => (live(k) ? live(k).requestRate || 0 : 0) },
  { id: 'errors', label: 'Errors', value: (k) => (live(k) && live(k).errorRatePct !== null ? live(k).errorRatePct ?? -1 : -1) },
  { id: 'rollout', label: 'Rollout', value: (k) => rolloutText(k) },
];

export class BackendTable {
  /** @param {object} o wrap (the element to fill), onOpen(key) */
  constructor(o) {
    Object.assign(this, o);
    this.sort = null; // {id, dir}; null: the priority order
    this.page = 0;
    this.filter = '';
    this.filterInput = h('input', { type: 'search', id: 'backend-table-filter', placeholder: 'name, service or version', autocomplete: 'off' });
    this.filterInput.addEventListener('input', () => { this.filter = this.filterInput.value.trim().toLowerCase(); this.page = 0; this.render(); });
    this.prev = h('button', { type: 'button', class: 'pager-prev', 'aria-label': 'Previous page of backends' }, '‹ Prev');
    this.next = h('button', { type: 'button', class: 'pager-next', 'aria-label': 'Next page of backends' }, 'Next ›');
    this.prev.addEventListener('click', () => { this.page -= 1; this.render(); });
    this.next.addEventListener('click', () => { this.page += 1; this.render(); });
    this.range = h('span', { class: 'pager-range', 'aria-live': 'polite' });
    this.tbody = h('tbody');
    this.heads = COLUMNS.map((c) => {
      const b = h('button', { type: 'button', class: 'sort', dataset: { column: c.id } }, c.label);
      b.addEventListener('click', () => {
        this.sort = this.sort && this.sort.id === c.id ? { id: c.id, dir: -this.sort.dir } : { id: c.id, dir: 1 };
        this.render();
      });
      return h('th', { scope: 'col', 'aria-sort': 'none', dataset: { column: c.id } }, b);
    });
    this.table = h('table', { class: 'backend-table', id: 'backend-table' },
      h('caption', {}, 'Backends: the unhealthy, those held by a rollout\'s guard and those mid-rollout first; sort by any column; a row opens its card'),
      h('thead', {}, h('tr', {}, ...this.heads)), this.tbody);
    this.wrap.replaceChildren(h('div', { class: 'list-tools' }, h('label', { class: 'filter' }, 'Filter backends ', this.filterInput),
      h('span', { class: 'pager' }, this.prev, this.range, this.next)), h('div', { class: 'table-wrap' }, this.table));
  }

  keys() {
    let keys = [...state.backends.keys()];
    if (this.filter) {
      keys = keys.filter((k) => {
        const b = state.backends.get(k);
        return `${k} ${versionText(b)}`.toLowerCase().includes(this.filter);
      });
    }
    const col = this.sort && COLUMNS.find((c) => c.id === this.sort.id);
    const cmp = (a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true }));
    if (col) {
      keys.sort((a, b) => this.sort.dir * cmp(col.value(a), col.value(b)) || a.localeCompare(b));
    } else {
      keys.sort((a, b) => priority(a) - priority(b) || a.localeCompare(b));
    }
    return keys;
  }

  row(k) {
    const b = state.backends.get(k);
    const l = live(k);
    const tr = h('tr', { dataset: { key: k, priority: String(priority(k)) }, tabindex: 0 },
      h('th', { scope: 'row' }, h('a', { href: `#/overview`, class: 'open', onclick: (e) => { e.preventDefault(); this.onOpen(k); } }, k)),
      h('td', {}, badge(l ? l.status : 'PENDING')),
      h('td', {}, l ? `${l.healthy}/${l.total}` : `0/${(b.members || []).length}`),
      h('td', {}, h('code', {}, versionText(b))),
      h('td', {}, String(l ? l.cur : 0)),
      h('td', {}, l && l.requestRate ? String(l.requestRate) : '0'),
      h('td', {}, l && l.errorRatePct !== null && l.errorRatePct !== undefined ? `${l.errorRatePct} %` : '—'),
      h('td', {}, rolloutText(k)));
    tr.addEventListener('click', (e) => { if (!e.target.closest('a')) this.onOpen(k); });
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.onOpen(k); });
    return tr;
  }

  /** Shows the current page of rows. */
  render() {
    const keys = this.keys();
    const pages = Math.max(1, Math.ceil(keys.length / PAGE));
    this.page = Math.min(Math.max(0, this.page), pages - 1);
    const shown = keys.slice(this.page * PAGE, (this.page + 1) * PAGE);
    this.tbody.replaceChildren(...shown.map((k) => this.row(k)));
    this.range.textContent = `${keys.length === 0 ? 0 : this.page * PAGE + 1}–${this.page * PAGE + shown.length} of ${keys.length}`;
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
    for (const th of this.heads) {
      const on = this.sort && this.sort.id === th.dataset.column;
      th.setAttribute('aria-sort', on ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
    this.table.dataset.rendered = String(shown.length);
  }

  /** Live data or rollouts for `keys`: the page is shown again when one of its rows, or the order, may change. */
  live(keys) {
    const rows = [...this.tbody.children];
    if (rows.some((r) => keys.has(r.dataset.key)) || !this.sort) this.render();
  }
}
