// views.js: the page's plain-DOM parts: elements, horizontal bars, data tables. Text from the API
// is always set as textContent. Bars are HTML, not canvas: their labels wrap instead of being cut,
// and a screen reader reads them as the list they are.

export const $ = (id) => document.getElementById(id);

// el() makes an element with attributes (`class`, `data-*`, aria and the rest) and children
// (nodes or text).
export function el(name, attributes = {}, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// bars() is a list of labelled horizontal bars: items [{ label, value, text, title? }], the bar's
// length value / max. `text` is the number as written beside the bar.
export function bars(items, { max = Math.max(0, ...items.map((i) => i.value)), label } = {}) {
  const list = el('ol', { class: 'bars', 'aria-label': label });
  for (const item of items) {
    const fill = el('i');
    fill.style.width = `${max > 0 ? Math.max(0.5, (100 * item.value) / max) : 0}%`;
    list.append(el('li', { 'data-label': item.label },
      el('span', { class: 'bar-label' }, item.label),
      el('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
      el('span', { class: 'bar-value' }, item.text)));
  }
  return list;
}

// table() is a data table: columns [{ key, label, numeric?, format? }], rows objects.
export function table(columns, rows, { caption, cell } = {}) {
  const head = el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', class: c.numeric ? 'n' : null }, c.label)));
  const body = el('tbody');
  for (const row of rows) {
    body.append(el('tr', {}, ...columns.map((c) => {
      const custom = cell?.(c, row);
      if (custom) return custom;
      const value = row[c.key];
      return el('td', { class: c.numeric ? 'n' : null }, c.format ? c.format(value, row) : String(value ?? ''));
    })));
  }
  return el('table', {}, caption ? el('caption', {}, caption) : null, el('thead', {}, head), body);
}

// tableAlternative() is a chart's text alternative: its data as a table, folded away under a
// summary that says what it holds.
export function tableAlternative(summary, columns, rows) {
  return el('details', { class: 'alt' }, el('summary', {}, summary), el('div', { class: 'scroll' }, table(columns, rows)));
}

// empty() is the sentence an empty panel shows, saying why it is empty.
export const empty = (reason) => el('p', { class: 'empty' }, reason);
