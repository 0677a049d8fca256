// health-stats.js: the stats reports of the version-health loop (GET /v1/stats/…, bearer token,
// dispatched by stats.js): version checks per day and version, the drops SDKs reported, and the
// shapes of rejected events. Days are UTC, YYYY-MM-DD; ranges default to the last 30 days, today
// included.

import { HttpError } from './http.js';
import { dayOf, dayString, readDay } from './days.js';
import { decide, label, OTHER, weeksAround } from './fold.js';
import { rejectedVersionKeeper } from './rejected-versions.js';

const MAX_RANGE_DAYS = 400;
// The shapes report answers at most this many rows, largest counts first.
export const MAX_SHAPE_ROWS = 500;

function badRequest(message) {
  return new HttpError(400, 'invalid_stats_request', message);
}

// readRange() reads product (a declared one), from and to.
function readRange(url, catalogue) {
  const params = url.searchParams;
  const day = (name, fallback) => {
    if (!params.has(name)) return fallback;
    const { day: read, problem } = readDay(params.get(name));
    if (problem) throw new HttpError(400, 'invalid_date', `${name} ${problem}`);
    return read;
  };
  const to = day('to', dayOf(Date.now()));
  const from = day('from', to - 29);
  if (from > to) throw badRequest('from is after to');
  if (to - from + 1 > MAX_RANGE_DAYS) throw badRequest(`a range holds at most ${MAX_RANGE_DAYS} days`);
  const declared = catalogue.products.find((p) => p.product === params.get('product'));
  if (!declared) throw badRequest(`product must be one of: ${catalogue.products.map((p) => p.product).join(', ')}`);
  return { declared, product: declared.product, from, to };
}

async function all(db, sql, ...params) {
  return (await db.prepare(sql).bind(...params).all()).results;
}

// foldVersions() sums rows ({ day, version, …counts }) under the version each is shown as: a
// version that counted fewer than MIN_GROUP_SIZE in its week (weekly rows `sizes`, one measure)
// is "other" (fold.js), so a version one install alone runs is never named.
function foldVersions(rows, sizes, minimum, keyOf, counts) {
  const keep = decide(sizes, { measure: 'events', minimum });
  const folded = new Map();
  for (const r of rows) {
    const version = keep(r.day, r.version) ? label(r.version) : OTHER;
    const key = keyOf({ ...r, version });
    const row = folded.get(key);
    if (row) for (const c of counts) row[c] += r[c];
    else folded.set(key, { ...r, version });
  }
  return [...folded.values()].map((r) => ({ ...r, day: dayString(r.day) }));
}

export const HEALTH_REPORTS = {
  // checks: version checks per day and version (check.js). `checks` leaves out checks that said
  // they ran in CI, unless ci=include; `ci_checks` counts those alone. Versions are folded on all
  // checks of their week, so the switch never changes which versions are named.
  async checks(db, url, catalogue, settings) {
    const q = readRange(url, catalogue);
    const ci = url.searchParams.get('ci') ?? 'exclude';
    if (ci !== 'include' && ci !== 'exclude') throw badRequest('ci must be include or exclude');
    const around = weeksAround(q.from, q.to);
    const sizes = await all(db, `SELECT day, version AS value, sum(count) AS events, 0 AS installs FROM checks_daily
      WHERE product = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, version`, q.product, around.from, around.to);
    const rows = await all(db, `SELECT day, version, sum(CASE WHEN ?4 OR ci IN ('', 'none') THEN count ELSE 0 END) AS checks,
        sum(CASE WHEN ci IN ('', 'none') THEN 0 ELSE count END) AS ci_checks
      FROM checks_daily WHERE product = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, version ORDER BY day, version`,
    q.product, q.from, q.to, ci === 'include' ? 1 : 0);
    return {
      product: q.product, from: dayString(q.from), to: dayString(q.to), ci,
      folding: { measure: 'checks', min_group_size: settings.minGroupSize, unit: 'week' },
      rows: foldVersions(rows, sizes, settings.minGroupSize, (r) => `${r.day}\u0000${r.version}`, ['checks', 'ci_checks']),
    };
  },

  // client_reports: events SDKs dropped themselves, per day, SDK version and reason
  // (client-reports.js); versions folded on all reported drops of their week.
  async client_reports(db, url, catalogue, settings) {
    const q = readRange(url, catalogue);
    const around = weeksAround(q.from, q.to);
    const sizes = await all(db, `SELECT day, version AS value, sum(count) AS events, 0 AS installs FROM client_reports_daily
      WHERE product = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, version`, q.product, around.from, around.to);
    const rows = await all(db, `SELECT day, version, reason, count FROM client_reports_daily
      WHERE product = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day, version, reason`, q.product, q.from, q.to);
    return {
      product: q.product, from: dayString(q.from), to: dayString(q.to),
      folding: { measure: 'dropped events', min_group_size: settings.minGroupSize, unit: 'week' },
      rows: foldVersions(rows, sizes, settings.minGroupSize, (r) => `${r.day}\u0000${r.version}\u0000${r.reason}`, ['count']),
    };
  },

  // shapes: the keys and JSON types of rejected events (never a value), per event, version, code
  // and shape, summed over the range, largest first, at most MAX_SHAPE_ROWS; `truncated` says
  // whether more were left out. Versions are folded per day exactly as the rejections report
  // folds them (rejected-versions.js), so neither report names a version the other hides.
  async shapes(db, url, catalogue, settings, { stores }) {
    const q = readRange(url, catalogue);
    const event = url.searchParams.get('event') ?? '*';
    if (event !== '*' && !q.declared.events.some((e) => e.name === event)) {
      throw badRequest(`event must be * or one of: ${q.declared.events.map((e) => e.name).join(', ')}`);
    }
    const { keep, measure } = await rejectedVersionKeeper(db, { catalogue, stores: stores.stores, settings, ...q });
    // Per day (folding is per week); the stored counts cap shapes and versions per day and event, so
    // this is at most about MAX_REJECTED_SHAPES × MAX_REJECTION_VERSIONS rows per day and event.
    const daily = await all(db, `SELECT day, event, version, code, shape, count FROM rejected_shapes_daily
      WHERE product = ?1 AND day BETWEEN ?2 AND ?3 AND (?4 = '*' OR event = ?4)`, q.product, q.from, q.to, event);
    const summed = new Map();
    for (const r of daily) {
      const version = keep(r.day, r.version) ? label(r.version) : OTHER;
      const key = [r.event, version, r.code, r.shape].join('\u0000');
      const row = summed.get(key) ?? { event: r.event, version, code: r.code, shape: r.shape, count: 0 };
      row.count += r.count;
      summed.set(key, row);
    }
    const rows = [...summed.values()].sort((a, b) => b.count - a.count || (a.event < b.event ? -1 : a.event > b.event ? 1 : 0)
      || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
      || (a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0));
    return {
      product: q.product, from: dayString(q.from), to: dayString(q.to), event, truncated: rows.length > MAX_SHAPE_ROWS,
      folding: { measure, min_group_size: settings.minGroupSize, unit: 'week' },
      rows: rows.slice(0, MAX_SHAPE_ROWS).map((r) => ({ ...r, shape: parseShape(r.shape) })),
    };
  },
};

// parseShape() reads a stored shape; one that is not a JSON object (written by hand) is shown empty.
function parseShape(text) {
  try {
    const shape = JSON.parse(text);
    return shape !== null && typeof shape === 'object' && !Array.isArray(shape) ? shape : {};
  } catch {
    return {};
  }
}
