// A dynamic backend's rollout: the Rollout… dialog (version, steps, step time, guard; checked here as the API checks
// it), and the live progress on the card (the step, the shares, each version's numbers against the guard, every
// decision's sentence), with Pause, Resume and Abort.
import { h } from './dom.js';
import { apiFetch } from './auth.js';
import { state } from './state.js';

const numeric = (x, y) => x.localeCompare(y, undefined, { numeric: true });

/** The steps typed as "5, 25, 50, 100": the list, or a sentence saying what is wrong. */
export function parseSteps(text) {
  const parts = String(text).split(/[\s,]+/).filter((x) => x);
  if (parts.length === 0 || parts.length > 20) return { error: 'Give 1 to 20 steps, e.g. 5, 25, 50, 100.' };
  const steps = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return { error: `Steps are whole percentages: ${p}.` };
    const n = Number(p);
    if (n < 1 || n > 100 || (steps.length && n <= steps[steps.length - 1])) {
      return { error: 'Steps increase strictly from 1 to 100.' };
    }
    steps.push(n);
  }
  if (steps[steps.length - 1] !== 100) return { error: 'The last step is 100: all the traffic on the new version.' };
  return { steps };
}

/**
 * Opens the rollout dialog for backend `key` (its JSON `b`) with the `known` versions [{version, count}]; resolves to
 * the body to POST once confirmed, or null.
 */
export function openRollout(key, b, known, opener) {
  const dialog = document.getElementById('rollout-dialog');
  const select = document.getElementById('rollout-version');
  const steps = document.getElementById('rollout-steps');
  const seconds = document.getElementById('rollout-seconds');
  const rate = document.getElementById('rollout-error-rate');
  const rtime = document.getElementById('rollout-rtime');
  const min = document.getElementById('rollout-min');
  const check = document.getElementById('rollout-check');
  const sentence = document.getElementById('rollout-text');
  const confirm = document.getElementById('rollout-confirm');
  document.getElementById('rollout-title').textContent = `Roll ${key} out to a new version`;
  const others = known.filter((v) => v.version !== b.version).sort((x, y) => numeric(x.version, y.version));
  select.replaceChildren(...others.map((v) => h('option', { value: v.version },
    `${v.version} (${v.count} instance${v.count === 1 ? '' : 's'})`)));
  if (others.length) select.value = others[others.length - 1].version;
  let body = null;
  const validate = () => {
    const problems = [];
    const parsed = parseSteps(steps.value);
    if (parsed.error) problems.push(parsed.error);
    const sec = Number(seconds.value);
    if (!(sec >= 1 && sec <= 3600)) problems.push('Each step lasts 1 to 3600 seconds.');
    const r = Number(rate.value);
    if (rate.value.trim() === '' || !(r >= 0 && r <= 100)) problems.push('The error limit is 0 to 100 %.');
    const rt = rtime.value.trim();
    if (rt !== '' && !(/^[0-9]+$/.test(rt) && Number(rt) >= 1 && Number(rt) <= 600000)) {
      problems.push('The response-time limit is 1 to 600000 ms, or empty for none.');
    }
    const m = min.value.trim();
    if (!(/^[0-9]+$/.test(m) && Number(m) >= 1 && Number(m) <= 1000000)) problems.push('Judge after 1 to 1000000 requests.');
    if (!select.value) problems.push(`No other version of ${b.name} is registered.`);
    for (const [el, bad] of [[steps, !!parsed.error], [seconds, !(sec >= 1 && sec <= 3600)]]) {
      el.setAttribute('aria-invalid', bad ? 'true' : 'false');
    }
    check.textContent = problems.join(' ');
    check.classList.toggle('bad', problems.length > 0);
    confirm.disabled = problems.length > 0;
    if (problems.length) {
      body = null;
      sentence.textContent = '';
      return;
    }
    body = {
      version: select.value, steps: parsed.steps, stepSeconds: sec,
      guard: { maxErrorRatePct: r, maxResponseTimeMs: rt === '' ? null : Number(rt), minRequests: Number(m) },
    };
    const count = others.find((v) => v.version === select.value)?.count ?? 0;
    sentence.textContent = `Move ${key} from ${b.name}@${b.version} to ${select.value} (${count} instance${count === 1 ? '' : 's'}) `
      + `in steps of ${parsed.steps.join(', ')} %, each at least ${sec} s, through HAProxy's runtime API without a reload? `
      + `Once ${select.value} has served ${m} requests in a step, more than ${r} % errors`
      + `${rt === '' ? '' : ` or a response time over ${rt} ms`} sends all the traffic back to ${b.version} at once.`;
  };
  for (const el of [select, steps, seconds, rate, rtime, min]) el.oninput = validate;
  validate();
  document.getElementById('rollout-cancel').onclick = () => dialog.close('cancel');
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      opener.focus();
      resolve(dialog.returnValue === 'rollout' && body ? body : null);
    }, { once: true });
    dialog.showModal();
    select.focus();
  });
}

/** The rollout's sentence for the card: "step 2 of 4: 25 % to 2.0.0 · running". */
export function rolloutSummary(r) {
  const where = r.state === 'done' ? `done: ${r.backend} serves ${r.to}`
    : r.state === 'aborted' ? `aborted: back on ${r.from}`
      : `step ${r.step} of ${r.steps.length}: ${r.percent} % to ${r.to} · ${r.state}`;
  return `Rollout ${r.from} → ${r.to}, ${where}`;
}

function numbers(v, m, guard, isNew) {
  const rate = m.errorRatePct === null || m.errorRatePct === undefined ? '—' : `${m.errorRatePct} %`;
  const rt = m.responseTimeMs === null || m.responseTimeMs === undefined ? '—' : `${Math.round(m.responseTimeMs)} ms`;
  const over = isNew && m.requests >= guard.minRequests;
  const rateBad = over && m.errorRatePct > guard.maxErrorRatePct;
  const rtBad = over && guard.maxResponseTimeMs !== null && m.responseTimeMs > guard.maxResponseTimeMs;
  return h('tr', { dataset: { version: v } },
    h('th', { scope: 'row' }, v + (isNew ? ' (new)' : '')),
    h('td', {}, String(m.requests)),
    h('td', {}, String(m.errors)),
    h('td', { class: rateBad ? 'breach' : '' }, rate),
    h('td', { class: rtBad ? 'breach' : '' }, rt),
    h('td', {}, m.down ? `${m.down} of ${m.members}` : `0 of ${m.members}`));
}

/**
 * The progress of backend `key`'s rollout on its card, with its buttons; `update()` on every rollouts message changes
 * the figures in place (the buttons stay the same elements while the state does, so a click is never lost to a
 * redraw).
 */
export function rolloutPanel(key, note) {
  const el = h('section', { class: 'rollout', 'aria-label': `Rollout of ${key}`, hidden: true });
  const head = h('strong');
  const bar = h('div', { class: 'rollout-steps', 'aria-hidden': 'true' });
  const sharesLine = h('p', { class: 'rollout-shares' });
  const caption = h('caption');
  const tbody = h('tbody');
  const reason = h('p', { class: 'rollout-reason' });
  const buttons = h('p', { class: 'rollout-buttons' });
  el.append(h('p', { class: 'rollout-head' }, head), bar, sharesLine,
    h('table', { class: 'rollout-numbers' }, caption,
      h('thead', {}, h('tr', {}, ...['Version', 'Requests', 'Errors', 'Error rate', 'rtime', 'DOWN']
        .map((t) => h('th', { scope: 'col' }, t)))), tbody), reason, buttons);
  let shownButtons = null; // the state the buttons were made for
  const control = async (path, method, verb) => {
    try {
      const r = await apiFetch(`/backends/${encodeURIComponent(key)}/rollout${path}`, { method });
      if (!r.ok) {
        let why = `HTTP ${r.status}`;
        try { why = (await r.json()).reason || why; } catch { /* not JSON */ }
        throw new Error(why);
      }
      state.rollouts.set(key, await r.json());
      update();
    } catch (e) {
      note(`${verb} refused: ${e.message}`, true);
    }
  };
  const update = () => {
    const r = state.rollouts.get(key);
    if (!r) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    el.dataset.state = r.state;
    const g = r.guard;
    const active = r.state === 'running' || r.state === 'paused';
    head.textContent = rolloutSummary(r);
    bar.replaceChildren(...r.steps.map((p, i) => h('span', {
      class: i + 1 < r.step || r.state === 'done' ? 'passed' : i + 1 === r.step && active ? 'current' : '',
    }, `${p} %`)));
    const shares = Object.keys(r.shares).sort(numeric).map((v) => `${v} ${r.shares[v]} %`).join(' · ');
    sharesLine.textContent = `shares ${shares} · guard: at most ${g.maxErrorRatePct} % errors${g.maxResponseTimeMs === null
      ? '' : `, rtime at most ${g.maxResponseTimeMs} ms`}, judged after ${g.minRequests} requests`;
    caption.textContent = active ? `Step ${r.step}, since it began` : `Step ${r.step}, when it ended`;
    tbody.replaceChildren(...[r.from, r.to].map((v) => numbers(v,
      r.measured[v] || { requests: 0, errors: 0, members: 0, down: 0 }, g, v === r.to)));
    const last = r.decisions[r.decisions.length - 1];
    reason.textContent = r.reason || (last ? last.detail : '');
    reason.setAttribute('role', r.state === 'aborted' ? 'alert' : 'status');
    if (shownButtons !== r.state) {
      shownButtons = r.state;
      buttons.replaceChildren(...(active ? [
        r.state === 'paused'
          ? h('button', { type: 'button', class: 'rollout-resume', onclick: () => control('/resume', 'POST', 'Resume') }, 'Resume')
          : h('button', { type: 'button', class: 'rollout-pause', onclick: () => control('/pause', 'POST', 'Pause') }, 'Pause'),
        h('button', { type: 'button', class: 'rollout-abort danger', onclick: () => control('', 'DELETE', 'Abort') },
          `Abort: back to ${r.from}`)] : []));
      buttons.hidden = !active;
    }
  };
  update();
  return { el, update };
}
