// stats.js: GET /v1/stats/… for maintainers (bearer token), read from the daily rollups and the
// rejection counters. Groups smaller than MIN_GROUP_SIZE are folded into "other", so no single
// install stands out. Days are UTC, written YYYY-MM-DD; ranges default to the last 30 finished
// days.

import { requireToken } from './auth.js';
import { HttpError, jsonBody } from './http.js';
import { dayOf, dayString, firstCompleteDay, readDay } from './days.js';
import { Ledger, rollupDays } from './maintenance.js';
import { Slicer } from './rollup.js';
import { productStats } from './fields.js';
import { MAX_REJECTION_VERSIONS } from './storage.js';

const MAX_RANGE_DAYS = 400;
const MAX_ROLLUP_DAYS_PER_CALL = 20;
// The rejections report answers at most this many rows (about 5 MB). Capped counts keep it far
// smaller, but a product whose every event and code is flooded with versions every day holds more
// over a long range: then the oldest are left out.
export const MAX_REJECTION_ROWS = 50_000;

function badRequest(message) {
  return new HttpError(400, 'invalid_stats_request', message);
}

// dateParam() is the day a date parameter names, or `fallback` when it is absent. A day that does
// not exist is refused, never rolled over into the next month.
function dateParam(params, name, fallback) {
  if (!params.has(name)) return fallback;
  const { day, problem } = readDay(params.get(name));
  if (problem) throw new HttpError(400, 'invalid_date', `${name} ${problem}`);
  return day;
}

// Query holds the checked parameters of a stats request.
function readQuery(url, catalogue, { needProduct = true } = {}) {
  const params = url.searchParams;
  const today = dayOf(Date.now());
  const to = dateParam(params, 'to', today - 1);
  const from = dateParam(params, 'from', to - 29);
  if (from > to) throw badRequest('from is after to');
  if (to - from + 1 > MAX_RANGE_DAYS) throw badRequest(`a range holds at most ${MAX_RANGE_DAYS} days`);
  const product = params.get('product');
  const declared = catalogue.products.find((p) => p.product === product);
  if (needProduct && !declared) {
    throw badRequest(`product must be one of: ${catalogue.products.map((p) => p.product).join(', ')}`);
  }
  const event = params.get('event') ?? '*';
  if (declared && event !== '*' && !declared.events.some((e) => e.name === event)) {
    throw badRequest(`event must be * or one of: ${declared.events.map((e) => e.name).join(', ')}`);
  }
  const dimension = params.get('dimension') ?? 'version';
  const dimensions = declared ? productStats(catalogue, declared).dimensions.map((d) => d.name) : [];
  if (declared && !dimensions.includes(dimension)) throw badRequest(`dimension must be one of: ${dimensions.join(', ')}`);
  return { product, event, dimension, from, to };
}

async function all(db, sql, ...params) {
  return (await db.prepare(sql).bind(...params).all()).results;
}

// groupMeasure() says what "group size" means for a product: installs where it collects install
// ids, sessions where it collects only sessions, events where it collects neither (then there is
// no one to single out).
async function groupMeasure(db, q) {
  const [seen] = await all(db, `SELECT max(installs) AS installs, max(sessions) AS sessions FROM rollup_daily
    WHERE product = ?1 AND event = '*' AND dimension = 'all' AND day BETWEEN ?2 AND ?3`, q.product, q.from, q.to);
  if (seen?.installs > 0) return 'installs';
  if (seen?.sessions > 0) return 'sessions';
  return 'events';
}

const COUNTS = ['events', 'installs', 'sessions', 'successes', 'failures'];

// fold() merges the rows of one group key whose measure is under the minimum into "other".
function fold(rows, keyOf, measure, minimum) {
  const out = new Map();
  for (const row of rows) {
    const value = row[measure] < minimum ? 'other' : (row.value === '' ? 'unknown' : row.value);
    const key = `${keyOf(row)}\u0000${value}`;
    const target = out.get(key) ?? { ...row, value, ...Object.fromEntries(COUNTS.map((c) => [c, 0])) };
    for (const c of COUNTS) target[c] += row[c];
    out.set(key, target);
  }
  return [...out.values()];
}

const MINUTE_MS = 60_000;
const INGEST_REPORT_MINUTES = 60;

// An event store's first and last day. Two subqueries, not min() and max() in one SELECT: SQLite
// seeks for a lone min() or max() and scans the whole index for both at once.
export const STORE_SPAN = 'SELECT (SELECT min(day) FROM events) AS oldest, (SELECT max(day) FROM events) AS newest';

// GET /v1/stats/ingest: how events are being stored. The mode; each event store's span of days
// and size (D1's limit is 10 GB a database); the last maintenance run; and in queue mode the
// consumer's last hour, minute by minute: messages written, how long the oldest of them had waited
// in the queue (lag), redeliveries, and the backlog the queue reported. A lag that grows, or no
// minute lately, means D1 is not keeping up. Every query is a seek, whatever the tables hold.
async function ingestReport(env, { stores }) {
  const since = Math.floor(Date.now() / MINUTE_MS) - INGEST_REPORT_MINUTES;
  const [storeRows, minutes, runs] = await Promise.all([
    Promise.all(stores.map(async ({ binding, db }) => {
      const result = await db.prepare(STORE_SPAN).all();
      const { oldest, newest } = result.results[0];
      return {
        binding,
        oldest_day: oldest === null ? null : dayString(oldest),
        newest_day: newest === null ? null : dayString(newest),
        database_bytes: result.meta?.size_after ?? null,
      };
    })),
    all(env.DB, `SELECT minute, batches, messages, redelivered, max_lag_ms, total_lag_ms, backlog FROM queue_minutely
      WHERE minute >= ?1 ORDER BY minute`, since),
    all(env.DB, 'SELECT * FROM maintenance_runs ORDER BY started_at DESC LIMIT 1'),
  ]);
  const last = minutes.at(-1);
  const run = runs[0];
  return {
    mode: env.INGEST_QUEUE ? 'queue' : 'direct',
    stores: storeRows,
    maintenance: run ? { ...run, started_at: new Date(run.started_at).toISOString(), finished_at: new Date(run.finished_at).toISOString() } : null,
    queue: {
      last_write: last ? new Date((last.minute + 1) * MINUTE_MS).toISOString() : null,
      last_max_lag_ms: last?.max_lag_ms ?? null,
      last_backlog: last?.backlog ?? null,
      minutes: minutes.map((m) => ({
        minute: new Date(m.minute * MINUTE_MS).toISOString(),
        batches: m.batches,
        messages: m.messages,
        redelivered: m.redelivered,
        max_lag_ms: m.max_lag_ms,
        mean_lag_ms: Math.round(m.total_lag_ms / m.messages),
        backlog: m.backlog,
      })),
    },
  };
}

const REPORTS = {
  async products(db, url, catalogue) {
    const spans = await all(db, `SELECT product, min(day) AS first, max(day) AS last, sum(events) AS events
      FROM rollup_daily WHERE event = '*' AND dimension = 'all' GROUP BY product`);
    return {
      products: catalogue.products.map((p) => {
        const span = spans.find((s) => s.product === p.product);
        return {
          product: p.product,
          title: p.title,
          events: p.events.map((e) => e.name),
          first_day: span ? dayString(span.first) : null,
          last_day: span ? dayString(span.last) : null,
          total_events: span?.events ?? 0,
        };
      }),
    };
  },

  async overview(db, url, catalogue) {
    const q = readQuery(url, catalogue);
    const rows = await all(db, `SELECT day, events, installs, new_installs, sessions, successes, failures FROM rollup_daily
      WHERE product = ?1 AND event = ?2 AND dimension = 'all' AND day BETWEEN ?3 AND ?4 ORDER BY day`, q.product, q.event, q.from, q.to);
    return { product: q.product, event: q.event, from: dayString(q.from), to: dayString(q.to), days: rows.map((r) => ({ ...r, day: dayString(r.day) })) };
  },

  async events(db, url, catalogue) {
    const q = readQuery(url, catalogue);
    const rows = await all(db, `SELECT day, event, events, successes, failures FROM rollup_daily
      WHERE product = ?1 AND event != '*' AND dimension = 'all' AND day BETWEEN ?2 AND ?3 ORDER BY day, event`, q.product, q.from, q.to);
    return { product: q.product, from: dayString(q.from), to: dayString(q.to), days: rows.map((r) => ({ ...r, day: dayString(r.day) })) };
  },

  async breakdown(db, url, catalogue, settings) {
    const q = readQuery(url, catalogue);
    const measure = await groupMeasure(db, q);
    const rows = await all(db, `SELECT day, value, events, installs, sessions, successes, failures FROM rollup_daily
      WHERE product = ?1 AND event = ?2 AND dimension = ?3 AND day BETWEEN ?4 AND ?5 ORDER BY day`,
    q.product, q.event, q.dimension, q.from, q.to);
    const folded = fold(rows, (r) => r.day, measure, settings.minGroupSize);
    const totals = new Map();
    for (const r of folded) totals.set(r.value, (totals.get(r.value) ?? 0) + r[measure]);
    return {
      product: q.product, event: q.event, dimension: q.dimension, from: dayString(q.from), to: dayString(q.to),
      group_measure: measure, min_group_size: settings.minGroupSize,
      values: [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a)),
      days: folded.map((r) => ({ ...r, day: dayString(r.day) })),
    };
  },

  // outcomes: success and failure per value over the whole range (error rate per version). A
  // group is kept when it reached the minimum on some day; max, not sum, of daily distinct counts,
  // so one install seen on many days still counts as one.
  async outcomes(db, url, catalogue, settings) {
    const q = readQuery(url, catalogue);
    const measure = await groupMeasure(db, q);
    const rows = await all(db, `SELECT value, sum(events) AS events, max(installs) AS installs, max(sessions) AS sessions,
      sum(successes) AS successes, sum(failures) AS failures FROM rollup_daily
      WHERE product = ?1 AND event = ?2 AND dimension = ?3 AND day BETWEEN ?4 AND ?5 GROUP BY value`,
    q.product, q.event, q.dimension, q.from, q.to);
    const folded = fold(rows, () => '', measure, settings.minGroupSize)
      .filter((r) => r.successes + r.failures > 0)
      .map((r) => ({ value: r.value, successes: r.successes, failures: r.failures, failure_rate: r.failures / (r.successes + r.failures) }))
      .sort((a, b) => b.successes + b.failures - (a.successes + a.failures));
    return {
      product: q.product, event: q.event, dimension: q.dimension, from: dayString(q.from), to: dayString(q.to),
      group_measure: measure, min_group_size: settings.minGroupSize, values: folded,
    };
  },

  // Reports also get { env, stores } (the bindings and the event stores).
  ingest: (db, url, catalogue, settings, { env, stores }) => ingestReport(env, stores),

  // rejections: per day, event, code and version. Stored counts hold at most MAX_REJECTION_VERSIONS
  // versions per day, event and code (storage.js); the same fold here, largest counts first, bounds
  // rows written before that cap too. The most recent MAX_REJECTION_ROWS rows are answered, and
  // `truncated` says whether older ones were left out.
  async rejections(db, url, catalogue) {
    const q = readQuery(url, catalogue);
    const rows = await all(db, `SELECT * FROM (
        SELECT day, event, code, version, sum(count) AS count FROM (
          SELECT day, event, code, count, CASE WHEN row_number() OVER (PARTITION BY day, event, code ORDER BY version = '', count DESC, version)
            <= ?4 THEN version ELSE '' END AS version
          FROM rejections_daily WHERE product = ?1 AND day BETWEEN ?2 AND ?3)
        GROUP BY day, event, code, version ORDER BY day DESC, event DESC, code DESC, version DESC LIMIT ?5)
      ORDER BY day, event, code, version`, q.product, q.from, q.to, MAX_REJECTION_VERSIONS, MAX_REJECTION_ROWS + 1);
    const truncated = rows.length > MAX_REJECTION_ROWS;
    return {
      product: q.product, from: dayString(q.from), to: dayString(q.to), truncated,
      rejections: rows.slice(truncated ? 1 : 0).map((r) => ({ ...r, day: dayString(r.day) })),
    };
  },

  // unmatched: requests that matched no route, method or envelope, and captured events no mapping
  // names, per day, method, route shape and reason (unmatched.js); from and to default to the
  // last 30 days, today included.
  async unmatched(db, url) {
    const today = dayOf(Date.now());
    const to = dateParam(url.searchParams, 'to', today);
    const from = dateParam(url.searchParams, 'from', to - 29);
    if (from > to) throw badRequest('from is after to');
    if (to - from + 1 > MAX_RANGE_DAYS) throw badRequest(`a range holds at most ${MAX_RANGE_DAYS} days`);
    const rows = await all(db, `SELECT day, method, route, reason, count FROM unmatched_daily WHERE day BETWEEN ?1 AND ?2
      ORDER BY day, count DESC, method, route, reason`, from, to);
    return { from: dayString(from), to: dayString(to), unmatched: rows.map((r) => ({ ...r, day: dayString(r.day) })) };
  },
};

// POST /v1/stats/rollup?from=&to=: recompute days now (a backfill, or after seeding), newest
// first, as far as one invocation's MAINTENANCE_QUERY_LIMIT allows; the answer lists the days left
// over, to ask for again. A day whose raw events retention already deleted is left alone, and one it
// is deleting is never replaced by a smaller count, so rollups are never lost.
async function rollupRange(db, stores, url, catalogue, settings) {
  const q = readQuery(url, catalogue, { needProduct: false });
  if (q.to - q.from + 1 > MAX_ROLLUP_DAYS_PER_CALL) throw badRequest(`roll up at most ${MAX_ROLLUP_DAYS_PER_CALL} days per call`);
  const now = Date.now();
  if (q.to >= dayOf(now)) throw badRequest('only finished days can be rolled up: to must be before today');
  const complete = firstCompleteDay(now, settings.retentionDays);
  const range = [];
  for (let day = q.to; day >= q.from; day--) range.push(day);
  const ledger = new Ledger({ queryLimit: settings.maintenanceQueryLimit, seconds: settings.maintenanceSeconds });
  // Days before retention's edge are recomputed only if they still hold raw events: one seek each.
  const withRaw = new Set();
  for (const store of stores) {
    const found = await ledger.all(store.db.prepare('SELECT d.value AS day FROM json_each(?1) AS d WHERE EXISTS (SELECT 1 FROM events WHERE day = d.value)')
      .bind(JSON.stringify(range.filter((day) => day < complete))));
    for (const r of found.results) withRaw.add(r.day);
  }
  const days = range.filter((day) => day >= complete || withRaw.has(day));
  const { rolled, pending } = await rollupDays(ledger, db, stores, catalogue, days,
    { now, slicer: new Slicer(settings.rollupSliceEvents, settings.rollupStatementMs), force: true, edge: complete });
  return { rolled_up_days: rolled.length, pending_days: pending.sort((a, b) => a - b).map(dayString), ...ledger.report() };
}

export async function handleStats(request, env, settings, catalogue, stores, report) {
  await requireToken(request, env);
  const url = new URL(request.url);
  if (report === 'rollup') {
    if (request.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'this route accepts POST', { allow: 'POST' });
    return jsonBody(JSON.stringify(await rollupRange(env.DB, stores.stores, url, catalogue, settings)), 200);
  }
  const run = Object.hasOwn(REPORTS, report) ? REPORTS[report] : null;
  if (!run) throw new HttpError(404, 'not_found', `stats reports: ${Object.keys(REPORTS).join(', ')}, and POST rollup`);
  if (request.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'this route accepts GET', { allow: 'GET' });
  return jsonBody(JSON.stringify(await run(env.DB, url, catalogue, settings, { env, stores })), 200, { 'cache-control': 'no-store' });
}
