// The config page (haproxy.cfg in use, with change ids and pending or failed changes when the daemon reports them)
// and the status page (the /status facts).
import { h, getJson } from './dom.js';
import { apiFetch } from './auth.js';
import { on } from './state.js';

let configShown = false;
let statusShown = false;
let timer = null;

async function loadConfig() {
  const pre = document.getElementById('config-text');
  try {
    const r = await apiFetch('/haproxy/config');
    pre.textContent = await r.text();
    const status = await getJson('/status');
    const box = document.getElementById('config-changes');
    box.replaceChildren(...changesView(status.haproxy || {}));
  } catch (e) {
    pre.textContent = `cannot load the configuration: ${e.message}`;
  }
}

// Whether HAProxy runs what was accepted, and the pending and failed changes with their ids and HAProxy's words.
function changesView(haproxy) {
  const out = [h('h2', {}, 'Changes')];
  const runs = haproxy.runsDesired !== false;
  out.push(h('p', { class: runs ? 'runs ok' : 'runs not', id: 'config-runs' },
    runs ? 'HAProxy runs the accepted configuration.' : 'HAProxy does not run the accepted configuration yet.'));
  const item = (c, label) => h('li', { class: `change ${c.state}` },
    h('a', { href: c.url }, `change ${c.id}`), ` ${label} (${c.kind}): `, (c.changes || []).join('; ') || '—',
    c.message ? h('div', { class: 'haproxy-message' }, h('strong', {}, 'HAProxy: '), c.message) : '');
  const pending = haproxy.pending || [];
  if (pending.length) {
    out.push(h('h3', {}, 'Pending'), h('ul', { class: 'changes', id: 'config-pending' },
      ...pending.map((c) => item(c, 'pending'))));
  }
  if (haproxy.failed) {
    out.push(h('h3', {}, 'Failed'), h('ul', { class: 'changes', id: 'config-failed' }, item(haproxy.failed, 'failed')));
  }
  return out;
}

function facts(obj) {
  const dl = h('dl', { class: 'facts' });
  const add = (prefix, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) add(prefix ? `${prefix}.${k}` : k, v);
    } else {
      dl.append(h('dt', {}, prefix), h('dd', {}, Array.isArray(value) ? value.join(', ') || '—' : String(value ?? '—')));
    }
  };
  add('', obj);
  return dl;
}

async function loadStatus() {
  const dl = document.getElementById('status-list');
  try {
    const status = await getJson('/status');
    dl.replaceWith(Object.assign(facts(status), { id: 'status-list' }));
  } catch (e) {
    dl.replaceChildren(h('dt', {}, 'error'), h('dd', {}, e.message));
  }
}

function soon(fn) {
  clearTimeout(timer);
  timer = setTimeout(fn, 300);
}

export function initPages() {
  on('config', () => { if (configShown) soon(loadConfig); });
  on('activity', (e) => {
    if (configShown && ['reloadDone', 'reloadFailed', 'runtimeChange', 'configApplied'].includes(e.verb)) soon(loadConfig);
    if (statusShown && (e.verb.startsWith('reload') || e.verb === 'haproxyRestarted' || e.verb.startsWith('registry'))) soon(loadStatus);
  });
  on('connection', ({ connected }) => {
    if (connected && configShown) loadConfig();
    if (connected && statusShown) loadStatus();
  });
}

export function showConfig(visible) {
  if (visible && !configShown) loadConfig();
  configShown = visible;
}

export function showStatus(visible) {
  if (visible && !statusShown) loadStatus();
  statusShown = visible;
}
