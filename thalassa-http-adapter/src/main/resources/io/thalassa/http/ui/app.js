// The web UI's entry: hash routing between the pages, the /ws connection, and the instance label.
import { connect } from './connection.js';
import { initOverview } from './overview.js';
import { initActivity, showActivity } from './activity.js';
import { initPages, showConfig, showStatus } from './pages.js';
import { initHistory, showHistory } from './history.js';
import { getJson } from './dom.js';
import { on } from './state.js';

const PAGES = ['overview', 'activity', 'history', 'config', 'status'];

function route() {
  const name = (location.hash.match(/^#\/([a-z]+)/) || [])[1];
  const page = PAGES.includes(name) ? name : 'overview';
  for (const p of PAGES) document.getElementById(`page-${p}`).hidden = p !== page;
  for (const a of document.querySelectorAll('nav a[data-page]')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  showActivity(page === 'activity');
  showConfig(page === 'config');
  showHistory(page === 'history');
  showStatus(page === 'status');
  document.title = `Thalassa · ${page[0].toUpperCase()}${page.slice(1)}`;
  return page;
}

async function instance() {
  try {
    const s = await getJson('/status');
    const parts = [s.label, s.location, s.datacenter].filter((x) => x);
    document.getElementById('instance').textContent = parts.length ? parts.join(' · ') : `version ${s.version}`;
  } catch (e) {
    // the indicator shows the connection; the label can wait for the next one
  }
}

initOverview();
initActivity();
initPages();
initHistory();
let first = true;
window.addEventListener('hashchange', () => {
  route();
  if (!first) document.getElementById('main').focus({ preventScroll: true });
});
route();
first = false;
on('connection', ({ connected }) => { if (connected) instance(); });
connect();
