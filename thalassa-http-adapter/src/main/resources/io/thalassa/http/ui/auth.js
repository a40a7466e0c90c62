// The token of a daemon started with --tokens: asked for once, kept for the browser session (sessionStorage, so it
// goes when the tab is closed), sent as Authorization: Bearer on every request and beside the /ws sub-protocol.
const KEY = 'thalassa.token';
let asking = null;
let required = false;

/** Whether this daemon asked for a token (a request got 401). */
export function tokenRequired() {
  return required;
}

export function token() {
  return sessionStorage.getItem(KEY);
}

/** Headers with the token, when there is one. */
export function withToken(headers) {
  const t = token();
  return t ? { ...(headers || {}), Authorization: `Bearer ${t}` } : { ...(headers || {}) };
}

/** The /ws sub-protocols: thalassa, and the token as bearer.<token>. */
export function wsProtocols() {
  const t = token();
  return t ? ['thalassa', `bearer.${t}`] : ['thalassa'];
}

/** Asks for a token in the sign-in dialog (once, however many requests were refused meanwhile). */
export function askToken(message) {
  if (asking) return asking;
  asking = new Promise((resolve) => {
    const dialog = document.getElementById('token-dialog');
    const input = document.getElementById('token-input');
    document.getElementById('token-text').textContent = message
      || 'This daemon needs a token (role read, or admin to change things).';
    input.value = '';
    dialog.addEventListener('close', function done() {
      dialog.removeEventListener('close', done);
      if (dialog.returnValue === 'signin' && input.value.trim()) sessionStorage.setItem(KEY, input.value.trim());
      asking = null;
      resolve();
    });
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** fetch with the token; a 401 asks for one and tries again. */
export async function apiFetch(path, options) {
  const opts = options || {};
  for (;;) {
    const r = await fetch(path, { ...opts, headers: withToken(opts.headers) });
    if (r.status !== 401) return r;
    required = true;
    const refused = token() !== null;
    sessionStorage.removeItem(KEY);
    await askToken(refused ? 'That token is not known here; enter another.' : undefined);
  }
}
