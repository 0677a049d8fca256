// stats.js: GET /v1/stats/… for maintainers (bearer token): the reports on a product's use
// (reports.js), rejections, unmatched requests, how ingest is doing, and POST rollup. Days are UTC,
// written YYYY-MM-DD; ranges default to the last 30 days, today (counted live) included. Groups
// smaller than MIN_GROUP_SIZE are folded into "other" (fold.js).

import { requireToken } from './auth.js';
import { HttpError, jsonBody } from './http.js';
import { dayOf, dayString, firstCompleteDay, readDay } from './days.js';
import { Ledger, rollupDays } from './maintenance.js';
import { Cells } from './cells.js';
import { productStats } from './fields.js';
import { HEALTH_REPORTS } from './health-stats.js';
import { decide, hasInstallIds, label, OTHER, weeksAround } from './fold.js';
import { REPORTS as USE_REPORTS } from './reports.js';
import { Slicer } from './rollup.js';
import { rejectionRules } from './rules.js';
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
function readQuery(url, catalogue, { needProduct = true, finished = false } = {}) {
  const params = url.searchParams;
  const today = dayOf(Date.now());
  const to = dateParam(params, 'to', finished ? today - 1 : today);
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
  const field = params.get('field');
  return { product, declared, event, dimension, field, from, to };
}

async function all(db, sql, ...params) {
  return (await db.prepare(sql).bind(...params).all()).results;
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
  // Reports also get { env, stores } (the bindings and the event stores).
  ingest: (db, url, catalogue, settings, { env, stores }) => ingestReport(env, stores),

  // rejections: per day, event, code and version. Stored counts hold at most MAX_REJECTION_VERSIONS
  // versions per day, event and code (storage.js); the same fold here, largest counts first, bounds
  // rows written before that cap too. Versions are then folded like any group (fold.js), measured
  // as the version breakdown folds them (fold.js): for products with install ids, a version is named
  // only where the version breakdown names it (rejected events carry no install to count, and one
  // install must not name its version by sending rejected events); for the others, on rejected
  // events (fewer than MIN_GROUP_SIZE in a week is "other").
  // The most recent MAX_REJECTION_ROWS rows are answered, and `truncated` says whether older ones
  // were left out. `rules` explains each event's codes from the catalogue (rules.js).
  async rejections(db, url, catalogue, settings, { stores }) {
    const q = readQuery(url, catalogue);
    const around = weeksAround(q.from, q.to);
    const byInstalls = hasInstallIds(q.declared);
    const sizes = byInstalls
      ? await new Cells({ db, catalogue, stores: stores.stores, settings }).read({ product: q.product, dimension: 'version', event: '*', ...around })
      : await all(db, `SELECT day, version AS value, sum(count) AS events, 0 AS installs FROM rejections_daily
        WHERE product = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day, version`, q.product, around.from, around.to);
    const keep = decide(sizes, { measure: byInstalls ? 'installs' : 'events', minimum: settings.minGroupSize });
    const rows = await all(db, `SELECT * FROM (
        SELECT day, event, code, version, sum(count) AS count FROM (
          SELECT day, event, code, count, CASE WHEN row_number() OVER (PARTITION BY day, event, code ORDER BY version = '', count DESC, version)
            <= ?4 THEN version ELSE '' END AS version
          FROM rejections_daily WHERE product = ?1 AND day BETWEEN ?2 AND ?3)
        GROUP BY day, event, code, version ORDER BY day DESC, event DESC, code DESC, version DESC LIMIT ?5)
      ORDER BY day, event, code, version`, q.product, q.from, q.to, MAX_REJECTION_VERSIONS, MAX_REJECTION_ROWS + 1);
    const truncated = rows.length > MAX_REJECTION_ROWS;
    const folded = new Map();
    for (const r of rows.slice(truncated ? 1 : 0)) {
      const version = keep(r.day, r.version) ? label(r.version) : OTHER;
      const key = [r.day, r.event, r.code, version].join('\u0000');
      const row = folded.get(key) ?? { day: r.day, event: r.event, code: r.code, version, count: 0 };
      row.count += r.count;
      folded.set(key, row);
    }
    const answer = [...folded.values()].map((r) => ({ ...r, day: dayString(r.day) }));
    return {
      product: q.product, from: dayString(q.from), to: dayString(q.to), truncated,
      folding: { measure: byInstalls ? 'installs' : 'events', min_group_size: settings.minGroupSize, unit: 'week' },
      rejections: answer, rules: rejectionRules(q.declared, answer),
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
  const q = readQuery(url, catalogue, { needProduct: false, finished: true });
  const now = Date.now();
  if (q.to >= dayOf(now)) throw badRequest('only finished days can be rolled up: to must be before today');
  if (q.to - q.from + 1 > MAX_ROLLUP_DAYS_PER_CALL) throw badRequest(`roll up at most ${MAX_ROLLUP_DAYS_PER_CALL} days per call`);
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
  const use = Object.hasOwn(USE_REPORTS, report) ? USE_REPORTS[report] : null;
  const run = Object.hasOwn(REPORTS, report) ? REPORTS[report] : Object.hasOwn(HEALTH_REPORTS, report) ? HEALTH_REPORTS[report] : null;
  if (!use && !run) throw new HttpError(404, 'not_found', `stats reports: ${[...Object.keys(USE_REPORTS), ...Object.keys(REPORTS), ...Object.keys(HEALTH_REPORTS)].join(', ')}, and POST rollup`);
  if (request.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'this route accepts GET', { allow: 'GET' });
  const answer = use
    ? await use(new Cells({ db: env.DB, catalogue, stores: stores.stores, settings }), readQuery(url, catalogue, { needProduct: report !== 'products' }), settings, { badRequest })
    : await run(env.DB, url, catalogue, settings, { env, stores });
  return jsonBody(JSON.stringify(answer), 200, { 'cache-control': 'no-store' });
}
