import { apiFetch } from './auth.js';

// A small element builder: h('li', {class: 'x', dataset: {key}}, 'text', child).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

/** A status label: colour and the word itself, never colour alone. */
export function badge(status, extra) {
  const s = String(status || 'UNKNOWN').toUpperCase();
  const cls = { UP: 'up', OPEN: 'up', DOWN: 'down', DRAIN: 'drain', NOLB: 'drain', MAINT: 'maint', PENDING: 'pending' }[s] || 'unknown';
  return h('span', { class: `badge st-${cls}` }, extra ? `${s} ${extra}` : s);
}

/** "12 s", "3 min", "2 h" for a number of seconds. */
export function ago(seconds) {
  const s = Number(seconds) || 0;
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

export async function getJson(path) {
  const r = await apiFetch(path, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.status === 204 ? null : r.json();
}
