// A filtered, paged list of cards: only the cards of the page shown exist in the DOM, so 1,000 backends cost what
// a page of them costs; a card is rebuilt only when its item changed, and updated in place on live data.
import { h } from './dom.js';

export class PagedList {
  /**
   * @param {object} o listEl, toolsEl, countEl, noun ("backends"), pageSize, keys() (sorted keys),
   *   matches(key, text), hint (what the filter matches, its placeholder), card(key) -> {el, live(), tick(), destroy()}
   */
  constructor(o) {
    Object.assign(this, o);
    this.page = 0;
    this.filter = '';
    this.cards = new Map(); // key -> card on the page shown
    this.filterInput = h('input', { type: 'search', id: `${o.noun}-filter`, placeholder: o.hint, autocomplete: 'off' });
    this.filterInput.addEventListener('input', () => { this.filter = this.filterInput.value.trim().toLowerCase(); this.page = 0; this.render(); });
    this.prev = h('button', { type: 'button', class: 'pager-prev', 'aria-label': `Previous page of ${o.noun}` }, '‹ Prev');
    this.next = h('button', { type: 'button', class: 'pager-next', 'aria-label': `Next page of ${o.noun}` }, 'Next ›');
    this.prev.addEventListener('click', () => { this.page -= 1; this.render(); });
    this.next.addEventListener('click', () => { this.page += 1; this.render(); });
    this.range = h('span', { class: 'pager-range', 'aria-live': 'polite' });
    this.pager = h('span', { class: 'pager' }, this.prev, this.range, this.next);
    o.toolsEl.append(h('label', { class: 'filter' }, `Filter ${o.noun} `, this.filterInput), this.pager);
  }

  visibleKeys() {
    const all = this.keys();
    const keys = this.filter ? all.filter((k) => this.matches(k, this.filter)) : all;
    const pages = Math.max(1, Math.ceil(keys.length / this.pageSize));
    this.page = Math.min(Math.max(0, this.page), pages - 1);
    return { keys: keys.slice(this.page * this.pageSize, (this.page + 1) * this.pageSize), total: keys.length, all: all.length, pages };
  }

  /** Shows the current page; cards of items not in `changed` (a Set of keys, or null for none) are kept. */
  render(changed) {
    const { keys, total, all, pages } = this.visibleKeys();
    const wanted = new Set(keys);
    for (const [k, c] of this.cards) {
      if (!wanted.has(k) || (changed && changed.has(k))) {
        c.destroy();
        c.el.remove();
        this.cards.delete(k);
      }
    }
    let before = null;
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      let c = this.cards.get(k);
      if (!c) {
        c = this.card(k);
        this.cards.set(k, c);
      }
      if (c.el.nextSibling !== before || c.el.parentNode !== this.listEl) this.listEl.insertBefore(c.el, before);
      before = c.el;
    }
    for (const c of this.cards.values()) if (c.mounted) c.mounted();
    this.countEl.textContent = this.filter ? `(${total} of ${all})` : `(${all})`;
    const first = total === 0 ? 0 : this.page * this.pageSize + 1;
    this.range.textContent = `${first}–${this.page * this.pageSize + keys.length} of ${total}`;
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
    this.pager.hidden = pages <= 1;
    this.listEl.dataset.rendered = String(keys.length);
  }

  /** Live data for `keys` (a Set): the cards on the page among them update their figures and members. */
  live(keys) {
    for (const [k, c] of this.cards) if (keys.has(k)) c.live();
  }

  /** A new chart point: every card on the page redraws its chart. */
  tick() {
    for (const c of this.cards.values()) c.tick();
  }
}
