// The split dialog of a dynamic backend: one weight per version of its service (the versions the switch lists, with
// their instance counts), checked here as the API checks them (whole numbers 0..100 adding up to 100), with the
// share each version would serve: a version's share is divided among its instances, and one without instances
// gives its share to the others (as SplitWeights.shares does on the daemon).
import { h } from './dom.js';

const WEIGHT = /^[0-9]{1,3}$/;

const numeric = (x, y) => x.localeCompare(y, undefined, { numeric: true });

/** "split 90 / 10: 1.0.0 · 2.0.0" for a backend's versions (version -> weight). */
export function splitSummary(weights) {
  const vs = Object.keys(weights).sort(numeric);
  return `split ${vs.map((v) => weights[v]).join(' / ')}: ${vs.join(' · ')}`;
}

/** "1.0.0 90 % · 2.0.0 10 %". */
export function weightsText(weights) {
  return Object.keys(weights).sort(numeric).map((v) => `${v} ${weights[v]} %`).join(' · ');
}

function instances(n) {
  return `${n} instance${n === 1 ? '' : 's'}`;
}

function same(a, b) {
  if (!a || !b) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/** Whether the version serves now: in the split with a weight, or the one version of a backend without a split. */
function servesNow(b, version) {
  return b.versions ? (b.versions[version] || 0) > 0 : version === b.version;
}

/**
 * Opens the split dialog for backend `key` (its JSON `b`) with `known` versions [{version, count}]; resolves to the
 * weights to POST once confirmed (versions with a weight, and at 0 those of the split now, which drain), or null.
 */
export function openSplit(key, b, known, opener) {
  const dialog = document.getElementById('split-dialog');
  const rowsEl = document.getElementById('split-rows');
  const total = document.getElementById('split-total');
  const sentence = document.getElementById('split-text');
  const confirm = document.getElementById('split-confirm');
  const cancel = document.getElementById('split-cancel');
  document.getElementById('split-title').textContent = `Split the traffic of ${key}`;
  document.getElementById('split-intro').textContent = `${b.name} now serves `
    + `${b.versions ? weightsText(b.versions) : `${b.version} only`}. A version's share is divided among its instances; `
    + 'the members of a version set to 0 drain.';

  const rows = known.map((v, i) => {
    const id = `split-weight-${i}`;
    const initial = b.versions ? (b.versions[v.version] ?? 0) : (v.version === b.version ? 100 : 0);
    const input = h('input', {
      type: 'number', id, min: 0, max: 100, step: 1, inputmode: 'numeric', required: true, value: initial,
      class: 'split-weight', dataset: { version: v.version }, 'aria-describedby': `${id}-serves`,
    });
    const meter = h('meter', { min: 0, max: 100, value: 0, 'aria-hidden': 'true' });
    const serves = h('output', { id: `${id}-serves`, for: id, class: 'split-serves' });
    const el = h('div', { class: 'split-row', dataset: { version: v.version } },
      h('label', { for: id }, h('span', { class: 'split-version' }, v.version), ` (${instances(v.count)})`),
      h('span', { class: 'split-input' }, input, h('span', { 'aria-hidden': 'true' }, ' %')),
      meter, serves);
    return { v, input, meter, serves, el, w: null };
  });
  rowsEl.replaceChildren(...rows.map((r) => r.el));

  let weights = null; // what to send, when the weights are valid
  const check = () => {
    const problems = [];
    let sum = 0;
    for (const r of rows) {
      const raw = r.input.value.trim();
      const ok = WEIGHT.test(raw) && Number(raw) <= 100;
      r.input.setAttribute('aria-invalid', ok ? 'false' : 'true');
      r.w = ok ? Number(raw) : null;
      if (ok) sum += r.w;
      else problems.push(`${r.v.version}: enter a whole number from 0 to 100.`);
    }
    if (problems.length === 0 && sum === 0) {
      problems.push('Every weight is 0: give at least one version a weight above 0; the weights add up to 100 %.');
    } else if (problems.length === 0 && sum !== 100) {
      problems.push(`The weights add up to ${sum} %, not 100 %: ${sum < 100 ? `${100 - sum} % left to give` : `${sum - 100} % too many`}.`);
    }
    const chosen = {};
    for (const r of rows) {
      if (r.w > 0 || (r.w === 0 && b.versions && r.v.version in b.versions)) chosen[r.v.version] = r.w;
    }
    if (problems.length === 0 && Object.keys(chosen).length < 2) {
      problems.push(`Only ${Object.keys(chosen)[0]} has a weight: to send all the traffic to one version, use Switch.`);
    }
    // not a mistake: nothing to send, said as a plain remark
    const unchanged = problems.length === 0 && same(chosen, b.versions);

    // what each version would serve: the weights of versions with instances, scaled to 100
    const valid = rows.every((r) => r.w !== null);
    const live = valid ? rows.reduce((n, r) => n + (r.v.count > 0 ? r.w : 0), 0) : 0;
    const empty = [];
    for (const r of rows) {
      if (!valid) {
        r.meter.value = 0;
        r.serves.textContent = '';
        continue;
      }
      const share = live > 0 && r.v.count > 0 ? Math.round((1000 * r.w) / live) / 10 : 0;
      r.meter.value = share;
      let why = '';
      if (r.w > 0 && r.v.count === 0) {
        why = ' (no instance)';
        empty.push(r.v.version);
      } else if (r.w === 0 && servesNow(b, r.v.version)) {
        why = ' (its members drain)';
      }
      r.serves.textContent = `serves ${share} %${why}`;
    }
    total.classList.toggle('bad', problems.length > 0);
    total.classList.toggle('same', unchanged);
    if (problems.length > 0) {
      total.textContent = problems.join(' ');
    } else if (unchanged) {
      total.textContent = 'These are the weights in use now.';
    } else {
      const given = empty.reduce((n, v) => n + chosen[v], 0);
      total.textContent = 'Total 100 %.' + (empty.length === 0 ? ''
        : live === 0 ? ' No version with a weight has an instance: nothing would be served.'
          : ` ${empty.join(', ')} ${empty.length === 1 ? 'has' : 'have'} no instance: ${given} % goes to the others.`);
    }
    confirm.disabled = problems.length > 0 || unchanged;
    weights = problems.length > 0 || unchanged ? null : chosen;
    if (weights) {
      const parts = Object.keys(weights).sort(numeric).map((v) => {
        const n = known.find((k) => k.version === v)?.count ?? 0;
        return `${b.name}@${v} at ${weights[v]} % (${instances(n)})`;
      });
      const draining = rows.filter((r) => r.w === 0 && servesNow(b, r.v.version)).map((r) => r.v.version);
      sentence.textContent = `Split backend ${key} between ${parts.join(', ')}? HAProxy's weights change through its `
        + `runtime API without a reload${draining.length ? `; the members of ${draining.join(', ')} drain (no new `
          + 'requests, open ones finish)' : ''}.`;
    } else {
      sentence.textContent = '';
    }
  };
  for (const r of rows) r.input.addEventListener('input', check);
  check();

  cancel.onclick = () => dialog.close('cancel');
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      opener.focus();
      resolve(dialog.returnValue === 'split' && weights ? weights : null);
    }, { once: true });
    dialog.showModal();
    (rows.find((r) => r.v.version !== b.version) || rows[0]).input.focus();
  });
}
