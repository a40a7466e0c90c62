// Live connection charts on uPlot: one small chart per visible frontend or backend, fed from the history.
import uPlot from '/ui/vendor/uPlot.esm.js';
import { state } from './state.js';

const COLORS = ['#0b6f94', '#c2571a'];
const WINDOW_S = 300; // the 5 minutes the history holds: the axis keeps its span while the history fills

/** A chart of `fields` of `kind` ('frontends' or 'backends') item `name` in `parent`; returns {update, destroy}. */
export function liveChart(parent, kind, name, fields, labels) {
  const width = Math.max(200, Math.floor(parent.clientWidth || 300));
  const opts = {
    width,
    height: 90,
    legend: { show: true, live: false },
    cursor: { show: false },
    scales: { x: { time: true, range: (u, min, max) => { const m = max ?? Date.now() / 1000; return [m - WINDOW_S, m]; } }, y: { range: (u, min, max) => [0, Math.max(2, max)] } },
    axes: [
      { size: 28, space: 60, font: '11px system-ui, sans-serif', stroke: '#555', incrs: [60, 120, 300, 600],
        values: (u, splits) => splits.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })) },
      { size: 36, space: 24, font: '11px system-ui, sans-serif', stroke: '#555' },
    ],
    series: [{}, ...fields.map((f, i) => ({ label: labels[i], stroke: COLORS[i], width: 1.5, points: { show: false } }))],
  };
  const data = () => {
    const s = state.history[kind].get(name);
    const times = state.history.times;
    return [times.slice(), ...fields.map((f) => (s && s[f] ? s[f].slice(-times.length) : times.map(() => null)))];
  };
  const plot = new uPlot(opts, data(), parent);
  return {
    update() { plot.setData(data()); },
    resize(w) { plot.setSize({ width: Math.max(200, Math.floor(w)), height: 90 }); },
    destroy() { plot.destroy(); },
  };
}
