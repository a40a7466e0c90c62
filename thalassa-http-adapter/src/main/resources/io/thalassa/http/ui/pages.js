// The config page (haproxy.cfg in use, with change ids and pending or failed changes when the daemon reports them)
// and the status page (the /status facts, the TLS certificates, a fleet's nodes).
import { h, getJson, badge } from './dom.js';
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
    await loadCertificates();
    if (status.fleet) await loadFleet();
  } catch (e) {
    dl.replaceChildren(h('dt', {}, 'error'), h('dd', {}, e.message));
  }
}

/** The TLS certificates (GET /certificates): when each expires, flagged within 14 days, and who uses it. */
async function loadCertificates() {
  const box = document.getElementById('certificates');
  const summary = document.getElementById('certificates-summary');
  try {
    const certs = await getJson('/certificates');
    box.hidden = certs.length === 0;
    const soon = certs.filter((c) => c.expiresSoon).length;
    summary.textContent = `${certs.length} certificate(s)` + (soon ? `, ${soon} expiring within 14 days or expired.` : '.');
    box.querySelector('tbody').replaceChildren(...certs.map((c) => {
      const days = Math.floor(c.expiresInSeconds / 86400);
      const when = c.expiresInSeconds < 0 ? `expired ${-days} d ago` : `in ${days} d`;
      return h('tr', { dataset: { certificate: c.name }, class: c.expiresSoon ? 'expires-soon' : null },
        h('th', { scope: 'row' }, c.name),
        h('td', {}, c.subject, h('div', { class: 'hint' }, (c.sans || []).join(', ') || '—')),
        h('td', {}, h('span', { class: `badge st-${c.expiresInSeconds < 0 ? 'down' : c.expiresSoon ? 'drain' : 'up'}` },
          c.expiresInSeconds < 0 ? 'EXPIRED' : c.expiresSoon ? 'EXPIRES SOON' : 'VALID'),
          ` ${c.notAfter.slice(0, 10)} (${when})`),
        h('td', {}, (c.usedBy || []).join(', ') || '—'));
    }));
  } catch (e) {
    box.hidden = false;
    summary.textContent = `the certificates cannot be read now: ${e.message}`;
  }
}

/** The fleet's nodes (GET /fleet): whether each runs the newest revision, and what failed where. */
async function loadFleet() {
  const box = document.getElementById('fleet');
  const summary = document.getElementById('fleet-summary');
  try {
    const fleet = await getJson('/fleet');
    box.hidden = false;
    const current = fleet.nodes.filter((n) => n.current).length;
    summary.textContent = `${fleet.nodes.length} node(s), ${current} running revision ${fleet.revision}`
      + (fleet.converged ? ': converged.' : ': not converged.') + ` This is ${fleet.self}.`;
    box.querySelector('tbody').replaceChildren(...fleet.nodes.map((n) => h('tr', { dataset: { node: n.node } },
      h('th', { scope: 'row' }, n.node + (n.node === fleet.self ? ' (this node)' : '')),
      h('td', {}, badge(n.current ? 'UP' : n.failure ? 'DOWN' : 'PENDING', n.current ? 'current'
        : n.failure ? 'failed' : n.stale ? 'stale' : 'behind')),
      h('td', {}, String(n.revision)),
      h('td', {}, n.api || '—'),
      h('td', {}, n.failure ? `revision ${n.failure.revision}: ${n.failure.message}` : '—'))));
  } catch (e) {
    box.hidden = false;
    summary.textContent = `the fleet cannot be read now: ${e.message}`;
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
    if (statusShown && (e.verb.startsWith('reload') || e.verb === 'haproxyRestarted' || e.verb.startsWith('registry')
      || e.verb.startsWith('store') || e.verb === 'certificateChanged')) soon(loadStatus);
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
