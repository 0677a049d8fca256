// export.js: a chart's data as CSV (RFC 4180: a header row, CRLF line ends, a field quoted when it
// holds a comma, a quote, CR or LF, its quotes doubled) and as JSON, exactly the rows the page
// fetched or derived; and the download of either. toCsv() and toJson() touch no DOM.

// csvField() is one value as RFC 4180 writes it; null and undefined are empty fields. A text that
// a spreadsheet would run as a formula (= + - @, tab, carriage return first: values are the
// senders') gets a leading ' so it stays text; numbers are written as they are.
export function csvField(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// toCsv() writes `rows` (objects) under a header of `columns`, in that order.
export function toCsv(columns, rows) {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

// toJson() is the same rows with what they answer: the chart's title, the query and the API
// addresses they came from.
export function toJson({ title, query, sources }, columns, rows) {
  const picked = rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
  return `${JSON.stringify({ title, query, sources, columns, rows: picked }, null, 1)}\n`;
}

// fileName() is "phonehome-<product>-<chart>-<from>-<to>.<ext>", with nothing a file system minds.
export function fileName(chart, { product, from, to }, ext) {
  return `phonehome-${[product, chart, from, to].join('-').replace(/[^A-Za-z0-9._-]+/g, '_')}.${ext}`;
}

// download() hands `text` to the browser as a file (an object URL, no request).
export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
