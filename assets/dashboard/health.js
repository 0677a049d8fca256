// health.js: the version-health panels. Per version, side by side: adoption counted by version
// checks next to adoption counted from events, the share of each that came from CI, the events
// SDKs say they dropped beside those the server rejected, and the shapes of rejected events (keys
// and JSON types, never a value) against what the catalogue declares. Only numbers the API
// answered, or sums and means of them written as such.
import { exact, percent } from './format.js';
import { el, table } from './views.js';

export const HEALTH_PANELS = ['checks', 'adoption', 'drops', 'shapes'];
// The reasons a client report may give (the route refuses any other), in the order shown.
export const DROP_REASONS = ['offline', 'queue_full', 'sampled', 'opted_out', 'rejected'];
const REASON_LABELS = { offline: 'Offline', queue_full: 'Queue full', sampled: 'Sampled out', opted_out: 'Opted out', rejected: 'Rejected earlier' };
const MAX_SERIES = 8;
const MAX_SHAPE_ROWS = 50;

// The JSON types a field of each catalogue kind may arrive as (null is always the field absent).
const EXPECTED = {
  string: ['string'], text: ['string'], enum: ['string'], uuid: ['string'], version: ['string'], model: ['string'],
  bool: ['bool'], integer: ['number'], number: ['number'], timestamp: ['number', 'string'],
  list: ['array'], map: ['object'], object: ['object'],
};
const TYPE_WORDS = { string: 'a string', number: 'a number', bool: 'true or false', null: 'null', object: 'an object', array: 'an array' };

// versionLabel() is a stored version as the page names it: '' is what no single version holds
// (more versions in a day than are counted one by one, or none sent).
const versionLabel = (version, empty = 'unknown') => (version === '' || version === null || version === undefined ? empty : version);

// compareVersions() orders newest first: numeric parts compared as numbers, a pre-release before
// its release, and anything that is no version ("other", "unknown") last.
export function compareVersions(a, b) {
  const parse = (v) => /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-(.+))?$/.exec(v);
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a.localeCompare(b);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pb[i] ?? 0) - Number(pa[i] ?? 0);
    if (d) return d;
  }
  if (!pa[4] !== !pb[4]) return pa[4] ? 1 : -1;
  return (pb[4] ?? '').localeCompare(pa[4] ?? '', 'en', { numeric: true });
}

const sumBy = (rows, key, value) => {
  const out = new Map();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + (value(r) ?? 0));
  return out;
};

// checkTotals() is each version's checks over the range: { checks, ci, all } where `all` counts
// CI's checks whether or not the answer's `checks` left them out.
function checkTotals(rows, ciIncluded) {
  const out = new Map();
  for (const r of rows) {
    const t = out.get(r.version) ?? { checks: 0, ci: 0 };
    t.checks += r.checks ?? 0;
    t.ci += r.ci_checks ?? 0;
    out.set(r.version, t);
  }
  for (const t of out.values()) t.all = ciIncluded ? t.checks : t.checks + t.ci;
  return out;
}

// drawChecks(): check-based adoption, a line per version.
export function drawChecks({ panels, view, why, chartIn, ciIncluded, ciNote }) {
  const { checks, days, q } = view;
  const panel = panels.checks;
  panel.title('Version checks per day by version');
  if (!checks.ok) return panel.empty(why(checks.error, 'check-based adoption'));
  const rows = checks.data.rows ?? [];
  const data = { columns: ['day', 'version', 'checks', 'ci_checks'], rows, query: { product: q.product, from: q.from, to: q.to, ci: ciIncluded ? 'include' : 'exclude' }, sources: [checks.source] };
  const totals = sumBy(rows, (r) => r.version, (r) => r.checks);
  const versions = [...totals.keys()].filter((v) => totals.get(v) > 0).sort((a, b) => totals.get(b) - totals.get(a));
  if (!versions.length) {
    const ci = rows.some((r) => r.ci_checks > 0) ? ' Only checks from CI arrived, and CI is left out: turn on Include CI to see them.' : '';
    return panel.empty(`No checks yet: SDKs call GET /v1/${q.product}/check?version=… (at most once a day, docs/PROTOCOL.md), and each answer is counted here per version; none from ${q.from} to ${q.to}.${ci}`, data);
  }
  const cells = sumBy(rows, (r) => `${r.day}\u0000${r.version}`, (r) => r.checks);
  // Checks are counted as they are answered: a day without a row had none, today included.
  const series = versions.slice(0, MAX_SERIES).map((v) => ({ label: versionLabel(v, 'other versions'), values: days.map((d) => cells.get(`${d}\u0000${v}`) ?? 0) }));
  const folding = checks.data.folding;
  const notes = ['Checks the Worker answered: an SDK checks at most once a day, and the edge may answer a repeat from its cache for 5 minutes without counting it.', ciNote,
    folding ? `“other”: versions checked fewer than ${folding.min_group_size} times in a UTC ${folding.unit}, counted together.` : ''];
  if (versions.length > MAX_SERIES) notes.push(`The ${MAX_SERIES} most checked of ${versions.length} versions are drawn; all are in the export.`);
  chartIn(panel, data, { days, series, dayNote: view.dayNote }, notes.filter(Boolean).join(' '));
}

// eventTotals() is each version's count from a version breakdown: the mean of daily installs, or
// events for a product without install ids.
function eventTotals(answer, byInstalls, nDays) {
  const out = new Map();
  if (answer.totals) {
    for (const t of answer.totals) out.set(t.value, byInstalls ? t.installs_mean : t.events);
    return out;
  }
  for (const r of answer.days) out.set(r.value, (out.get(r.value) ?? 0) + (byInstalls ? r.installs / nDays : r.events));
  return out;
}

// drawAdoption(): per version, checks next to installs (or events), and how much of each is CI.
export function drawAdoption({ panels, view, why, ciIncluded, byInstalls, hasCiColumn, productTitle }) {
  const { checks, versions, versionsCi, days, q } = view;
  const panel = panels.adoption;
  const measure = byInstalls ? 'Active installs, mean a day' : 'Events';
  panel.title('Adoption by version: checks and events');
  const shown = ciIncluded ? versionsCi : versions;
  if (!checks.ok && !shown.ok) return panel.empty(why(checks.error, 'adoption by version'));
  const perCheck = checks.ok ? checkTotals(checks.data.rows ?? [], ciIncluded) : new Map();
  const perEvent = shown.ok ? eventTotals(shown.data, byInstalls, days.length) : new Map();
  // CI's share of events: the breakdown with CI against the one without.
  const withCi = versionsCi.ok ? eventTotals(versionsCi.data, false, days.length) : null;
  const withoutCi = versions.ok ? eventTotals(versions.data, false, days.length) : null;
  const names = [...new Set([...perCheck.keys(), ...perEvent.keys()])]
    .filter((v) => (perCheck.get(v)?.all ?? 0) > 0 || (perEvent.get(v) ?? 0) > 0)
    .sort(compareVersions);
  const rows = names.map((v) => {
    const c = perCheck.get(v);
    const all = withCi?.get(v) ?? 0;
    // Without the checks report there is no count to write: '–', not 0.
    const none = checks.ok ? 0 : null;
    return {
      version: versionLabel(v, 'other versions'),
      checks: c ? c.checks : none,
      checks_mean: c ? c.checks / days.length : none,
      ci_checks: c ? c.ci : none,
      ci_share_checks: c && c.all > 0 ? c.ci / c.all : null,
      events: shown.ok ? perEvent.get(v) ?? 0 : null,
      ci_share_events: hasCiColumn && withoutCi && all > 0 ? Math.max(0, all - (withoutCi.get(v) ?? 0)) / all : null,
    };
  });
  const data = {
    columns: ['version', 'checks', 'checks_mean', 'ci_checks', 'ci_share_checks', 'events', 'ci_share_events'],
    rows, query: { product: q.product, from: q.from, to: q.to, ci: ciIncluded ? 'include' : 'exclude' },
    sources: [...new Set([checks, shown, versions, versionsCi].filter((a) => a.ok).map((a) => a.source))],
  };
  if (!rows.length) return panel.empty(`No checks and no events from ${q.from} to ${q.to}: nothing to compare.`, data);
  const share = (v) => (v === null ? '–' : percent(v));
  const notes = [];
  if (!checks.ok) notes.push(why(checks.error, 'the checks column'));
  else if (!(checks.data.rows ?? []).length) notes.push(`No checks yet: SDKs call GET /v1/${q.product}/check?version=…; each answer is counted here.`);
  if (!shown.ok) notes.push(why(shown.error, 'the events column'));
  if (q.event !== '*') notes.push('Every event type: the event filter does not apply to this table.');
  notes.push(`Checks: mean a day over the ${days.length} days${ciIncluded ? ', CI included' : ', CI left out'}; “CI” is the share of all checks that said they ran in CI.`);
  notes.push(hasCiColumn
    ? `Events: CI's share is the version breakdown with CI against the one without.`
    : `${productTitle}'s events say nothing of CI (no field feeds the ci column: add one with "preset": "ci"), so their CI share is unknown.`);
  panel.show([el('div', { class: 'scroll' }, table([
    { key: 'version', label: 'Version' },
    { key: 'checks_mean', label: 'Checks a day', numeric: true, format: (v) => (v === null ? '–' : exact(Math.round(v * 100) / 100)) },
    { key: 'ci_share_checks', label: 'Checks from CI', numeric: true, format: share },
    { key: 'events', label: byInstalls ? 'Active installs a day' : 'Events', numeric: true, format: (v) => (v === null ? '–' : exact(Math.round(v * 100) / 100)) },
    { key: 'ci_share_events', label: 'Events from CI', numeric: true, format: share },
  ], rows, { stack: true, caption: `Per version, ${q.from} to ${q.to}: checks beside ${measure.toLowerCase()}` }))], data, notes.join(' '));
}

// drawDrops(): per version, what SDKs report they dropped (by reason) beside what the server
// rejected.
export function drawDrops({ panels, view, why }) {
  const { clientReports, rejections, q } = view;
  const panel = panels.drops;
  panel.title('Dropped events by version: reported by SDKs, rejected by the server');
  if (!clientReports.ok && !rejections.ok) return panel.empty(why(clientReports.error, 'client-reported drops'));
  const reports = clientReports.ok ? clientReports.data.rows ?? [] : [];
  const rejected = rejections.ok ? rejections.data.rejections ?? [] : [];
  const byVersion = new Map();
  const row = (v) => {
    const key = versionLabel(v);
    if (!byVersion.has(key)) byVersion.set(key, { version: key, ...Object.fromEntries(DROP_REASONS.map((r) => [r, 0])), reported: 0, server_rejected: 0 });
    return byVersion.get(key);
  };
  for (const r of reports) {
    const t = row(r.version);
    t[r.reason] = (t[r.reason] ?? 0) + r.count;
    t.reported += r.count;
  }
  for (const r of rejected) row(r.version).server_rejected += r.count;
  const rows = [...byVersion.values()].filter((r) => r.reported + r.server_rejected > 0).sort((a, b) => compareVersions(a.version, b.version));
  const data = {
    columns: ['version', ...DROP_REASONS, 'reported', 'server_rejected'], rows, query: { product: q.product, from: q.from, to: q.to },
    sources: [clientReports, rejections].filter((a) => a.ok).map((a) => a.source),
  };
  const noReports = clientReports.ok && !reports.length
    ? `No client reports yet: SDKs POST /v1/${q.product}/client_report with counts of the events they dropped, by reason (${DROP_REASONS.join(', ')}) and SDK version; the client kit does it (docs/PROTOCOL.md).`
    : '';
  if (!rows.length) return panel.empty(noReports || `No SDK reported a dropped event and the server rejected none from ${q.from} to ${q.to}.`, data);
  const notes = [];
  if (!clientReports.ok) notes.push(why(clientReports.error, 'client-reported drops'));
  if (!rejections.ok) notes.push(why(rejections.error, 'the server\'s rejections'));
  notes.push('Reported: what SDKs counted themselves and sent in client reports; Rejected: events the server refused (the Rejected events panel says why).');
  // Reasons no version gave are left out of the table (they are in the export); without the
  // client reports report, all are.
  const used = clientReports.ok ? DROP_REASONS.filter((r) => rows.some((t) => t[r] > 0)) : [];
  panel.show([
    noReports ? el('p', { class: 'empty' }, noReports) : null,
    el('div', { class: 'scroll' }, table([
      { key: 'version', label: 'Version' },
      ...used.map((r) => ({ key: r, label: REASON_LABELS[r], numeric: true, format: exact })),
      clientReports.ok ? { key: 'reported', label: 'Reported, total', numeric: true, format: exact } : null,
      { key: 'server_rejected', label: 'Rejected by the server', numeric: true, format: exact },
    ].filter(Boolean), rows, { stack: true })),
  ].filter(Boolean), data, notes.join(' '));
  panel.root.dataset.reports = reports.length ? 'some' : 'none';
}

// declaredFields() is an event's top-level fields from /v1/schema, by name; null when unknown.
function declaredFields(schema, product, event) {
  const fields = schema?.products?.find((p) => p.product === product)?.events?.find((e) => e.name === event)?.fields;
  return fields ? new Map(fields.map((f) => [f.name, f])) : null;
}

// readShape() is a shape as an object (the contract sends an object; a JSON text is read too).
function readShape(shape) {
  if (typeof shape !== 'string') return shape ?? {};
  try { return JSON.parse(shape); } catch { return {}; }
}

// compareShape() is each key of a shape against its declared field: [{ key, type, field, differs,
// undeclared }], then each required field the shape lacks ({ key, missing: true }).
export function compareShape(shape, fields) {
  const keys = Object.entries(shape).map(([key, type]) => {
    if (key === '…' || key === '<key>' || !fields) return { key, type };
    const field = fields.get(key);
    if (!field) return { key, type, undeclared: true };
    const expected = EXPECTED[field.kind] ?? [];
    return { key, type, field, expected, differs: type !== 'null' && expected.length > 0 && !expected.includes(type) };
  });
  const whole = fields && !Object.hasOwn(shape, '…');
  const missing = whole ? [...fields.values()].filter((f) => f.required && !Object.hasOwn(shape, f.name)).map((f) => ({ key: f.name, field: f, missing: true, differs: true })) : [];
  return [...keys, ...missing];
}

function keyChip(k) {
  if (k.missing) return el('li', { class: 'key differs', title: `${k.key} is required (${k.field.kind}) and was not sent` }, el('code', {}, k.key), ': missing');
  if (k.key === '…') return el('li', { class: 'key more' }, k.type === 'other' ? 'shapes past the day\'s limit, counted together' : 'more keys');
  if (k.key === '<key>') return el('li', { class: 'key undeclared', title: 'keys whose names could hold data are not kept' }, el('code', {}, '<key>'), `: ${k.type}`);
  const title = k.differs ? `the catalogue declares ${k.key} as ${k.field.kind}: ${k.expected.map((t) => TYPE_WORDS[t]).join(' or ')}`
    : k.undeclared ? `${k.key} is not declared: dropped, never a cause of rejection` : k.field ? `${k.field.kind}, as declared` : null;
  return el('li', { class: `key${k.differs ? ' differs' : ''}${k.undeclared ? ' undeclared' : ''}`, title, 'data-key': k.key }, el('code', {}, k.key), `: ${k.type}`);
}

// drawShapes(): the shapes of rejected events, the keys whose type differs from the catalogue's
// highlighted and said in a sentence ("0.3.0 sends os as a number").
export function drawShapes({ panels, view, why, schema, schemaProblem }) {
  const { shapes, q } = view;
  const panel = panels.shapes;
  panel.title('Shapes of rejected events');
  if (!shapes.ok) return panel.empty(why(shapes.error, 'the shapes of rejected events'));
  const rows = (shapes.data.rows ?? []).map((r) => ({ ...r, shape: readShape(r.shape) }));
  const compared = rows.map((r) => ({ ...r, keys: compareShape(r.shape, declaredFields(schema, q.product, r.event)) }));
  const exportRows = compared.map((r) => ({
    event: r.event, version: r.version, code: r.code, count: r.count, shape: JSON.stringify(r.shape),
    differs: r.keys.filter((k) => k.differs).map((k) => (k.missing ? `${k.key}:missing` : `${k.key}:${k.type}`)).join(' '),
  }));
  const data = { columns: ['event', 'version', 'code', 'count', 'shape', 'differs'], rows: exportRows, query: { product: q.product, event: q.event, from: q.from, to: q.to }, sources: [shapes.source] };
  if (!rows.length) return panel.empty(`No rejected shapes from ${q.from} to ${q.to}: every event the server rejects is counted here by its keys and their JSON types (never a value).`, data);
  // Findings: per version, key and type, the rejected events that sent it so.
  const findings = new Map();
  for (const r of compared) {
    for (const k of r.keys.filter((x) => x.differs)) {
      const id = `${r.version}\u0000${r.event}\u0000${k.key}\u0000${k.missing ? 'missing' : k.type}`;
      const f = findings.get(id) ?? { version: versionLabel(r.version), event: r.event, k, count: 0 };
      f.count += r.count;
      findings.set(id, f);
    }
  }
  const sentences = [...findings.values()].sort((a, b) => b.count - a.count).slice(0, 10).map((f) => el('li', { 'data-version': f.version, 'data-key': f.k.key },
    `${f.version} `, f.k.missing ? 'leaves out ' : 'sends ', el('code', {}, f.k.key),
    f.k.missing ? ` (required, ${f.k.field.kind})` : ` as ${TYPE_WORDS[f.k.type] ?? f.k.type} (the catalogue declares ${f.k.field.kind}: ${f.k.expected.map((t) => TYPE_WORDS[t]).join(' or ')})`,
    `: ${exact(f.count)} ${f.event} event${f.count === 1 ? '' : 's'} rejected`));
  const notes = ['Only keys and their JSON types are kept, never a value; a key name that could hold data is counted as <key>. Highlighted: a type the catalogue does not accept.'];
  if (!schema) notes.push(`The catalogue could not be read (${schemaProblem}), so no key is compared with it.`);
  if (shapes.data.truncated) notes.push('Rarer shapes were left out of the answer: ask for a shorter range.');
  if (rows.length > MAX_SHAPE_ROWS) notes.push(`The ${MAX_SHAPE_ROWS} most frequent of ${rows.length} shapes are shown; all are in the export.`);
  panel.show([
    sentences.length ? el('ul', { class: 'findings' }, ...sentences) : null,
    el('div', { class: 'scroll' }, table([
      { key: 'event', label: 'Event' },
      { key: 'version', label: 'SDK version', format: (v) => versionLabel(v) },
      { key: 'code', label: 'Code' },
      { key: 'keys', label: 'Keys and types' },
      { key: 'count', label: 'Count', numeric: true, format: exact },
    ], compared.slice(0, MAX_SHAPE_ROWS), {
      stack: true,
      cell: (c, r) => (c.key === 'keys' ? el('td', { class: 'shape' }, el('ul', { class: 'keys' }, ...r.keys.map(keyChip)))
        : c.key === 'code' ? el('td', {}, el('code', {}, r.code)) : null),
    })),
  ].filter(Boolean), data, notes.join(' '));
}
