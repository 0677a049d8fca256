// health-stats.js: the stats reports of the version-health loop (GET /v1/stats/…, bearer token,
// dispatched by stats.js): version checks per day and version, the drops SDKs reported, and the
// shapes of rejected events. Days are UTC, YYYY-MM-DD; ranges default to the last 30 days, today
// included.

import { HttpError } from './http.js';
import { dayOf, dayString, readDay } from './days.js';
import { decide, label, OTHER, weeksAround } from './fold.js';

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
  // whether more were left out.
  async shapes(db, url, catalogue) {
    const q = readRange(url, catalogue);
    const event = url.searchParams.get('event') ?? '*';
    if (event !== '*' && !q.declared.events.some((e) => e.name === event)) {
      throw badRequest(`event must be * or one of: ${q.declared.events.map((e) => e.name).join(', ')}`);
    }
    const rows = await all(db, `SELECT event, version, code, shape, sum(count) AS count FROM rejected_shapes_daily
      WHERE product = ?1 AND day BETWEEN ?2 AND ?3 AND (?4 = '*' OR event = ?4)
      GROUP BY event, version, code, shape ORDER BY count DESC, event, version, code, shape LIMIT ?5`,
    q.product, q.from, q.to, event, MAX_SHAPE_ROWS + 1);
    const truncated = rows.length > MAX_SHAPE_ROWS;
    return {
      product: q.product, from: dayString(q.from), to: dayString(q.to), event, truncated,
      rows: rows.slice(0, MAX_SHAPE_ROWS).map((r) => ({ ...r, version: label(r.version), shape: parseShape(r.shape) })),
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
