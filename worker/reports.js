// reports.js: the stats API's answers about a product's use (GET /v1/stats/<report>), made from
// cells (cells.js: finished days' rollups and today's live counts), with small groups folded
// (fold.js). Each answer says what it covers: the range, today's coverage, the last rollup, how
// groups are folded, and whether CI is left out (`ci`: cells.js).

import { dayString } from './days.js';
import { bucketValue, MEASURE_RELATIVE_ERROR, measureDimension, productStats, topDimension } from './fields.js';
import { decide, hasInstallIds, label, OTHER, weeksAround } from './fold.js';
import { ALL, NO_CI, OVERFLOW, ROLLUP_TABLES } from './rollup.js';
import { CI_EXCLUDED } from './cells.js';

const COUNTS = ['events', 'installs', 'sessions', 'new_installs', 'successes', 'failures'];

function daysOf(q) {
  const days = [];
  for (let day = q.from; day <= q.to; day++) days.push(day);
  return days;
}

function zero() {
  return Object.fromEntries(COUNTS.map((c) => [c, 0]));
}

function add(target, cell) {
  for (const c of COUNTS) target[c] += cell[c];
  return target;
}

// folding() is the product's fold rule, as answers state it.
export function folding(q, settings) {
  return { measure: hasInstallIds(q.declared) ? 'installs' : 'events', min_group_size: settings.minGroupSize, unit: 'week' };
}

// keeper() decides, for `dimension` of the product, which values are shown on which days of the
// weeks around the range (fold.js); keep(day, value) → the label to show it under.
async function keeper(cells, q, dimension, settings) {
  const around = weeksAround(q.from, q.to);
  const decisionCells = await cells.decisionCells({ product: q.product, dimension, from: around.from, to: around.to });
  const { measure, min_group_size: minimum } = folding(q, settings);
  const keep = decide(decisionCells, { measure, minimum });
  return (day, value) => (keep(day, value) ? label(value) : OTHER);
}

// foldedCells() is the cells of the request's dimension and event, folded, summed per
// (groupOf(cell), shown value): a Map of rows { day, value, counts… } (day as groupOf gave it).
async function foldedCells(cells, q, settings, groupOf) {
  const keep = await keeper(cells, q, q.dimension, settings);
  const rows = await cells.read({ product: q.product, dimension: q.dimension, event: q.event, from: q.from, to: q.to });
  const folded = new Map();
  for (const r of rows) {
    const value = keep(r.day, r.value);
    const key = `${groupOf(r)}\u0000${value}`;
    folded.set(key, add(folded.get(key) ?? { day: groupOf(r), value, ...zero() }, r));
  }
  return folded;
}

// A stats answer's head: what it is about and where its numbers come from.
async function head(cells, q, settings, extra = {}) {
  return {
    product: q.product, event: q.event, from: dayString(q.from), to: dayString(q.to), ...extra,
    ...(await cells.about(q.to)), folding: folding(q, settings), ci: cells.ciOf(q.product),
  };
}

// percentiles() reads p50, p90 and p99 from a Map of bucket → count. A percentile of a few values
// is one of them (p99 of nine is the largest): p50 needs MIN_GROUP_SIZE values, p90 twice that,
// p99 twenty times; fewer answer null.
function percentiles(buckets, minimum) {
  const order = [...buckets.keys()].sort((a, b) => (a === null ? -Infinity : a) - (b === null ? -Infinity : b));
  const count = order.reduce((n, b) => n + buckets.get(b), 0);
  const at = (p, needed) => {
    if (count < needed) return null;
    let seen = 0;
    for (const b of order) {
      seen += buckets.get(b);
      if (seen >= p * count) return Number(bucketValue(b).toPrecision(3));
    }
    return null;
  };
  return { count, p50: at(0.5, minimum), p90: at(0.9, 2 * minimum), p99: at(0.99, 20 * minimum) };
}

// The event a field-level report is about: the one named, or the only event carrying the field.
function fieldEvent(q, list, kind, badRequest) {
  const field = q.field;
  const carriers = list.filter((m) => m.name === field);
  if (carriers.length === 0) throw badRequest(`field must be one of the product's ${kind}: ${[...new Set(list.map((m) => m.name))].join(', ') || '(none declared)'}`);
  if (q.event !== '*') {
    if (!carriers.some((m) => m.event === q.event)) throw badRequest(`event ${q.event} has no ${kind.slice(0, -1)} ${field}: it is one of ${carriers.map((m) => m.event).join(', ')}`);
    return q.event;
  }
  if (carriers.length > 1) throw badRequest(`${field} is carried by several events (${carriers.map((m) => m.event).join(', ')}): name one with event=`);
  return carriers[0].event;
}

export const REPORTS = {
  // products: each product, whether it collects install ids, and the days it has data for (its
  // events with or without CI as the request asks, per product: `ci`).
  async products(cells) {
    const spansOf = async (table) => (await cells.db.prepare(`SELECT product, min(day) AS first, max(day) AS last, sum(events) AS events
      FROM ${table} WHERE event = '*' AND dimension = 'all' GROUP BY product`).all()).results;
    const all = await spansOf(ROLLUP_TABLES[ALL]);
    const noCi = cells.catalogue.products.some((p) => cells.ciOf(p.product) === CI_EXCLUDED) ? await spansOf(ROLLUP_TABLES[NO_CI]) : [];
    return {
      products: cells.catalogue.products.map((p) => {
        const ci = cells.ciOf(p.product);
        const span = (ci === CI_EXCLUDED ? noCi : all).find((s) => s.product === p.product);
        return {
          product: p.product, title: p.title, events: p.events.map((e) => e.name), has_install_ids: hasInstallIds(p), ci,
          first_day: span ? dayString(span.first) : null, last_day: span ? dayString(span.last) : null, total_events: span?.events ?? 0,
        };
      }),
    };
  },

  // fields: what can be charted for the product (catalogue/README.md, a field's `stats`).
  async fields(cells, q) {
    const { dimensions, measures, top } = productStats(cells.catalogue, q.declared);
    return {
      product: q.product, has_install_ids: hasInstallIds(q.declared), ci: cells.ciOf(q.product),
      dimensions: dimensions.filter((d) => !d.top).map(({ name, builtin, kind, description, events }) => ({ name, builtin, kind, description, events })),
      measures, top, measure_relative_error: Number(MEASURE_RELATIVE_ERROR.toFixed(3)),
      events: q.declared.events.map((e) => ({ name: e.name, description: e.description, success_field: e.success_field ?? null })),
    };
  },

  // overview: per day, the product's (or one event's) events, installs, new installs, sessions,
  // successes and failures; every day of the range, zeros included.
  async overview(cells, q, settings) {
    const rows = await cells.read({ product: q.product, dimension: 'all', event: q.event, from: q.from, to: q.to });
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const days = daysOf(q).map((day) => {
      const r = byDay.get(day) ?? zero();
      return { day: dayString(day), ...Object.fromEntries(COUNTS.map((c) => [c, r[c]])) };
    });
    return { ...(await head(cells, q, settings)), days };
  },

  // events: per day and event type: events, successes, failures.
  async events(cells, q, settings) {
    const rows = await cells.read({ product: q.product, dimension: 'all', event: null, from: q.from, to: q.to });
    rows.sort((a, b) => a.day - b.day || (a.event < b.event ? -1 : 1));
    return {
      ...(await head(cells, q, settings)), events: q.declared.events.map((e) => e.name),
      days: rows.map((r) => ({ day: dayString(r.day), event: r.event, events: r.events, successes: r.successes, failures: r.failures })),
    };
  },

  // breakdown: per day and value of a dimension, folded; and per value over the range. Daily
  // distinct installs do not add up over days: the range has their mean and peak.
  async breakdown(cells, q, settings) {
    const perDay = await foldedCells(cells, q, settings, (r) => r.day);
    const totals = new Map();
    for (const r of perDay.values()) {
      const t = totals.get(r.value) ?? { value: r.value, events: 0, sessions: 0, new_installs: 0, installs_sum: 0, installs_peak: 0 };
      t.events += r.events;
      t.sessions += r.sessions;
      t.new_installs += r.new_installs;
      t.installs_sum += r.installs;
      t.installs_peak = Math.max(t.installs_peak, r.installs);
      totals.set(r.value, t);
    }
    const span = q.to - q.from + 1;
    const measure = folding(q, settings).measure;
    const size = (t) => (measure === 'installs' ? t.installs_sum : t.events);
    const ordered = [...totals.values()].sort((a, b) => (a.value === OTHER) - (b.value === OTHER) || size(b) - size(a) || (a.value < b.value ? -1 : 1));
    return {
      ...(await head(cells, q, settings, { dimension: q.dimension })),
      values: ordered.map((t) => t.value),
      days: [...perDay.values()].sort((a, b) => a.day - b.day || (a.value < b.value ? -1 : 1)).map((r) => ({
        day: dayString(r.day), value: r.value, events: r.events, installs: r.installs, sessions: r.sessions, new_installs: r.new_installs,
      })),
      totals: ordered.map(({ installs_sum: sum, ...t }) => ({ ...t, installs_mean: Math.round((sum / span) * 100) / 100 })),
    };
  },

  // outcomes: successes and failures per value of a dimension over the range, folded.
  async outcomes(cells, q, settings) {
    const per = await foldedCells(cells, q, settings, () => null);
    const values = [...per.values()].filter((r) => r.successes + r.failures > 0)
      .map((r) => ({ value: r.value, successes: r.successes, failures: r.failures, failure_rate: r.failures / (r.successes + r.failures) }))
      .sort((a, b) => (a.value === OTHER) - (b.value === OTHER) || b.successes + b.failures - (a.successes + a.failures));
    return { ...(await head(cells, q, settings, { dimension: q.dimension })), values };
  },

  // measures: p50/p90/p99 of a measure field per day (all versions) and per version over the range
  // (versions folded as in the version breakdown), read from log buckets (fields.js).
  async measures(cells, q, settings, { badRequest }) {
    const { measures } = productStats(cells.catalogue, q.declared);
    const event = fieldEvent(q, measures, 'measures', badRequest);
    const keepVersion = await keeper(cells, q, 'version', settings);
    const rows = await cells.read({ product: q.product, dimension: measureDimension(q.field), event, from: q.from, to: q.to });
    const perDay = new Map();
    const perVersion = new Map();
    let overflow = 0;
    for (const r of rows) {
      // The rollup's overflow row (rollup.js, MAX_VALUES) has no bucket: counted, not placed.
      if (r.value === OVERFLOW) {
        overflow += r.events;
        continue;
      }
      const [version, bucket] = JSON.parse(r.value);
      const v = keepVersion(r.day, version);
      if (!perDay.has(r.day)) perDay.set(r.day, new Map());
      if (!perVersion.has(v)) perVersion.set(v, new Map());
      for (const target of [perDay.get(r.day), perVersion.get(v)]) target.set(bucket, (target.get(bucket) ?? 0) + r.events);
    }
    return {
      ...(await head(cells, { ...q, event }, settings, { field: q.field })),
      relative_error: Number(MEASURE_RELATIVE_ERROR.toFixed(3)), overflow_events: overflow,
      per_day: [...perDay].sort((a, b) => a[0] - b[0]).map(([day, buckets]) => ({ day: dayString(day), ...percentiles(buckets, settings.minGroupSize) })),
      per_version: [...perVersion].map(([version, buckets]) => ({ version, ...percentiles(buckets, settings.minGroupSize) }))
        .sort((a, b) => (a.version === OTHER) - (b.version === OTHER) || b.count - a.count),
    };
  },

  // top: the most frequent values of a top field over the range, and per version; values and
  // versions folded as in their own breakdowns.
  async top(cells, q, settings, { badRequest }) {
    const { top } = productStats(cells.catalogue, q.declared);
    const event = fieldEvent(q, top, 'top fields', badRequest);
    const keepVersion = await keeper(cells, q, 'version', settings);
    const keepValue = await keeper(cells, q, q.field, settings);
    const rows = await cells.read({ product: q.product, dimension: topDimension(q.field), event, from: q.from, to: q.to });
    const overall = new Map();
    const perVersion = new Map();
    for (const r of rows) {
      const [version, raw] = r.value === OVERFLOW ? [OVERFLOW, OVERFLOW] : JSON.parse(r.value);
      const value = keepValue(r.day, raw);
      const v = keepVersion(r.day, version);
      overall.set(value, (overall.get(value) ?? 0) + r.events);
      if (!perVersion.has(v)) perVersion.set(v, new Map());
      perVersion.get(v).set(value, (perVersion.get(v).get(value) ?? 0) + r.events);
    }
    const list = (map) => [...map].map(([value, events]) => ({ value, events }))
      .sort((a, b) => (a.value === OTHER) - (b.value === OTHER) || b.events - a.events || (a.value < b.value ? -1 : 1));
    return {
      ...(await head(cells, { ...q, event }, settings, { field: q.field })),
      values: list(overall),
      per_version: [...perVersion].map(([version, values]) => ({ version, events: [...values.values()].reduce((a, b) => a + b, 0), values: list(values) }))
        .sort((a, b) => (a.version === OTHER) - (b.version === OTHER) || b.events - a.events),
    };
  },
};
