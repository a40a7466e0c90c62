// The /ws connection: opens, hands every message to the state, shows itself in the indicator, and reconnects with
// an exponential backoff (0.5 s doubling up to 10 s, with jitter) when the daemon goes away.
import { apply, emit } from './state.js';
import { apiFetch, tokenRequired, wsProtocols } from './auth.js';

const indicator = () => document.getElementById('connection');

function show(kind, text) {
  const el = indicator();
  el.className = `connection ${kind}`;
  el.dataset.state = kind;
  document.body.dataset.connection = kind;
  el.querySelector('.text').textContent = text;
}

export function connect() {
  let delay = 500;
  let retryTimer = null;
  let countdown = null;
  let first = true;

  const open = async () => {
    clearInterval(countdown);
    show('connecting', 'Connecting…');
    if (first || tokenRequired()) { // with --tokens: ask for the token before the WebSocket needs it
      first = false;
      try {
        await apiFetch('/status');
      } catch (e) {
        // the daemon is away: the WebSocket fails too and retries
      }
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/ws?stats=false`, wsProtocols());
    ws.addEventListener('open', () => {
      delay = 500;
      show('live', 'Live');
      emit('connection', { connected: true });
    });
    ws.addEventListener('message', (e) => {
      try {
        apply(JSON.parse(e.data));
      } catch (err) {
        console.error('cannot apply a /ws message', err);
      }
    });
    ws.addEventListener('close', () => {
      emit('connection', { connected: false });
      const wait = Math.min(delay, 10000) * (0.8 + Math.random() * 0.4);
      delay = Math.min(delay * 2, 10000);
      let left = Math.ceil(wait / 1000);
      show('lost', `Connection lost; retrying in ${left} s`);
      countdown = setInterval(() => {
        left = Math.max(0, left - 1);
        show('lost', `Connection lost; retrying in ${left} s`);
      }, 1000);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(open, wait);
    });
  };
  open();
}
