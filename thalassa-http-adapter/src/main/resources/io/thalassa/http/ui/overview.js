// The overview: every frontend and backend as a card with its status, a live connections chart and its settings;
// backends also with a healthy/total donut, their members' live status and, when dynamic, the version switch, the
// weighted split between versions (split.js) and the rollout (rollout.js). Above 50 backends they are a compact
// table (table.js) whose rows open their cards.
import { h, svg, badge, ago, getJson } from './dom.js';
import { apiFetch } from './auth.js';
import { state, on } from './state.js';
import { liveChart } from './chart.js';
import { PagedList } from './paged.js';
import { openSplit, splitSummary, weightsText } from './split.js';
import { openRollout, rolloutPanel } from './rollout.js';
import { BackendTable, TABLE_ABOVE } from './table.js';

const PAGE_SIZE = 12;
const switching = new Map(); // backend key -> {from, to}
const versions = new Map();  // service name -> Promise of [{version, count}]
const notes = new Map();     // backend key -> {text, alert, at, focus}: a card's note, kept while the card is rebuilt
const NOTE_KEPT_MS = 60000;

let frontendList;
let backendList;
let backendTable;
let view = null; // 'table' or 'cards' as chosen; null: the table above 50 backends
let detail = null; // the card a table row opened: {key, card}

export function initOverview() {
  frontendList = new PagedList({
    listEl: document.getElementById('frontend-list'),
    toolsEl: document.getElementById('frontend-tools'),
    countEl: document.getElementById('frontend-count'),
    noun: 'frontends',
    pageSize: PAGE_SIZE,
    keys: () => [...state.frontends.keys()].sort(),
    matches: (k, text) => {
      const f = state.frontends.get(k);
      return k.toLowerCase().includes(text) || `${f.bind} ${f.backend}`.toLowerCase().includes(text);
    },
    hint: 'name, bind or backend',
    card: frontendCard,
  });
  backendList = new PagedList({
    listEl: document.getElementById('backend-list'),
    toolsEl: document.getElementById('backend-tools'),
    countEl: document.getElementById('backend-count'),
    noun: 'backends',
    pageSize: PAGE_SIZE,
    keys: () => [...state.backends.keys()].sort(),
    matches: (k, text) => {
      const b = state.backends.get(k);
      const members = (b.members || []).map((m) => `${m.host}:${m.port}`).join(' ');
      return `${k} ${b.name || ''}@${b.version || ''} ${members}`.toLowerCase().includes(text);
    },
    hint: 'name, service, version or address',
    card: backendCard,
  });
  backendTable = new BackendTable({ wrap: document.getElementById('backend-table-wrap'), onOpen: openDetail });
  const toggle = document.getElementById('backend-view');
  toggle.addEventListener('click', () => {
    view = tableShown() ? 'cards' : 'table';
    showView();
  });
  document.getElementById('backend-detail-close').addEventListener('click', closeDetail);
  on('config', (changed) => {
    frontendList.render(changed.frontends);
    showView(changed.backends);
    if (detail && changed.backends.has(detail.key)) openDetail(detail.key, true);
    markLoaded();
  });
  on('live', (changed) => {
    frontendList.live(changed.frontends);
    frontendList.tick();
    if (tableShown()) {
      backendTable.live(changed.backends);
    } else {
      backendList.live(changed.backends);
      backendList.tick();
    }
    if (detail) {
      if (changed.backends.has(detail.key)) detail.card.live();
      detail.card.tick();
    }
  });
  on('rollouts', (changed) => {
    for (const k of changed) { // a rollout that ended: the card's note of its start has had its day
      const r = state.rollouts.get(k);
      const kept = notes.get(k);
      if (r && r.state !== 'running' && r.state !== 'paused' && kept && /^(Rollout to|Starting the rollout)/.test(kept.text)) {
        const control = cardOf(k)?.control;
        if (control) setNote(k, control.show, '', false);
        else notes.delete(k);
      }
    }
    for (const [k, c] of backendList.cards) if (changed.has(k)) c.rollout?.update();
    if (detail && changed.has(detail.key)) detail.card.rollout?.update();
    if (tableShown()) backendTable.live(changed);
  });
  on('history', () => { frontendList.tick(); backendList.tick(); });
  on('activity', (e) => {
    if (e.verb === 'drain') drained(e);
    if (e.verb === 'online' || e.verb === 'offline') {
      const name = String(e.object).split('/')[1];
      if (name && versions.has(name)) {
        versions.delete(name);
        for (const [k, c] of backendList.cards) if (state.backends.get(k)?.name === name) c.versions();
      }
    }
  });
  on('connection', ({ connected }) => { if (connected) versions.clear(); });
  window.addEventListener('resize', () => {
    for (const list of [frontendList, backendList]) for (const c of list.cards.values()) c.resize?.();
  });
}

/** Whether the backends are shown as the compact table: chosen, or by default above 50 of them. */
function tableShown() {
  return view ? view === 'table' : state.backends.size > TABLE_ABOVE;
}

/** Shows the table or the cards (the other hidden and emptied), and the toggle that says which. */
function showView(changed) {
  const table = tableShown();
  const wrap = document.getElementById('backend-table-wrap');
  const tools = document.getElementById('backend-tools');
  const list = document.getElementById('backend-list');
  wrap.hidden = !table;
  tools.hidden = table;
  list.hidden = table;
  const toggle = document.getElementById('backend-view');
  toggle.hidden = state.backends.size === 0;
  toggle.textContent = table ? 'Show as cards' : 'Show as a table';
  toggle.setAttribute('aria-pressed', String(table));
  document.getElementById('backend-count').textContent = `(${state.backends.size})`;
  if (table) {
    for (const [k, c] of backendList.cards) { c.destroy(); c.el.remove(); backendList.cards.delete(k); }
    backendTable.render();
  } else {
    backendList.render(changed || null);
  }
}

/** Opens the card of backend `key` above the table (a row's click). */
function openDetail(key, refresh) {
  const box = document.getElementById('backend-detail');
  const list = document.getElementById('backend-detail-card');
  if (!state.backends.has(key)) { closeDetail(); return; }
  if (detail) { detail.card.destroy(); detail.card.el.remove(); }
  const card = backendCard(key);
  list.replaceChildren(card.el);
  card.mounted?.();
  detail = { key, card };
  box.hidden = false;
  document.getElementById('backend-detail-title').textContent = `Backend ${key}`;
  if (!refresh) box.scrollIntoView({ block: 'nearest' });
}

function closeDetail() {
  if (detail) { detail.card.destroy(); detail.card.el.remove(); }
  detail = null;
  document.getElementById('backend-detail').hidden = true;
}

/** The card of backend `key` on the page, in the list or opened from the table. */
function cardOf(key) {
  return backendList.cards.get(key) || (detail && detail.key === key ? detail.card : null);
}

/**
 * A drain event of a switched backend: its leaving members drained, so the note says so at once, with HAProxy's
 * time ("drained in 26 ms"), instead of waiting for a live poll that may never show them draining.
 */
function drained(e) {
  const key = String(e.object).replace(/^backend\//, '');
  const s = switching.get(key);
  if (!s) return;
  s.drained = (s.drained || 0) + 1;
  const took = String(e.detail).match(/in ([0-9.]+ m?s)/);
  s.took = took ? took[1] : s.took;
  if (s.drained >= s.leaving) {
    switching.delete(key);
    const control = cardOf(key)?.control;
    const text = `Switched to ${s.to}: the members of ${s.from} are drained${s.took ? ` (drained in ${s.took})` : ''}`;
    if (control) setNote(key, control.show, text, false);
    else notes.set(key, { text, alert: false, at: Date.now() });
  }
}

/** Marks the page loaded (for tests and the load benchmark): the first configuration is shown. */
function markLoaded() {
  const main = document.getElementById('page-overview');
  if (!main.dataset.loadedMs) main.dataset.loadedMs = String(Math.round(performance.now()));
}

/** name@version, or with a version split name@1.0.0 95 % · 2.0.0 5 %. */
function serviceText(b) {
  if (!b.versions) {
    return `${b.name}@${b.version}`;
  }
  return `${b.name}@` + Object.entries(b.versions).map(([v, w]) => `${v} ${w} %`).join(' · ');
}

function safeId(kind, key) {
  return `${kind}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function chartBox(card, kind, key, fields, labels) {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': `Connections of ${kind.slice(0, -1)} ${key}, last 5 minutes` });
  let chart = null;
  card.mounted = () => {
    if (!chart && box.isConnected) chart = liveChart(box, kind, key, fields, labels);
  };
  card.tick = () => chart?.update();
  card.resize = () => chart?.resize(box.clientWidth);
  card.destroy = () => { chart?.destroy(); chart = null; };
  return box;
}

function frontendCard(key) {
  const f = state.frontends.get(key);
  const id = safeId('frontend', key);
  const card = {};
  const status = h('span', { class: 'status' });
  const figures = h('p', { class: 'figures' });
  const chart = chartBox(card, 'frontends', key, ['cur', 'max'], ['current', 'max']);
  const rules = (f.rules || []).length === 0 ? null : h('div', { class: 'table-wrap' }, h('table', { class: 'rules' },
    h('caption', {}, 'Rules'),
    h('thead', {}, h('tr', {}, ...['Type', 'Operation', 'Header', 'Value', 'Backend'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...f.rules.map((r) => h('tr', {},
      h('td', {}, r.type), h('td', {}, r.operation), h('td', {}, r.header || ''), h('td', {}, h('code', {}, r.value)),
      h('td', {}, r.backend))))));
  const natives = (f.natives || []).length === 0 ? null : h('div', { class: 'natives' },
    h('h4', {}, 'Natives'), h('ul', {}, ...f.natives.map((n) => h('li', {}, h('code', {}, n)))));
  card.el = h('li', { class: 'card frontend', id, dataset: { key } },
    h('article', { 'aria-labelledby': `${id}-title` },
      h('header', {}, h('h3', { id: `${id}-title` }, key), status),
      chart, figures,
      h('dl', { class: 'props' },
        h('dt', {}, 'Bind'), h('dd', {}, h('code', {}, f.bind)),
        h('dt', {}, 'Default backend'), h('dd', {}, f.backend || '—'),
        h('dt', {}, 'Mode'), h('dd', {}, `${f.mode}, keep-alive ${f.keepalive}`)),
      rules, natives));
  card.live = () => {
    const l = state.live.frontends.get(key);
    status.replaceChildren(badge(l ? l.status : 'PENDING'));
    figures.textContent = l ? `${l.cur} current · ${l.max} max · ${l.rate}/s` : 'no stats yet';
  };
  card.live();
  return card;
}

function donut(healthy, total) {
  const r = 15.915; // circumference 100
  const share = total === 0 ? 0 : Math.round((healthy / total) * 100);
  return svg('svg', { viewBox: '0 0 36 36', class: 'donut', 'aria-hidden': 'true' },
    svg('circle', { cx: 18, cy: 18, r, class: total > 0 && healthy === 0 ? 'donut-ring none-healthy' : 'donut-ring' }),
    svg('circle', { cx: 18, cy: 18, r, class: total > 0 && healthy < total ? 'donut-part warn' : 'donut-part', 'stroke-dasharray': `${share} ${100 - share}`, 'stroke-dashoffset': 25 }));
}

function backendCard(key) {
  const b = state.backends.get(key);
  const id = safeId('backend', key);
  const card = {};
  const status = h('span', { class: 'status' });
  const health = h('div', { class: 'health' });
  const figures = h('p', { class: 'figures' });
  const chart = chartBox(card, 'backends', key, ['cur'], ['current']);
  const tbody = h('tbody');
  const members = h('table', { class: 'members' },
    h('caption', {}, 'Members'),
    h('thead', {}, h('tr', {}, ...['Address', 'Version', 'Status', 'Check', 'Sessions', 'Changed'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  const dynamic = b.type === 'dynamic';
  const control = dynamic ? versionControl(key, b, card) : null;
  const rollout = dynamic ? rolloutPanel(key, (text, alert) => setNote(key, control.show, text, alert)) : null;
  const splitServed = b.versions ? h('span', { class: 'split-served' }) : null;
  const splitLine = b.versions ? h('p', { class: 'split-line' },
    h('span', { class: 'split-weights' }, splitSummary(b.versions)), ' ', splitServed) : null;
  card.el = h('li', { class: 'card backend', id, dataset: { key } },
    h('article', { 'aria-labelledby': `${id}-title` },
      h('header', {}, h('h3', { id: `${id}-title` }, key), status,
        dynamic ? h('span', { class: 'service' }, serviceText(b)) : h('span', { class: 'service' }, 'static')),
      h('div', { class: 'live-row' }, health, chart),
      figures,
      h('p', { class: 'props-line' }, `balance ${b.balance} · mode ${b.mode}${b.health ? ` · check ${b.health.method} ${b.health.uri} every ${b.health.interval} ms` : ''}`),
      splitLine,
      rollout ? rollout.el : null,
      control ? control.el : null,
      h('div', { class: 'table-wrap' }, members)));
  const origLive = () => {
    const l = state.live.backends.get(key);
    status.replaceChildren(badge(l ? l.status : 'PENDING'));
    const healthy = l ? l.healthy : 0;
    const total = l ? l.total : (b.members || []).length;
    health.replaceChildren(donut(healthy, total), h('span', { class: 'health-text' }, `${healthy}/${total} healthy`));
    figures.textContent = l ? `${l.cur} current · ${l.max} max sessions` : 'no stats yet';
    const rows = l ? l.members : (b.members || []).map((m) => ({ addr: `${m.host}:${m.port}`, version: m.version, status: 'PENDING', check: '', cur: 0, max: 0, lastChangeSeconds: 0 }));
    if (rows.length === 0) {
      tbody.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, dynamic ? `no instance of ${b.name}@${b.version} registered` : 'no members')));
    } else {
      tbody.replaceChildren(...rows.map((m) => h('tr', { dataset: { addr: m.addr, status: m.status } },
        h('td', {}, h('code', {}, m.addr)),
        h('td', {}, m.version || '—'),
        h('td', {}, badge(m.status, m.draining ? '(leaving)' : null)),
        h('td', {}, m.check || '—'),
        h('td', {}, `${m.cur} / ${m.max}`),
        h('td', {}, m.status === 'PENDING' ? '—' : `${ago(m.lastChangeSeconds)} ago`))));
    }
    if (splitServed) {
      const served = l && l.split ? l.split.served : {};
      splitServed.textContent = 'served in the last minute: ' + Object.keys(b.versions).map((v) => `${v} `
        + (served[v] === null || served[v] === undefined ? '—' : `${served[v]} %`)).join(' · ');
    }
    control?.live(l);
  };
  card.live = origLive;
  card.versions = () => control?.load();
  card.control = control;
  card.rollout = rollout;
  card.live();
  return card;
}

function versionsOf(name) {
  if (!versions.has(name)) {
    versions.set(name, getJson(`/registrations/${encodeURIComponent(name)}`).then((list) => {
      const counts = new Map();
      for (const m of list) counts.set(m.version, (counts.get(m.version) || 0) + 1);
      return [...counts.entries()].map(([version, count]) => ({ version, count }))
        .sort((a, b) => a.version.localeCompare(b.version, undefined, { numeric: true }));
    }).catch((e) => { versions.delete(name); throw e; }));
  }
  return versions.get(name);
}

/**
 * A backend card's note (role=status, or alert for a refusal), on the card shown now: a write's answer may come after
 * the configuration it changed was pushed and the card rebuilt. Kept for a minute for the cards built after it.
 */
function setNote(key, show, text, alert) {
  notes.set(key, { text, alert, at: Date.now(), focus: notes.get(key)?.focus });
  show(text, alert);
  const current = cardOf(key)?.control;
  if (current && current.show !== show) current.show(text, alert);
}

/** Gives the focus back to the card's Split… button when the card it was on was rebuilt meanwhile. */
function refocusSplit(key) {
  const kept = notes.get(key);
  const control = cardOf(key)?.control;
  if (!kept?.focus || !control) return;
  if (document.activeElement === control.splitButton) {
    kept.focus = false;
  } else if (!document.activeElement || document.activeElement === document.body) {
    kept.focus = false;
    control.splitButton.focus();
  }
}

/** The switch's and the split's refusal in the API's words: its reason, and the field it names. */
async function refusal(r) {
  let body = null;
  try { body = await r.json(); } catch { /* not JSON */ }
  if (!body || !body.reason) return `HTTP ${r.status}`;
  return body.field ? `${body.reason} (field ${body.field})` : body.reason;
}

function versionControl(key, b, card) {
  const selectId = `${safeId('version', key)}`;
  const select = h('select', { id: selectId, class: 'version-select' });
  const button = h('button', { type: 'submit', class: 'switch' }, 'Switch');
  const splitButton = h('button', { type: 'button', class: 'split', 'aria-haspopup': 'dialog' }, 'Split…');
  const rolloutButton = h('button', { type: 'button', class: 'rollout-start', 'aria-haspopup': 'dialog' }, 'Rollout…');
  const note = h('p', { class: 'switch-note', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'version-control', 'aria-label': `Version of ${key}` },
    h('label', { for: selectId }, 'Version '), select, button, splitButton, rolloutButton, note);
  const show = (text, alert) => {
    note.textContent = text;
    note.setAttribute('role', alert ? 'alert' : 'status');
  };
  const kept = notes.get(key);
  if (kept && Date.now() - kept.at < NOTE_KEPT_MS) {
    show(kept.text, kept.alert);
    if (kept.focus) queueMicrotask(() => refocusSplit(key)); // once this card is on the page
  }
  // with a split, switching to any of its versions (its primary one too) ends the split
  const refreshButton = () => { button.disabled = !select.value || (!b.versions && select.value === b.version); };
  select.addEventListener('change', refreshButton);
  let known = [];
  const load = async () => {
    try {
      const list = [...await versionsOf(b.name)];
      for (const v of [b.version, ...Object.keys(b.versions || {})]) {
        if (!list.some((x) => x.version === v)) list.push({ version: v, count: 0 });
      }
      list.sort((x, y) => x.version.localeCompare(y.version, undefined, { numeric: true }));
      known = list;
      const chosen = select.value && select.value !== b.version ? select.value : b.version;
      select.replaceChildren(...list.map((v) => h('option', { value: v.version },
        `${v.version} (${v.count} instance${v.count === 1 ? '' : 's'})${inUse(b, v.version)}`)));
      select.value = list.some((v) => v.version === chosen) ? chosen : b.version;
      refreshButton();
    } catch (e) {
      note.textContent = `cannot list versions: ${e.message}`;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const to = select.value;
    if (!to || (!b.versions && to === b.version)) return;
    const count = select.selectedOptions[0]?.textContent.match(/\((\d+) instance/)?.[1] ?? '0';
    const others = b.versions ? Object.keys(b.versions).filter((v) => v !== to) : [b.version];
    const from = b.versions ? `${b.name}@${weightsText(b.versions)}` : `${b.name}@${b.version}`;
    const leaving = (b.members || []).filter((m) => m.version !== to).length;
    const dialog = document.getElementById('switch-dialog');
    document.getElementById('switch-text').textContent = `Switch backend ${key} from ${from} to `
      + `${b.name}@${to}? Its ${leaving} member(s) of ${others.join(', ') || 'other versions'} drain (no new requests, open ones finish); `
      + `the ${count} instance(s) of ${to} take the traffic, through HAProxy's runtime API without a reload.`;
    dialog.returnValue = '';
    dialog.addEventListener('close', async function done() {
      dialog.removeEventListener('close', done);
      button.focus();
      if (dialog.returnValue !== 'switch') return;
      setNote(key, show, `Switching to ${to}…`, false);
      try {
        const r = await apiFetch(`/backends/${encodeURIComponent(key)}`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ version: to }),
        });
        if (!r.ok) throw new Error(await refusal(r));
        switching.set(key, { from: others.join(', '), to, since: Date.now(), sawDrain: false, leaving });
        setNote(key, show, `Switched to ${to}; draining the members of ${others.join(', ')}…`, false);
      } catch (err) {
        setNote(key, show, `Switch failed: ${err.message}`, true);
      }
    });
    dialog.showModal();
    document.getElementById('switch-confirm').focus();
  });
  splitButton.addEventListener('click', async () => {
    if (known.length === 0) {
      await load();
      if (known.length === 0) return; // the note says why
    }
    if (known.length < 2) {
      setNote(key, show, `A split needs two versions of ${b.name} or more; only ${known.map((v) => v.version).join(', ') || b.version} is known.`, false);
      return;
    }
    const weights = await openSplit(key, b, known, splitButton);
    if (!weights) return;
    const hadFocus = document.activeElement === splitButton;
    const text = weightsText(weights);
    setNote(key, show, `Splitting: ${text}…`, false);
    try {
      const r = await apiFetch(`/backends/${encodeURIComponent(key)}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ versions: weights }),
      });
      if (!r.ok) throw new Error(await refusal(r));
      const body = await r.json();
      const extra = body.split && body.split.note ? ` ${body.split.note}.` : '';
      switching.delete(key);
      setNote(key, show, `Split set: ${text}, through HAProxy's runtime API without a reload.${extra}`, false);
      notes.get(key).focus = hadFocus;
      refocusSplit(key);
    } catch (err) {
      setNote(key, show, `Split refused: ${err.message}`, true);
    }
  });
  rolloutButton.addEventListener('click', async () => {
    if (known.length === 0) {
      await load();
      if (known.length === 0) return;
    }
    if (b.versions) {
      setNote(key, show, `${key} is split; a rollout starts from one version: switch to it first.`, false);
      return;
    }
    if (!known.some((v) => v.version !== b.version)) {
      setNote(key, show, `A rollout needs another version of ${b.name}; only ${b.version} is registered.`, false);
      return;
    }
    const plan = await openRollout(key, b, known, rolloutButton);
    if (!plan) return;
    setNote(key, show, `Starting the rollout to ${plan.version}…`, false);
    try {
      const r = await apiFetch(`/backends/${encodeURIComponent(key)}/rollout`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(plan),
      });
      if (!r.ok) throw new Error(await refusal(r));
      const s = await r.json();
      state.rollouts.set(key, s);
      cardOf(key)?.rollout?.update();
      switching.delete(key);
      setNote(key, show, `Rollout to ${plan.version} started: ${s.percent} % to it, through HAProxy's runtime API without a reload.`, false);
    } catch (err) {
      setNote(key, show, `Rollout refused: ${err.message}`, true);
    }
  });
  return {
    el: form,
    splitButton,
    show,
    load,
    live(l) {
      const s = switching.get(key);
      if (!s || b.versions || b.version !== s.to) return;
      const draining = l ? l.members.filter((m) => m.draining).length : 0;
      if (draining > 0) s.sawDrain = true;
      const done = draining === 0 && (s.sawDrain || Date.now() - s.since > 6000);
      setNote(key, show, draining > 0
        ? `Switched to ${s.to}: ${draining} member(s) of ${s.from} draining`
        : done ? `Switched to ${s.to}: the members of ${s.from} are drained` : `Switched to ${s.to}; draining the members of ${s.from}…`, false);
      if (done) switching.delete(key);
    },
    init: load(),
  };
}

/** How a version is used by the backend, for its option in the drop-down. */
function inUse(b, version) {
  if (b.versions) return version in b.versions ? ` · in split ${b.versions[version]} %` : '';
  return version === b.version ? ' · in use' : '';
}
