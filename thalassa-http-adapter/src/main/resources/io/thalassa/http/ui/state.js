// The client's copy of the daemon's state, kept up to date from /ws: configuration, live view and chart history.
// Listeners get what changed, so pages update only the items concerned.

export const HISTORY_SAMPLES = 150; // 5 minutes at the daemon's 2 s poll

export const state = {
  frontends: new Map(), // key -> frontend (REST shape)
  backends: new Map(),  // key -> backend (REST shape)
  live: { frontends: new Map(), backends: new Map(), time: 0 },
  history: { times: [], frontends: new Map(), backends: new Map() }, // name -> {cur: [], max: []}
  intervalMs: 2000,
  sampleSpacingMs: 1500,
  rollouts: new Map(), // backend key -> its rollout (running, paused, or the last that ended)
};

const listeners = new Map();

/** Calls fn(detail) on every event of the topic; returns a function that removes it. */
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
  return () => listeners.get(topic).delete(fn);
}

export function emit(topic, detail) {
  for (const fn of listeners.get(topic) || []) {
    try {
      fn(detail);
    } catch (e) {
      console.error(`${topic} listener failed`, e);
    }
  }
}

function series(map, name, fields) {
  let s = map.get(name);
  if (!s) {
    s = {};
    for (const f of fields) s[f] = new Array(state.history.times.length).fill(null);
    map.set(name, s);
  }
  return s;
}

/** Applies one /ws message. */
export function apply(message) {
  switch (message.type) {
    case 'hello':
      state.intervalMs = message.intervalMs || 2000;
      state.sampleSpacingMs = message.sampleSpacingMs || 1500;
      emit('hello', message);
      break;
    case 'config': applyConfig(message); break;
    case 'history': applyHistory(message); break;
    case 'live': applyLive(message); break;
    case 'activity': emit('activity', message.event); break;
    case 'rollouts': applyRollouts(message); break;
    default: break;
  }
}

function applyConfig(m) {
  const changed = { frontends: new Set(), backends: new Set(), structure: m.full };
  if (m.full) {
    changed.structure = true;
    for (const k of state.frontends.keys()) if (!(k in m.frontends)) changed.frontends.add(k);
    for (const k of state.backends.keys()) if (!(k in m.backends)) changed.backends.add(k);
    state.frontends.clear();
    state.backends.clear();
  }
  for (const [k, v] of Object.entries(m.frontends || {})) {
    if (!state.frontends.has(k)) changed.structure = true;
    state.frontends.set(k, v);
    changed.frontends.add(k);
  }
  for (const [k, v] of Object.entries(m.backends || {})) {
    if (!state.backends.has(k)) changed.structure = true;
    state.backends.set(k, v);
    changed.backends.add(k);
  }
  const removed = m.removed || {};
  for (const k of removed.frontends || []) { state.frontends.delete(k); changed.frontends.add(k); changed.structure = true; }
  for (const k of removed.backends || []) { state.backends.delete(k); changed.backends.add(k); changed.structure = true; }
  emit('config', changed);
}

function applyRollouts(m) {
  const changed = new Set();
  if (m.full) {
    for (const k of state.rollouts.keys()) changed.add(k);
    state.rollouts.clear();
  }
  for (const [k, v] of Object.entries(m.rollouts || {})) { state.rollouts.set(k, v); changed.add(k); }
  for (const k of m.removed || []) { state.rollouts.delete(k); changed.add(k); }
  emit('rollouts', changed);
}

function applyHistory(m) {
  const h = state.history;
  h.times = (m.times || []).map((t) => t / 1000);
  h.frontends = new Map();
  h.backends = new Map();
  for (const [k, v] of Object.entries(m.frontends || {})) h.frontends.set(k, { cur: v.cur, max: v.max });
  for (const [k, v] of Object.entries(m.backends || {})) h.backends.set(k, { cur: v.cur });
  emit('history', null);
}

function applyLive(m) {
  const live = state.live;
  const changed = { frontends: new Set(), backends: new Set() };
  if (m.full) {
    live.frontends.clear();
    live.backends.clear();
  }
  for (const [k, v] of Object.entries(m.frontends || {})) { live.frontends.set(k, v); changed.frontends.add(k); }
  for (const [k, v] of Object.entries(m.backends || {})) { live.backends.set(k, v); changed.backends.add(k); }
  for (const k of (m.removed && m.removed.frontends) || []) { live.frontends.delete(k); changed.frontends.add(k); }
  for (const k of (m.removed && m.removed.backends) || []) { live.backends.delete(k); changed.backends.add(k); }
  live.time = m.time;
  appendSample(m.time / 1000);
  emit('live', changed);
}

/** One chart point per item at time t (seconds), from the live view; the oldest dropped past HISTORY_SAMPLES. */
function appendSample(t) {
  const h = state.history;
  // as the daemon's history: polls right after a change update the view but add no chart point
  if (!t || (h.times.length && t - h.times[h.times.length - 1] < state.sampleSpacingMs / 1000)) return;
  h.times.push(t);
  const drop = h.times.length > HISTORY_SAMPLES;
  if (drop) h.times.shift();
  const push = (map, liveMap, fields) => {
    for (const [k, v] of liveMap) {
      const s = series(map, k, fields);
      for (const f of fields) {
        s[f].push(v[f] ?? null);
      }
    }
    for (const [k, s] of map) {
      for (const f of fields) {
        if (!liveMap.has(k)) s[f].push(null);
        if (drop) s[f].shift();
        while (s[f].length > h.times.length) s[f].shift();
      }
      if (!liveMap.has(k) && s[fields[0]].every((x) => x === null)) map.delete(k);
    }
  };
  push(h.frontends, state.live.frontends, ['cur', 'max']);
  push(h.backends, state.live.backends, ['cur']);
}
