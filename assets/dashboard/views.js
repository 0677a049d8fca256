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

// table() is a data table: columns [{ key, label, numeric?, format? }], rows objects; cell(column,
// row) may make a cell itself. A `stack` table shows each row as a block of labelled lines on a
// narrow screen (style.css), so that no column is out of sight; its roles keep it a table for
// screen readers, which CSS display would otherwise take away.
export function table(columns, rows, { caption, cell, stack = false } = {}) {
  const role = (name) => (stack ? name : null);
  const head = el('tr', { role: role('row') }, ...columns.map((c) => el('th', { scope: 'col', role: role('columnheader'), class: c.numeric ? 'n' : null }, c.label)));
  const body = el('tbody', { role: role('rowgroup') });
  for (const row of rows) {
    body.append(el('tr', { role: role('row') }, ...columns.map((c) => {
      const value = row[c.key];
      const td = cell?.(c, row) ?? el('td', { class: c.numeric ? 'n' : null }, c.format ? c.format(value, row) : String(value ?? ''));
      td.dataset.label = c.label;
      if (stack) td.setAttribute('role', 'cell');
      return td;
    })));
  }
  return el('table', { class: stack ? 'stack' : null, role: role('table') },
    caption ? el('caption', {}, caption) : null, el('thead', { role: role('rowgroup') }, head), body);
}

// tableAlternative() is a chart's text alternative: its data as a table, folded away under a
// summary that says what it holds.
export function tableAlternative(summary, columns, rows) {
  return el('details', { class: 'alt' }, el('summary', {}, summary), el('div', { class: 'scroll' }, table(columns, rows)));
}

// empty() is the sentence an empty panel shows, saying why it is empty.
export const empty = (reason) => el('p', { class: 'empty' }, reason);
