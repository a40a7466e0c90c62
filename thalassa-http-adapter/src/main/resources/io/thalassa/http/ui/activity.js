// The activity page: newest first, filtered by verb and object (by the daemon) and by text (here), live from /ws,
// with "Load older" paging into the history.
import { h, getJson } from './dom.js';
import { on } from './state.js';

const VERBS = ['started', 'online', 'offline', 'configApplied', 'configRejected', 'reloadDone', 'reloadFailed',
  'reloadCoalesced', 'runtimeChange', 'drain', 'versionSwitched', 'splitChanged', 'splitShares',
  'registryUnavailable', 'registryRecovered', 'memberRejected', 'removalHeld', 'removalConfirmed',
  'removalCancelled', 'watchRestarted', 'haproxyRestarted', 'statsFailed', 'haproxyLog', 'memberCheck',
  'rolloutStarted', 'rolloutStep', 'rolloutPaused', 'rolloutResumed', 'rolloutAborted', 'rolloutDone', 'configReverted',
  'certificateChanged',
  'storeApplied', 'storeApplyFailed', 'storeUnavailable', 'storeRecovered'];
const PAGE = 50;

/** Events per page: 50, or the hash's limit (#/activity?limit=10, 1..1000). */
function pageSize() {
  const m = location.hash.match(/[?&]limit=(\d+)/);
  const n = m ? Number(m[1]) : PAGE;
  return n >= 1 && n <= 1000 ? n : PAGE;
}

let list;
let older;
let summary;
let nextBefore = null;
let loading = 0;
let seen = new Set();
let active = false;

function filters() {
  return {
    verb: document.getElementById('activity-verb').value,
    object: document.getElementById('activity-object').value.trim(),
    text: document.getElementById('activity-text').value.trim().toLowerCase(),
  };
}

function matches(e, f) {
  if (f.verb && e.verb !== f.verb) return false;
  if (f.object && !String(e.object).includes(f.object)) return false;
  if (f.text && !`${e.verb} ${e.object} ${e.detail}`.toLowerCase().includes(f.text)) return false;
  return true;
}

function item(e) {
  const t = new Date(e.time);
  return h('li', { class: 'event', dataset: { id: e.id, verb: e.verb } },
    h('span', { class: `verb v-${e.verb}` }, e.verb),
    h('strong', { class: 'object' }, e.object),
    h('span', { class: 'detail' }, e.detail),
    h('time', { datetime: e.time, title: e.time }, t.toLocaleString()));
}

function applyText() {
  const f = filters();
  let shown = 0;
  for (const li of list.children) {
    const e = li.entry;
    li.hidden = !matches(e, f);
    if (!li.hidden) shown += 1;
  }
  summary.textContent = `${shown} event${shown === 1 ? '' : 's'} shown${nextBefore ? '; more in the history' : ''}`;
}

async function load(reset) {
  const ticket = ++loading;
  const f = filters();
  const q = new URLSearchParams({ limit: String(pageSize()) });
  if (f.verb) q.set('verb', f.verb);
  if (f.object) q.set('object', f.object);
  if (!reset && nextBefore) q.set('before', String(nextBefore));
  try {
    const page = await getJson(`/activity?${q}`);
    if (ticket !== loading) return; // a newer filter won
    if (reset) {
      list.replaceChildren();
      seen = new Set();
    }
    for (const e of page.events) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      const li = item(e);
      li.entry = e;
      list.append(li);
    }
    nextBefore = page.nextBefore;
    older.disabled = !nextBefore;
    applyText();
  } catch (err) {
    summary.textContent = `cannot load the activity: ${err.message}`;
  }
}

export function initActivity() {
  list = document.getElementById('activity-list');
  older = document.getElementById('activity-older');
  summary = document.getElementById('activity-summary');
  const verb = document.getElementById('activity-verb');
  verb.append(...VERBS.map((v) => h('option', { value: v }, v)));
  verb.addEventListener('change', () => load(true));
  let timer;
  document.getElementById('activity-object').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(true), 250);
  });
  document.getElementById('activity-text').addEventListener('input', applyText);
  document.getElementById('activity-filter').addEventListener('submit', (e) => e.preventDefault());
  older.addEventListener('click', () => load(false));
  on('activity', (e) => {
    if (!active || seen.has(e.id)) return;
    const f = filters();
    if ((f.verb && e.verb !== f.verb) || (f.object && !String(e.object).includes(f.object))) return;
    seen.add(e.id);
    const li = item(e);
    li.entry = e;
    li.classList.add('new');
    list.prepend(li);
    applyText();
  });
  on('connection', ({ connected }) => { if (connected && active) load(true); });
}

let shownHash = null;

export function showActivity(visible) {
  const again = visible && active && location.hash !== shownHash; // e.g. another ?limit=
  const was = active;
  active = visible;
  shownHash = visible ? location.hash : null;
  if ((visible && !was) || again) load(true);
}
