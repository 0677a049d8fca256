// public.js: the public page. Reads GET /v1/public/stats?product= (no token: the same folded
// weekly counts for everyone) and draws, per dimension the maintainer chose to publish, the last
// finished week as bars and every week as a table. Product names come from GET /v1/schema.
import { RouteMissing, fetchJson } from '../dashboard/api.js';
import { exact, shortDate } from '../dashboard/format.js';
import { $, bars, el, table } from '../dashboard/views.js';

// weeksOf() reads the answer's weeks per dimension: [{ dimension, weeks: [{ week, values:
// [{ value, count }] }] }]. Both shapes are read: dimensions[].weeks[] and a flat weeks[] naming
// its dimension.
function weeksOf(answer, key) {
  const count = (values) => values.map((v) => ({ value: v.value, count: v[key] ?? 0 }));
  if (Array.isArray(answer.dimensions)) {
    return answer.dimensions.map((d) => ({ dimension: d.dimension, weeks: d.weeks.map((w) => ({ week: w.week, values: count(w.values) })) }));
  }
  const by = new Map();
  for (const w of answer.weeks ?? []) {
    if (!by.has(w.dimension)) by.set(w.dimension, []);
    by.get(w.dimension).push({ week: w.week, values: count(w.values) });
  }
  return [...by].map(([dimension, weeks]) => ({ dimension, weeks }));
}

function foldingNote(f) {
  if (!f) return '';
  const what = f.measure === 'installs'
    ? 'Each number is the most installs that sent the value on one day of the week: a lower bound of the week\'s installs, since no install can be followed from day to day.'
    : 'Each number is the events of the week that carried the value (this product sends no install ids).';
  const rule = f.measure === 'installs'
    ? `at least ${f.min_group_size} installs sent it on one day of that week`
    : `at least ${f.min_group_size} events carried it in that week`;
  return `${what} A value is shown under its own name in a week (Monday to Sunday, UTC) only if ${rule}; smaller groups are counted together as “other”, so that no single install stands out. “unknown”: events that do not carry the field.`;
}

function drawDimension({ dimension, weeks }, unit) {
  const name = dimension.replaceAll('_', ' ');
  const section = el('section', { 'data-dimension': dimension }, el('h2', {}, `By ${name}`));
  if (!weeks.length) {
    section.append(el('p', { class: 'note' }, 'No finished week has data yet.'));
    return section;
  }
  const ordered = [...weeks].sort((a, b) => (a.week < b.week ? 1 : -1));
  const latest = ordered[0];
  section.append(el('p', { class: 'note' }, `Week of ${latest.week}, ${unit}:`),
    bars(latest.values.map((v) => ({ label: v.value, value: v.count, text: exact(v.count) })), { label: `${name}, week of ${latest.week}` }));
  // Every value of any week, the latest week's largest first.
  const values = [...new Set(ordered.flatMap((w) => w.values.map((v) => v.value)))];
  const latestCount = new Map(latest.values.map((v) => [v.value, v.count]));
  values.sort((a, b) => (a === 'other') - (b === 'other') || (latestCount.get(b) ?? 0) - (latestCount.get(a) ?? 0));
  const columns = [{ key: 'value', label: name }, ...ordered.map((w) => ({ key: w.week, label: shortDate(w.week), numeric: true, format: (v) => (v === undefined ? '–' : exact(v)) }))];
  const rows = values.map((value) => Object.fromEntries([['value', value], ...ordered.map((w) => [w.week, w.values.find((v) => v.value === value)?.count])]));
  section.append(el('div', { class: 'scroll' }, table(columns, rows, { caption: `${unit[0].toUpperCase()}${unit.slice(1)} per week (weeks begin on Monday, UTC; the newest first)` })));
  return section;
}

async function show(product) {
  $('status').textContent = 'Loading…';
  $('dimensions').replaceChildren();
  try {
    const answer = await fetchJson(`/v1/public/stats?product=${encodeURIComponent(product)}`, '/v1/public/stats');
    const installs = answer.folding?.measure === 'installs';
    const unit = installs ? 'installs (the most on one day)' : 'events';
    document.title = `${answer.title}: usage, in the open`;
    $('title').textContent = document.title;
    $('status').textContent = answer.from && answer.to ? `Finished weeks from ${answer.from} to ${answer.to}.` : '';
    $('folding').textContent = foldingNote(answer.folding);
    const dims = weeksOf(answer, installs ? 'installs_peak' : 'events');
    if (!dims.length) $('status').textContent = 'Nothing is published for this product.';
    $('dimensions').replaceChildren(...dims.map((d) => drawDimension(d, unit)));
    document.body.dataset.rendered = product;
  } catch (error) {
    $('status').className = 'status error';
    $('status').textContent = error instanceof RouteMissing
      ? 'This deployment does not publish its statistics (its public page is off).'
      : `The statistics could not be read (${error.message}).`;
    document.body.dataset.rendered = '';
  }
}

async function start() {
  let products = [];
  try {
    products = (await fetchJson('/v1/schema', '/v1/schema')).products.map((p) => ({ product: p.product, title: p.title ?? p.product }));
  } catch { /* the select then offers only the product in the address */ }
  const asked = new URLSearchParams(location.search).get('product');
  if (!products.length && asked) products = [{ product: asked, title: asked }];
  const select = $('product');
  select.replaceChildren(...products.map((p) => el('option', { value: p.product }, p.title)));
  select.value = products.some((p) => p.product === asked) ? asked : (products[0]?.product ?? '');
  select.addEventListener('change', () => {
    history.replaceState(null, '', `?product=${encodeURIComponent(select.value)}`);
    show(select.value);
  });
  if (select.value) show(select.value);
  else $('status').textContent = 'No product is declared.';
}

start();
