// app.js: the dashboard's wiring. Reads the controls (kept in the address, so a view can be
// reloaded or shared), asks the stats API, and draws each panel, or says why it is empty. Every
// number on the page is one the API answered, or a sum or mean of them written as such.
import { Refused, RouteMissing, Unauthorized, refresh, schema, stats, token } from './api.js';
import { PREVIOUS, timeChart } from './charts.js';
import { addDays, ago, change, dayList, daysIn, exact, isDay, moment, percent, previousPeriod, today, utcTime } from './format.js';
import { HEALTH_PANELS, drawAdoption, drawChecks, drawDrops, drawShapes } from './health.js';
import { Panel } from './panel.js';
import { $, bars, el, table } from './views.js';

const BUILTIN_DIMENSIONS = ['version', 'os', 'arch', 'runtime', 'runtime_version'];
const MAX_RANGE_DAYS = 400;
// Lines a chart draws; the rest are in the totals, the table and the export.
const MAX_SERIES = 8;
const MAX_TABLE_ROWS = 50;
const MEASURES = {
  events: { noun: 'Events', label: 'events', perDay: 'Events per day' },
  installs: { noun: 'Active installs', label: 'active installs', perDay: 'Active installs per day' },
  sessions: { noun: 'Sessions', label: 'sessions', perDay: 'Sessions per day' },
};
const PANELS = ['overview', 'breakdown', 'totals', 'outcomes', 'events', 'measures', 'measures-version', 'top', 'rejections', ...HEALTH_PANELS];
// Reports that count events or checks, and so take ci=include: with it, events and checks that
// said they ran in CI are counted too (they are left out by default).
const CI_REPORTS = new Set(['overview', 'events', 'breakdown', 'outcomes', 'measures', 'top', 'rejections', 'checks']);
const panels = Object.fromEntries(PANELS.map((id) => [id, new Panel(id)]));

const state = { product: '', event: '*', from: '', to: '', measure: 'events', dimension: 'version', compare: false, ci: false, field: '', top: '' };
let products = [];
// The product's /v1/stats/fields answer, or null with the reason it is missing.
let fields = null;
let fieldsProblem = '';
// The catalogue as /v1/schema publishes it (every field's kind), or null with the reason.
let catalogue = null;
let catalogueProblem = '';
let renders = 0;

// ---- the address: the view's state ----------------------------------------------------------

function readAddress() {
  const params = new URLSearchParams(location.search);
  for (const key of ['product', 'event', 'from', 'to', 'dimension', 'field', 'top']) if (params.has(key)) state[key] = params.get(key);
  if (Object.hasOwn(MEASURES, params.get('measure'))) state.measure = params.get('measure');
  state.compare = params.get('compare') === '1';
  state.ci = params.get('ci') === 'include';
  if (!isDay(state.to)) state.to = today();
  if (!isDay(state.from)) state.from = addDays(state.to, -29);
}

function writeAddress() {
  const params = new URLSearchParams({ product: state.product, event: state.event, from: state.from, to: state.to, measure: state.measure, dimension: state.dimension });
  if (state.compare) params.set('compare', '1');
  if (state.ci) params.set('ci', 'include');
  if (state.field) params.set('field', state.field);
  if (state.top) params.set('top', state.top);
  history.replaceState(null, '', `?${params}`);
}

// ---- what the API answers, read -------------------------------------------------------------

const product = () => products.find((p) => p.product === state.product);

function readProducts(answer) {
  return answer.products.map((p) => ({
    product: p.product,
    title: p.title ?? p.product,
    events: p.events ?? [],
    from: p.from ?? p.first_day ?? null,
    to: p.to ?? p.last_day ?? null,
    // null: the API does not say (older answers).
    hasInstallIds: typeof p.has_install_ids === 'boolean' ? p.has_install_ids : null,
  }));
}

// why() is a failed request in a sentence for an empty panel.
function why(error, what = 'this panel') {
  if (error instanceof RouteMissing) return `This deployment's stats API has no ${error.route} yet, so ${what} cannot be drawn: update the Worker.`;
  if (error instanceof Refused) return `The stats API refused the request (${error.message}).`;
  return `The stats API could not be reached (${error.message}).`;
}

const eventNames = () => fields?.events?.map((e) => e.name) ?? product()?.events ?? [];
// dimensions() are those the selected event carries: every built-in one, and the catalogue's fields
// of that event (all of them for *).
function dimensions() {
  const list = fields?.dimensions?.length ? fields.dimensions : BUILTIN_DIMENSIONS.map((name) => ({ name, builtin: true }));
  return list.filter((d) => d.builtin || state.event === '*' || (d.events ?? []).includes(state.event));
}
const dimensionLabel = (name) => name.replaceAll('_', ' ');
const fieldKey = (f) => `${f.event}/${f.name}`;
const statFields = (kind) => (fields?.[kind] ?? []).filter((f) => state.event === '*' || f.event === state.event);
const selectedField = (kind, key) => statFields(kind).find((f) => fieldKey(f) === key) ?? null;

// ---- controls --------------------------------------------------------------------------------

function options(select, items, chosen) {
  select.replaceChildren(...items.map(([value, text]) => el('option', { value }, text)));
  select.value = items.some(([value]) => value === chosen) ? chosen : (items[0]?.[0] ?? '');
  return select.value;
}

function fillControls() {
  const p = product();
  state.event = options($('event'), [['*', 'all events (*)'], ...eventNames().map((e) => [e, e])], state.event);
  state.dimension = options($('dimension'), dimensions().map((d) => [d.name, d.builtin ? dimensionLabel(d.name) : `${d.name} (${d.kind ?? 'field'})`]), state.dimension);
  const fieldOption = (f) => [fieldKey(f), state.event === '*' ? `${f.name} (${f.event})` : f.name];
  state.field = options($('measure-field'), statFields('measures').map(fieldOption), state.field);
  state.top = options($('top-field'), statFields('top').map(fieldOption), state.top);
  $('measure-field').parentElement.hidden = !statFields('measures').length;
  $('top-field').parentElement.hidden = !statFields('top').length;
  const installs = document.querySelector('#measure input[value="installs"]');
  installs.disabled = p?.hasInstallIds === false;
  installs.parentElement.title = installs.disabled ? `${p.title} sends no install ids` : '';
  if (installs.disabled && state.measure === 'installs') state.measure = 'events';
  document.querySelector(`#measure input[value="${state.measure}"]`).checked = true;
  $('from').value = state.from;
  $('to').value = state.to;
  $('to').max = today();
  $('compare').checked = state.compare;
  $('ci').checked = state.ci;
}

function rangeProblem() {
  if (!isDay(state.from) || !isDay(state.to)) return 'Pick a day for both From and To.';
  if (state.from > state.to) return 'From is after To.';
  if (state.to > today()) return `To is after today (${today()}, UTC): there is nothing to count yet.`;
  const n = daysIn(state.from, state.to);
  if (n > MAX_RANGE_DAYS) return `A range holds at most ${MAX_RANGE_DAYS} days; this one has ${n}.`;
  return '';
}

async function loadProduct() {
  fields = null;
  fieldsProblem = '';
  try {
    fields = (await stats('fields', { product: state.product })).data;
  } catch (error) {
    if (error instanceof Unauthorized) throw error;
    fieldsProblem = why(error, 'the catalogue\'s fields');
  }
  try {
    catalogue = await schema();
  } catch (error) {
    catalogue = null;
    catalogueProblem = why(error, 'the catalogue');
  }
  fillControls();
}

// ---- drawing ---------------------------------------------------------------------------------

// render() asks for everything the view needs (answers are kept until Refresh), then draws.
async function render() {
  const run = ++renders;
  const problem = rangeProblem();
  $('controls-error').textContent = problem;
  $('controls-error').hidden = !problem;
  if (problem) return;
  writeAddress();
  const { from, to } = state;
  const q = { product: state.product, event: state.event, from, to };
  const measureField = selectedField('measures', state.field);
  const topField = selectedField('top', state.top);
  // The Include CI switch asks every report that counts events or checks with ci=include; a
  // request naming its own ci (the CI shares compare both) keeps it.
  const ask = (report, params) => {
    const asked = state.ci && CI_REPORTS.has(report) && !('ci' in params) ? { ...params, ci: 'include' } : params;
    return stats(report, asked).then((r) => ({ ok: true, ...r }), (error) => ({ ok: false, error }));
  };
  const span = { product: state.product, from, to };
  const [overview, previous, events, breakdown, outcomes, rejections, measures, top, checks, clientReports, shapes, versions, versionsCi] = await Promise.all([
    ask('overview', q),
    state.compare ? ask('overview', { ...q, ...previousPeriod(from, to) }) : null,
    ask('events', { product: state.product, from, to }),
    ask('breakdown', { ...q, dimension: state.dimension }),
    ask('outcomes', { ...q, dimension: state.dimension }),
    ask('rejections', { product: state.product, from, to }),
    measureField ? ask('measures', { product: state.product, event: measureField.event, field: measureField.name, from, to }) : null,
    topField ? ask('top', { product: state.product, event: topField.event, field: topField.name, from, to }) : null,
    ask('checks', span),
    ask('client_reports', span),
    ask('shapes', { ...span, event: state.event === '*' ? undefined : state.event }),
    // Versions over all events, without CI and with it: CI's share of each version's events.
    ask('breakdown', { ...span, event: '*', dimension: 'version', ci: undefined }),
    ask('breakdown', { ...span, event: '*', dimension: 'version', ci: 'include' }),
  ]);
  if (run !== renders) return;
  const answers = [overview, previous, events, breakdown, outcomes, rejections, measures, top, checks, clientReports, shapes, versions, versionsCi];
  if (answers.some((a) => a?.error instanceof Unauthorized)) {
    return refused();
  }
  const days = dayList(from, to);
  const live = overview.ok ? overview.data.live : undefined;
  const todayDay = today();
  const view = {
    q, days, live, todayDay, overview, previous, events, breakdown, outcomes, rejections, measures, top, measureField, topField,
    checks, clientReports, shapes, versions, versionsCi,
    // A day the answer has no row for: 0, except today while the API has not counted it.
    missing: (day) => (day === todayDay && !live ? null : 0),
    dayNote: (day) => (day !== todayDay ? '' : live?.partial ? 'today, partial' : live ? 'today' : 'today, not counted yet'),
  };
  for (const [draw, panel] of [[drawStatus], [drawCards], [drawOverview, 'overview'], [drawBreakdown, 'breakdown'], [drawTotals, 'totals'],
    [drawOutcomes, 'outcomes'], [drawEvents, 'events'], [drawMeasures, 'measures'], [drawTop, 'top'], [drawRejections, 'rejections'],
    [drawHealth(drawChecks), 'checks'], [drawHealth(drawAdoption), 'adoption'], [drawHealth(drawDrops), 'drops'], [drawHealth(drawShapes), 'shapes']]) {
    try {
      draw(view);
    } catch (error) {
      console.error(error);
      panels[panel]?.empty(`This panel could not be drawn: ${error.message}`);
    }
  }
  document.body.dataset.rendered = state.product;
  document.body.dataset.render = String(run);
}

// drawHealth() hands a version-health panel (health.js) what it draws with.
const drawHealth = (draw) => (view) => {
  const p = product();
  const fieldsOf = (e) => e.fields ?? [];
  const declared = catalogue?.products?.find((c) => c.product === state.product);
  draw({
    panels, view, why, chartIn,
    ciIncluded: state.ci,
    ciNote: state.ci ? 'Checks from CI are included.' : 'Checks from CI are left out (Include CI adds them).',
    byInstalls: p?.hasInstallIds !== false,
    hasCiColumn: Boolean(declared?.events?.some((e) => fieldsOf(e).some((f) => f.column === 'ci'))),
    productTitle: p?.title ?? state.product,
    schema: catalogue,
    schemaProblem: catalogueProblem,
  });
};

// drawStatus(): what "today" holds and when finished days were last rolled up.
function drawStatus({ overview, live, q }) {
  const status = $('status');
  if (!overview.ok) return status.replaceChildren(why(overview.error, 'the overview'));
  const parts = [];
  if (q.to === today()) {
    if (live) {
      parts.push(el('b', {}, `Today (${live.day}, UTC) is live: `),
        `${exact(live.events_counted)} of its ${exact(live.events_total)} events so far (all products) counted at ${utcTime(moment(live.computed_at))}`,
        live.partial ? ', so today is partial: Refresh for the rest. ' : '. ');
    } else {
      parts.push(el('b', {}, 'Today is not counted yet: '),
        live === null ? 'the API sent no live count for it. ' : 'this API counts finished days only, after their rollup. ');
    }
  } else {
    parts.push(`The range ends ${q.to}, before today. `);
  }
  const rollup = moment(overview.data.last_rollup);
  if (rollup !== null) parts.push(`Finished days were last rolled up at ${utcTime(rollup)} (${ago(rollup)}).`);
  else if (overview.data.last_rollup === null) parts.push('No rollup of finished days has run yet.');
  else parts.push('The API did not say when finished days were last rolled up.');
  status.replaceChildren(...parts);
}

function sums(rows, nDays) {
  const total = (key) => rows.reduce((s, r) => s + (r[key] ?? 0), 0);
  return {
    events: total('events'),
    installs: nDays ? total('installs') / nDays : 0,
    peak: rows.reduce((m, r) => Math.max(m, r.installs ?? 0), 0),
    new_installs: total('new_installs'),
    sessions: total('sessions'),
    judged: total('successes') + total('failures'),
    failures: total('failures'),
  };
}

function drawCards({ overview, previous, days }) {
  const p = product();
  const now = overview.ok ? sums(overview.data.days, days.length) : null;
  const before = previous?.ok ? sums(previous.data.days, days.length) : null;
  const rate = (s) => (s && s.judged ? s.failures / s.judged : null);
  const noInstalls = p?.hasInstallIds === false || (now && now.events > 0 && now.peak === 0);
  const card = (id, value, text, compareNow, compareBefore, fallback = '') => {
    const box = $(id);
    box.querySelector('b').textContent = value;
    const delta = state.compare ? change(compareNow, compareBefore) : null;
    box.querySelector('small').textContent = !delta ? fallback
      : compareBefore === 0 ? `the previous ${days.length} days had none` : `${delta} vs the previous ${days.length} days (${text(compareBefore)})`;
  };
  if (!now) {
    for (const id of ['card-events', 'card-installs', 'card-new', 'card-sessions', 'card-failures']) card(id, '–', exact, null, null);
    return;
  }
  card('card-events', exact(now.events), exact, now.events, before?.events);
  if (noInstalls) {
    card('card-installs', '–', exact, null, null, 'no install ids in this range');
    card('card-new', '–', exact, null, null, 'no install ids in this range');
  } else {
    card('card-installs', exact(Math.round(now.installs * 10) / 10), (v) => exact(Math.round(v * 10) / 10), now.installs, before?.installs, `peak ${exact(now.peak)} on one day`);
    card('card-new', exact(now.new_installs), exact, now.new_installs, before?.new_installs);
  }
  card('card-sessions', exact(now.sessions), exact, now.sessions, before?.sessions);
  const r = rate(now);
  card('card-failures', r === null ? '–' : percent(r), (v) => (v === null ? '–' : percent(v)), r, rate(before),
    r === null ? 'no event reports success or failure' : `${exact(now.failures)} of ${exact(now.judged)}`);
}

// chartIn() draws a time chart into a panel: the plot, then its table.
function chartIn(panel, data, options, note = '') {
  const host = el('div', { class: 'chart', 'data-chart': panel.id });
  panel.show([host], data, note);
  panel.body.append(timeChart(host, { title: panel.heading.textContent, today: today(), ...options }));
  return host;
}

// emptyCounts() says why a count over the range has nothing to draw, or null when it has.
function emptyCounts(rows, measure, { q }) {
  const p = product();
  const events = rows.reduce((s, r) => s + r.events, 0);
  if (!events) {
    const span = p?.from ? ` (${p.title} has data from ${p.from} to ${p.to})` : ` (${p?.title ?? q.product} has sent no events yet)`;
    return `No data in range: no ${q.event === '*' ? '' : `${q.event} `}events from ${q.from} to ${q.to}${span}.`;
  }
  if (measure === 'installs' && !rows.some((r) => r.installs > 0)) {
    return `${p.title} sends no install ids: none of its events from ${q.from} to ${q.to} carries one, so there are no active installs to count. Count events or sessions instead.`;
  }
  if (measure === 'sessions' && !rows.some((r) => r.sessions > 0)) {
    return `None of these events from ${q.from} to ${q.to} carries a session id, so there are no sessions to count.`;
  }
  return null;
}

function drawOverview(view) {
  const { overview, previous, days, q } = view;
  const panel = panels.overview;
  const m = state.measure;
  panel.title(MEASURES[m].perDay);
  panel.root.dataset.measure = m;
  if (!overview.ok) return panel.empty(why(overview.error));
  const columns = ['period', 'day', 'events', 'installs', 'new_installs', 'sessions', 'successes', 'failures'];
  const rows = overview.data.days.map((r) => ({ period: 'current', ...r }));
  const sources = [overview.source];
  if (previous?.ok) {
    rows.push(...previous.data.days.map((r) => ({ period: 'previous', ...r })));
    sources.push(previous.source);
  }
  const data = { columns, rows, query: q, sources };
  const reason = emptyCounts(overview.data.days, m, view);
  if (reason) return panel.empty(reason, data);
  const byDay = new Map(overview.data.days.map((r) => [r.day, r]));
  const series = [{ label: MEASURES[m].label, values: days.map((d) => byDay.get(d)?.[m] ?? view.missing(d)) }];
  let note = '';
  if (previous?.ok) {
    const before = previousPeriod(q.from, q.to);
    const beforeDays = dayList(before.from, before.to);
    const old = new Map(previous.data.days.map((r) => [r.day, r]));
    series.push({
      label: `previous ${days.length} days`,
      values: beforeDays.map((d) => old.get(d)?.[m] ?? 0),
      color: PREVIOUS,
      dash: [6, 4],
      hover: (v, i) => (v === null || v === undefined ? '–' : `${exact(v)} on ${beforeDays[i]}`),
    });
    note = `Dashed: the previous ${days.length} days, ${before.from} to ${before.to}, day by day.`;
  } else if (previous) {
    note = `The previous period could not be drawn: ${why(previous.error, 'it')}`;
  }
  chartIn(panel, data, { days, series, dayNote: view.dayNote }, note);
}

// foldingRule() writes the answer's folding block ({ measure, min_group_size, unit }) as a rule.
function foldingRule(f, dimension) {
  const unknown = `“unknown” counts the events that carry no ${dimensionLabel(dimension)}.`;
  if (!f) return `This answer does not say how small groups are folded into “other”. ${unknown}`;
  const span = f.unit === 'week' ? 'a UTC week (Monday to Sunday)' : `a UTC ${f.unit}`;
  const size = f.measure === 'installs'
    ? `at least ${f.min_group_size} installs sent it on one day of that ${f.unit}`
    : `at least ${f.min_group_size} ${f.measure} carried it in that ${f.unit} (this product sends no install ids)`;
  return `“other”: in ${span}, a value is shown under its own name only if ${size}. Smaller groups are counted together as “other”, so that no single install stands out; when only one value would be folded, the smallest value kept is folded with it, so “other” never stands for a single value. Every answer folds the same values, whatever its range or event. ${unknown}`;
}

function drawBreakdown(view) {
  const { breakdown, days, q } = view;
  const panel = panels.breakdown;
  const m = state.measure;
  const dim = dimensionLabel(state.dimension);
  panel.title(`${MEASURES[m].perDay} by ${dim}`);
  panel.root.dataset.measure = m;
  $('folding').hidden = !breakdown.ok;
  if (!breakdown.ok) return panel.empty(why(breakdown.error));
  const answer = breakdown.data;
  $('folding-rule').textContent = foldingRule(answer.folding, state.dimension);
  $('folding').dataset.minGroupSize = answer.folding?.min_group_size ?? '';
  $('folding').open = answer.values.includes('other');
  const columns = ['day', 'value', 'events', 'installs', 'sessions', 'new_installs'];
  const data = { columns, rows: answer.days, query: { ...q, dimension: state.dimension }, sources: [breakdown.source] };
  const reason = emptyCounts(answer.days, m, view);
  if (reason) return panel.empty(reason, data);
  const cells = new Map(answer.days.map((r) => [`${r.day}\u0000${r.value}`, r]));
  const drawn = answer.values.slice(0, MAX_SERIES);
  const series = drawn.map((value) => ({ label: value, values: days.map((d) => cells.get(`${d}\u0000${value}`)?.[m] ?? view.missing(d)) }));
  const note = answer.values.length > MAX_SERIES
    ? `The ${MAX_SERIES} largest of ${answer.values.length} values are drawn; all are in the totals and the export.` : '';
  chartIn(panel, data, { days, series, dayNote: view.dayNote }, note);
}

function drawTotals(view) {
  const { breakdown, days, q } = view;
  const panel = panels.totals;
  const m = state.measure;
  const dim = dimensionLabel(state.dimension);
  panel.title(m === 'installs' ? `Active installs by ${dim}, mean a day` : `${MEASURES[m].noun} by ${dim} over the range`);
  panel.root.dataset.measure = m;
  if (!breakdown.ok) return panel.empty(why(breakdown.error));
  const answer = breakdown.data;
  let totals = answer.totals;
  let note = '';
  if (!totals) {
    // The same sums the API's totals are: over the rows, the mean of installs over the range's days.
    const by = new Map();
    for (const r of answer.days) {
      const t = by.get(r.value) ?? { value: r.value, events: 0, sessions: 0, new_installs: 0, installs_sum: 0, installs_peak: 0 };
      t.events += r.events; t.sessions += r.sessions; t.new_installs += r.new_installs ?? 0;
      t.installs_sum += r.installs; t.installs_peak = Math.max(t.installs_peak, r.installs);
      by.set(r.value, t);
    }
    totals = [...by.values()].map(({ installs_sum: sum, ...t }) => ({ ...t, installs_mean: sum / days.length }));
    note = 'Totals summed on the page from the daily rows (this API sends no totals).';
  }
  const columns = ['value', 'events', 'sessions', 'new_installs', 'installs_mean', 'installs_peak'];
  const data = { columns, rows: totals, query: { ...q, dimension: state.dimension }, sources: [breakdown.source] };
  const reason = emptyCounts(answer.days, m, view);
  if (reason) return panel.empty(reason, data);
  const of = (t) => (m === 'installs' ? t.installs_mean : t[m]);
  const items = totals.filter((t) => of(t) > 0).sort((a, b) => of(b) - of(a)).map((t) => ({
    label: t.value,
    value: of(t),
    text: m === 'installs' ? `${exact(Math.round(t.installs_mean * 100) / 100)} a day, peak ${exact(t.installs_peak)}` : exact(of(t)),
  }));
  panel.show([bars(items, { label: panel.heading.textContent })], data, note);
}

function drawOutcomes({ outcomes, events, q }) {
  const panel = panels.outcomes;
  const dim = dimensionLabel(state.dimension);
  panel.title(`Failure rate by ${dim}`);
  if (!outcomes.ok) return panel.empty(why(outcomes.error));
  const columns = ['value', 'successes', 'failures', 'failure_rate'];
  const rated = (v) => ({
    label: v.value,
    value: v.failure_rate,
    text: `${percent(v.failure_rate)} (${exact(v.failures)} of ${exact(v.successes + v.failures)})`,
  });
  const values = outcomes.data.values;
  if (values.some((v) => v.value !== 'unknown')) {
    const data = { columns, rows: values, query: { ...q, dimension: state.dimension }, sources: [outcomes.source] };
    return panel.show([bars(values.map(rated), { label: panel.heading.textContent })], data,
      'Failures of all events that report success or failure; “unknown”: events without this field.');
  }
  // No event that reports an outcome carries the dimension (Langflow's components carry no
  // version): per event type instead, each over all values of the dimension.
  if (events.ok) {
    const by = new Map();
    for (const r of events.data.days) {
      if (q.event !== '*' && r.event !== q.event) continue;
      const t = by.get(r.event) ?? { value: `${r.event} (all ${state.dimension === 'version' ? 'versions' : `values of ${dim}`})`, event: r.event, successes: 0, failures: 0 };
      t.successes += r.successes; t.failures += r.failures;
      by.set(r.event, t);
    }
    const rows = [...by.values()].filter((t) => t.successes + t.failures > 0)
      .map((t) => ({ ...t, failure_rate: t.failures / (t.successes + t.failures) }))
      .sort((a, b) => b.successes + b.failures - (a.successes + a.failures));
    if (rows.length) {
      panel.title('Failure rate by event type');
      const data = { columns: ['event', ...columns], rows, query: q, sources: [events.source] };
      return panel.show([bars(rows.map(rated), { label: panel.heading.textContent })], data,
        `No event reporting success or failure carries ${dim}: the rates are per event type, over all of them.`);
    }
  }
  const withField = fields?.events?.filter((e) => e.success_field) ?? null;
  if (withField && !withField.length) return panel.empty('This product\'s events report no success or failure: none has a success field in the catalogue.');
  return panel.empty(`No event reported success or failure from ${q.from} to ${q.to}.`);
}

function drawEvents(view) {
  const { events, days, q } = view;
  const panel = panels.events;
  panel.title('Events per day by type');
  if (!events.ok) return panel.empty(why(events.error));
  const rows = events.data.days;
  const data = { columns: ['day', 'event', 'events', 'successes', 'failures'], rows, query: { ...q, event: '*' }, sources: [events.source] };
  const totals = new Map();
  for (const r of rows) totals.set(r.event, (totals.get(r.event) ?? 0) + r.events);
  const names = [...totals.keys()].filter((e) => totals.get(e) > 0).sort((a, b) => totals.get(b) - totals.get(a));
  if (!names.length) return panel.empty(emptyCounts([], 'events', { q: { ...q, event: '*' } }), data);
  const cells = new Map(rows.map((r) => [`${r.day}\u0000${r.event}`, r.events]));
  const series = names.slice(0, MAX_SERIES).map((name) => ({ label: name, values: days.map((d) => cells.get(`${d}\u0000${name}`) ?? view.missing(d)) }));
  const notes = [];
  if (q.event !== '*') notes.push('Every event type: the event filter does not apply to this chart.');
  if (names.length > MAX_SERIES) notes.push(`The ${MAX_SERIES} largest of ${names.length} types are drawn; all are in the export.`);
  chartIn(panel, data, { days, series, dayNote: view.dayNote }, notes.join(' '));
}

function drawMeasures(view) {
  const { measures, measureField: f, days, q } = view;
  const panel = panels.measures;
  const byVersion = panels['measures-version'];
  panel.title(f ? `${f.name}: p50, p90 and p99 per day` : 'Measures per day');
  byVersion.title(f ? `${f.name} per version` : 'Measures per version');
  const skip = (reason) => { panel.empty(reason); byVersion.empty(reason); };
  if (!fields) return skip(`Measures are listed by /v1/stats/fields. ${fieldsProblem}`);
  if (!f) {
    return skip(q.event === '*'
      ? 'The catalogue declares no measure for this product (a numeric field with "stats": "measure").'
      : `The event ${q.event} has no measure in the catalogue.`);
  }
  if (!measures.ok) return skip(why(measures.error));
  const answer = measures.data;
  const unit = answer.unit ?? f.unit ?? '';
  const query = { ...q, event: f.event, field: f.name };
  const dayData = { columns: ['day', 'count', 'p50', 'p90', 'p99'], rows: answer.per_day, query, sources: [measures.source] };
  const versionData = { columns: ['version', 'count', 'p50', 'p90', 'p99'], rows: answer.per_version, query, sources: [measures.source] };
  if (!answer.per_day.some((r) => r.count > 0)) {
    const reason = `The measure ${f.name} of ${f.event} has no values from ${q.from} to ${q.to}.`;
    panel.empty(reason, dayData);
    return byVersion.empty(reason, versionData);
  }
  const rows = new Map(answer.per_day.filter((r) => r.count > 0).map((r) => [r.day, r]));
  const series = ['p50', 'p90', 'p99'].map((p) => ({ label: p, values: days.map((d) => rows.get(d)?.[p] ?? null) }));
  const error = answer.relative_error ? `within ±${(answer.relative_error * 100).toFixed(1)}% of the exact value` : 'approximate';
  chartIn(panel, dayData, { days, series, unit, integer: false, dayNote: view.dayNote },
    `${f.description ?? ''} Percentiles are read from logarithmic buckets: ${error}. A day without a value is a gap.`.trim());
  const withUnit = (v) => (v === null || v === undefined ? '–' : `${exact(v)}${unit ? ` ${unit}` : ''}`);
  byVersion.show([el('div', { class: 'scroll' }, table([
    { key: 'version', label: 'Version' },
    { key: 'count', label: 'Values', numeric: true, format: exact },
    { key: 'p50', label: 'p50', numeric: true, format: withUnit },
    { key: 'p90', label: 'p90', numeric: true, format: withUnit },
    { key: 'p99', label: 'p99', numeric: true, format: withUnit },
  ], answer.per_version))], versionData, `Over ${q.from} to ${q.to}, ${error}.`);
}

function drawTop({ top, topField: f, q }) {
  const panel = panels.top;
  panel.title(f ? `Top values of ${f.name}` : 'Top values');
  if (!fields) return panel.empty(`Top values are listed by /v1/stats/fields. ${fieldsProblem}`);
  if (!f) {
    return panel.empty(q.event === '*'
      ? 'The catalogue declares no top-values field for this product (a string field with "stats": "top").'
      : `The event ${q.event} has no top-values field in the catalogue.`);
  }
  if (!top.ok) return panel.empty(why(top.error));
  const answer = top.data;
  const rows = [...answer.values.map((v) => ({ version: '*', ...v })),
    ...answer.per_version.flatMap((pv) => pv.values.map((v) => ({ version: pv.version, ...v })))];
  const data = { columns: ['version', 'value', 'events'], rows, query: { ...q, event: f.event, field: f.name }, sources: [top.source] };
  if (!answer.values.length) return panel.empty(`${f.name} of ${f.event} has no values from ${q.from} to ${q.to}.`, data);
  const perVersion = answer.per_version.map((pv) => ({ version: pv.version, values: pv.values.map((v) => `${v.value} (${exact(v.events)})`).join(', ') }));
  panel.show([
    bars(answer.values.map((v) => ({ label: v.value, value: v.events, text: exact(v.events) })), { label: `${panel.heading.textContent}, all versions` }),
    el('div', { class: 'scroll' }, table([{ key: 'version', label: 'Version' }, { key: 'values', label: 'Top values (events)' }], perVersion, { caption: 'Per version' })),
  ], data, `${f.description ?? ''} Events of ${f.event}, ${q.from} to ${q.to}.`.trim());
}

// readRule() is a rejection rule as the page shows it: { meaning, fields: [{ field, expects, link }],
// link }. It also reads the contract's first shape, { rule, doc }.
function readRule(rule) {
  if (!rule) return null;
  if (typeof rule.rule === 'string') return { meaning: rule.rule, fields: [], link: rule.doc ?? '' };
  return { meaning: rule.meaning ?? '', fields: rule.fields ?? [], link: rule.link ?? '' };
}

// safeLink() is an address from the API fit for an <a href>: this site's, or http(s).
function safeLink(address) {
  try {
    const url = new URL(address, location.origin);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

function drawRejections({ rejections, q }) {
  const panel = panels.rejections;
  panel.title('Rejected events');
  if (!rejections.ok) return panel.empty(why(rejections.error));
  const answer = rejections.data;
  const rules = answer.rules ?? null;
  const ruleOf = (r) => readRule(rules?.[r.event]?.[r.code]);
  const rows = answer.rejections.map((r) => {
    const rule = ruleOf(r);
    return { ...r, meaning: rule?.meaning ?? '', expects: rule?.fields.map((f) => `${f.field}: ${f.expects}`).join('; ') ?? '', link: rule?.link ?? '' };
  });
  const data = { columns: ['day', 'event', 'code', 'version', 'count', 'meaning', 'expects', 'link'], rows, query: { product: q.product, from: q.from, to: q.to }, sources: [rejections.source] };
  const notes = ['Rejected events are counted, never stored: this table holds codes, versions and counts, no event data.'];
  if (answer.truncated) notes.push('Older rows were left out (the answer was truncated): ask for a shorter range.');
  if (!rules) notes.push('This API sends no catalogue rules with its rejections, so codes are not linked to them.');
  if (!rows.length) return panel.empty(`No rejected events from ${q.from} to ${q.to}.`, data, notes.join(' '));
  const grouped = new Map();
  for (const r of rows) {
    const key = `${r.event}\u0000${r.code}\u0000${r.version}`;
    const g = grouped.get(key) ?? { event: r.event, code: r.code, version: r.version || 'unknown', count: 0, last: r.day, rule: ruleOf(r) };
    g.count += r.count;
    if (r.day > g.last) g.last = r.day;
    grouped.set(key, g);
  }
  const list = [...grouped.values()].sort((a, b) => b.count - a.count);
  if (list.length > MAX_TABLE_ROWS) notes.push(`The ${MAX_TABLE_ROWS} largest of ${list.length} rows are shown; all are in the export.`);
  const codeCell = (r) => {
    const href = r.rule?.link ? safeLink(r.rule.link) : null;
    return el('td', {}, href ? el('a', { href, title: `The catalogue's rules for ${r.event}` }, r.code) : el('code', {}, r.code));
  };
  // What the code means, and what each field it can come from expects (linked to the field's rule).
  const ruleCell = (r) => {
    if (!r.rule) return el('td', { class: 'rule' }, '–');
    const item = (f) => {
      const href = f.link ? safeLink(f.link) : null;
      return el('li', {}, href ? el('a', { href }, f.field) : el('code', {}, f.field), `: ${f.expects}`);
    };
    const list = el('ul', { class: 'fields' }, ...r.rule.fields.map(item));
    if (r.rule.fields.length <= 1) return el('td', { class: 'rule' }, el('div', {}, r.rule.meaning, r.rule.fields.length ? list : null));
    return el('td', { class: 'rule' }, el('details', {}, el('summary', {}, `${r.rule.meaning} (${r.rule.fields.length} fields it can come from)`), list));
  };
  panel.show([el('div', { class: 'scroll' }, table([
    { key: 'event', label: 'Event' },
    { key: 'code', label: 'Code' },
    { key: 'rule', label: 'What the field expects' },
    { key: 'version', label: 'SDK version' },
    { key: 'count', label: 'Count', numeric: true, format: exact },
    { key: 'last', label: 'Last seen' },
  ], list.slice(0, MAX_TABLE_ROWS), {
    stack: true,
    cell: (c, r) => (c.key === 'code' ? codeCell(r) : c.key === 'rule' ? ruleCell(r) : null),
  }))], data, notes.join(' '));
}

// ---- start -----------------------------------------------------------------------------------

function showLogin(message = '') {
  $('dashboard').hidden = true;
  $('refresh').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  delete document.body.dataset.rendered;
}

function refused() {
  token.clear();
  showLogin('That token was refused: enter the STATS_TOKEN of this deployment.');
}

async function loadProducts() {
  products = readProducts((await stats('products', {})).data);
  if (!products.length) throw new Error('the catalogue has no products');
  const chosen = products.find((p) => p.product === state.product) ?? products.find((p) => p.to) ?? products[0];
  state.product = options($('product'), products.map((p) => [p.product, p.to ? p.title : `${p.title} (no data yet)`]), chosen.product);
}

async function start() {
  if (!token.get()) return showLogin();
  try {
    await loadProducts();
    $('login').hidden = true;
    $('dashboard').hidden = false;
    $('refresh').hidden = false;
    $('logout').hidden = false;
    await loadProduct();
    await render();
  } catch (error) {
    if (error instanceof Unauthorized) return refused();
    showLogin(why(error, 'the dashboard'));
  }
}

// guarded() runs a control's change, sending a refused token back to the login form.
const guarded = (action) => async () => {
  try {
    await action();
  } catch (error) {
    if (error instanceof Unauthorized) return refused();
    console.error(error);
  }
};

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  token.set($('token').value.trim());
  $('token').value = '';
  start();
});
$('logout').addEventListener('click', () => { token.clear(); refresh(); showLogin(); });
$('refresh').addEventListener('click', guarded(async () => { refresh(); await loadProducts(); await loadProduct(); await render(); }));
$('product').addEventListener('change', guarded(async () => {
  state.product = $('product').value;
  state.event = '*';
  await loadProduct();
  await render();
}));
$('event').addEventListener('change', guarded(() => { state.event = $('event').value; fillControls(); return render(); }));
for (const id of ['dimension', 'measure-field', 'top-field']) {
  const key = { dimension: 'dimension', 'measure-field': 'field', 'top-field': 'top' }[id];
  $(id).addEventListener('change', guarded(() => { state[key] = $(id).value; return render(); }));
}
$('from').addEventListener('change', guarded(() => { state.from = $('from').value; return render(); }));
$('to').addEventListener('change', guarded(() => { state.to = $('to').value; return render(); }));
$('compare').addEventListener('change', guarded(() => { state.compare = $('compare').checked; return render(); }));
$('ci').addEventListener('change', guarded(() => { state.ci = $('ci').checked; return render(); }));
$('measure').addEventListener('change', guarded(() => { state.measure = document.querySelector('#measure input:checked').value; return render(); }));
for (const button of document.querySelectorAll('[data-days]')) {
  button.addEventListener('click', guarded(() => {
    state.to = today();
    state.from = addDays(state.to, 1 - Number(button.dataset.days));
    $('from').value = state.from;
    $('to').value = state.to;
    return render();
  }));
}
$('controls').addEventListener('submit', (event) => event.preventDefault());

readAddress();
start();
