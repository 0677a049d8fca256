// panel.js: one section of the dashboard: its title, its body (a chart, bars or a table, or an
// empty state saying why), a note, and the CSV and JSON buttons that download exactly the rows it
// was drawn from.
import { destroyChart } from './charts.js';
import { download, fileName, toCsv, toJson } from './export.js';
import { $, empty } from './views.js';

export class Panel {
  // The section's id is also the chart's name in exported file names.
  constructor(id) {
    this.id = id;
    this.root = $(id);
    this.heading = this.root.querySelector('h2');
    this.body = this.root.querySelector('.body');
    this.note = this.root.querySelector('.note');
    this.data = null;
    for (const button of this.root.querySelectorAll('[data-export]')) {
      button.addEventListener('click', () => this.export(button.dataset.export));
    }
    this.setExport(null);
  }

  title(text) {
    this.heading.textContent = text;
    this.root.dataset.title = text;
  }

  // show() puts nodes in the body; `data` ({ columns, rows, query, sources }) is what the export
  // buttons write.
  show(nodes, data, note = '') {
    this.clear();
    this.body.replaceChildren(...nodes);
    this.root.dataset.state = 'drawn';
    this.setNote(note);
    this.setExport(data);
  }

  // empty() says why there is nothing to draw. `data` may still be exported (the rows fetched,
  // none of them with a value).
  empty(reason, data = null, note = '') {
    this.clear();
    this.body.replaceChildren(empty(reason));
    this.root.dataset.state = 'empty';
    this.root.dataset.reason = reason;
    this.setNote(note);
    this.setExport(data);
  }

  clear() {
    const chart = this.body.querySelector('.chart');
    if (chart) destroyChart(chart);
    delete this.root.dataset.reason;
  }

  setNote(text) {
    if (!this.note) return;
    this.note.textContent = text;
    this.note.hidden = !text;
  }

  setExport(data) {
    this.data = data;
    for (const button of this.root.querySelectorAll('[data-export]')) button.disabled = !data;
  }

  export(format) {
    if (!this.data) return;
    const { columns, rows, query } = this.data;
    const title = this.heading.textContent;
    if (format === 'csv') download(fileName(this.id, query, 'csv'), toCsv(columns, rows), 'text/csv;charset=utf-8');
    else download(fileName(this.id, query, 'json'), toJson({ title, query, sources: this.data.sources }, columns, rows), 'application/json');
  }
}
