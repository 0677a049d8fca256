// rollup.js: the counts of one finished UTC day (rollup_daily), read from the raw events in short
// slices so that no statement holds D1 for long and ingest interleaves with the rollup.
//
// Distinct counts (installs, sessions, new installs) of a day do not add up across slices of time:
// one install's events may lie in many. They do add up across slices of installs. events_by_day
// (schema.sql) orders a day's events by install_id, then, for events without one, by session_id,
// then by event_id; a slice is a run of that order that ends at the end of an install or session,
// so every install, and every session of events without an install, is counted in one slice only.
// The three runs of the order are read apart ("regions"): events with an install id, events with a
// session id only, events with neither. A session is a pair of install id (or none) and session id,
// so a session id counts once per install it is sent with (and once more if it also comes without
// one): SDKs make a session id per install, and this keeps the count the same for any slicing.
//
// A slice reads the day's rows by primary key, groups them into profiles (identical events of one
// install and session), multiplies the profiles by dimension and level (the event and '*'), and
// groups again. Its cost is linear in its events; an install that sends 10,000 events makes one
// slice 10,000 events longer, nothing more. "Is this install new" is one seek per profile in
// events_by_install. The slices' rows are summed here, in the Worker, and written in one batch.
//
// Sampling (docs/INSIGHTS.md, "Sampled events"): an event kept at sample_rate r (NULL = 1) counts
// 1/r, and a distinct unit (an install, or a session sent without one) counts 1/r of the largest
// rate among its events of the day (its smallest weight), in every cell it is in. An install is
// sampled as a whole, so its events share one rate unless its settings changed within the day, and
// then the estimate errs low rather than inventing installs no event supports (an install kept at
// 0.5, then at 1, is one install, not two). A slice holds whole units, so a window over the slice's
// profiles finds that rate. Distinct counts are counted exactly as before (count DISTINCT), and the
// sampled units add their weight beyond 1 from a second, small grouping of only their profiles: a
// day without sampled events costs one cheap pass more, not a second grouping of every cell. The
// sums are rounded when written. Unsampled rows weigh exactly 1 (integers throughout), so their
// rollups are the exact counts they always were. Measures and top values count events as seen,
// unweighted.
//
// CI (docs/INSIGHTS.md, "CI"): for products that declare a ci column, every slice also counts the
// events whose ci is NULL or 'none' a second time, as variant 1; those rows go to
// rollup_daily_no_ci. Variant 0 (every event) goes to rollup_daily, for every product.

import { DAY_MS } from './days.js';
import { builtinDimensionsOf, ciProducts, fieldTextSql, measureDimension, measurePairSql, statsFieldsOf, topDimension } from './fields.js';
const COUNTS = ['events', 'installs', 'sessions', 'new_installs', 'successes', 'failures'];
const KEYS = ['variant', 'product', 'event', 'dimension', 'value'];
// A row's variant: every event, or only the events not from CI (products with a ci column).
export const ALL = 0;
export const NO_CI = 1;

// A region: the events_by_day entries it covers after `day = ?1`, and the column its slices end on.
// Its keys are compared as text (BINARY collation), in the index's own order.
const REGIONS = [
  { name: 'installs', key: 'install_id', where: 'install_id IS NOT NULL' },
  { name: 'sessions', key: 'session_id', where: 'install_id IS NULL AND session_id IS NOT NULL' },
  { name: 'events', key: 'event_id', where: 'install_id IS NULL AND session_id IS NULL' },
];

// successExpression() is the SQL for "did this event succeed" (1, 0 or NULL), from the catalogue's
// success_field declarations. Names come from the checked catalogue ([a-z0-9_.-] only).
function successExpression(catalogue) {
  const cases = [];
  for (const p of catalogue.products) {
    for (const e of p.events) {
      if (e.success_field) cases.push(`WHEN product = '${p.product}' AND event = '${e.name}' THEN json_extract(properties, '$.${e.success_field}')`);
    }
  }
  return cases.length ? `CASE ${cases.join(' ')} END` : 'NULL';
}

// perEvent() is a CASE over product and event choosing `sqlOf(product, event)`, or `otherwise` for
// events for which it is null.
function perEvent(catalogue, sqlOf, otherwise) {
  const cases = [];
  for (const p of catalogue.products) {
    for (const e of p.events) {
      const sql = sqlOf(p, e);
      if (sql) cases.push(`WHEN product = '${p.product}' AND event = '${e.name}' THEN ${sql}`);
    }
  }
  return cases.length ? `CASE ${cases.join(' ')} ELSE ${otherwise} END` : otherwise;
}

// dimensionsExpression() is an event's dimensions as one JSON object, name → value ('' when
// absent): 'all', the row columns, and the event's own dimension and top fields (fields.js).
function dimensionsExpression(catalogue) {
  const builtinsOf = (p) => [`'all', ''`, ...builtinDimensionsOf(p).map((d) => `'${d}', coalesce(${d}, '')`)];
  const plain = builtinsOf({ events: [] });
  return perEvent(catalogue, (p, e) => {
    const builtins = builtinsOf(p);
    const own = statsFieldsOf(e).filter((f) => f.stats === 'dimension' || f.stats === 'top');
    return own.length || builtins.length !== plain.length
      ? `json_object(${[...builtins, ...own.map((f) => `'${f.path}', ${fieldTextSql(f.path, f.kind)}`)].join(', ')})` : null;
  }, `json_object(${plain.join(', ')})`);
}

// noCiExpression() is 1 for an event counted again without CI (its product declares a ci column
// and the event says it is not from CI, or says nothing), else 0.
function noCiExpression(catalogue) {
  const products = ciProducts(catalogue);
  return products.length ? `(product IN (${products.map((p) => `'${p}'`).join(', ')}) AND (ci IS NULL OR ci = 'none'))` : '0';
}

// variantsSql() is every profile once as variant ALL, and those counted without CI once more as
// NO_CI (no second branch at all when no product declares a ci column).
function variantsSql(catalogue) {
  const all = `SELECT unit.*, ${ALL} AS variant FROM unit`;
  return ciProducts(catalogue).length ? `${all} UNION ALL SELECT unit.*, ${NO_CI} AS variant FROM unit WHERE unit.no_ci` : all;
}

// An event's weight: 1 / its sample rate; an integer 1 when it was not sampled, so unsampled sums
// stay exact integers.
const WEIGHT = 'CASE WHEN sample_rate IS NULL THEN 1 ELSE 1.0 / sample_rate END';

// pairsExpression() is an event's values kept per version, as one JSON object: 'measure:<field>' →
// [version, bucket] and 'top:<field>' → [version, value], null when the event has none.
function pairsExpression(catalogue) {
  return perEvent(catalogue, (p, e) => {
    const pairs = [];
    for (const f of statsFieldsOf(e)) {
      if (f.stats === 'measure') pairs.push(`'${measureDimension(f.path)}', ${measurePairSql(f.path)}`);
      if (f.stats === 'top') {
        pairs.push(`'${topDimension(f.path)}', CASE WHEN json_type(properties, '$.${f.path}') = 'text' THEN json_array(coalesce(version, ''), json_extract(properties, '$.${f.path}')) END`);
      }
    }
    return pairs.length ? `json_object(${pairs.join(', ')})` : null;
  }, `'{}'`);
}

// sliceQuery() is one slice of a region of day ?1: the region's entries after key ?2 (all of them
// when `first`) up to the key of the ?3-th of them (or the region's last key), whole installs or
// sessions; every row it returns carries `next`, that key, or NULL when the region is done. Keys
// travel as hex: the exact bytes come back, whatever they hold, and no id is held in the Worker.
// Dimensions are counted at two levels (the event, and '*' for all events of the product); the
// pairs per version (measures, top values) at the event's level only.
function sliceQuery(catalogue, { key, where }, first) {
  const after = first ? '' : `AND ${key} > CAST(unhex(?2) AS TEXT)`;
  return `
WITH bound AS MATERIALIZED (
  SELECT ${key} AS next FROM events WHERE day = ?1 AND ${where} ${after} ORDER BY ${key} LIMIT 1 OFFSET ?3
),
slice AS MATERIALIZED (
  SELECT product, event, install_id, session_id, ${dimensionsExpression(catalogue)} AS dims, ${pairsExpression(catalogue)} AS pairs,
         ${successExpression(catalogue)} AS success, ${noCiExpression(catalogue)} AS no_ci, coalesce(sample_rate, 1) AS rate, ${WEIGHT} AS weight
  FROM events WHERE day = ?1 AND ${where} ${after}
    AND ${key} <= coalesce((SELECT next FROM bound), (SELECT max(${key}) FROM events WHERE day = ?1 AND ${where}))
),
profile AS MATERIALIZED (
  SELECT product, event, install_id, CASE WHEN session_id IS NOT NULL THEN json_array(install_id, session_id) END AS session,
         dims, pairs, no_ci, count(*) AS seen, sum(weight) AS events, max(rate) AS rate,
         coalesce(sum(CASE WHEN success = 1 THEN weight END), 0) AS successes, coalesce(sum(CASE WHEN success = 0 THEN weight END), 0) AS failures,
         install_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM events AS earlier
           WHERE earlier.install_id = slice.install_id AND earlier.product = slice.product AND earlier.occurred_at < ?1 * ${DAY_MS}
         ) AS is_new
  FROM slice GROUP BY product, event, install_id, session_id, dims, pairs, no_ci
),
unit AS MATERIALIZED (
  SELECT profile.*, 1 / max(rate) OVER (PARTITION BY product, install_id, CASE WHEN install_id IS NULL THEN session END) AS unit_weight
  FROM profile
),
variants AS (
  ${variantsSql(catalogue)}
),
counted AS (
  SELECT variant, product, CASE level.value WHEN 0 THEN event ELSE '*' END AS event, d.key AS dimension, d.value AS value,
         install_id, session, is_new, seen, events, successes, failures
  FROM variants, json_each(variants.dims) AS d, json_each('[0,1]') AS level
  UNION ALL
  SELECT variant, product, event, p.key AS dimension, p.value AS value, install_id, session, is_new, seen, seen, successes, failures
  FROM variants, json_each(variants.pairs) AS p WHERE p.value IS NOT NULL
),
exact AS (
  SELECT variant, product, event, dimension, value, sum(events) AS events, count(DISTINCT install_id) AS installs,
         count(DISTINCT session) AS sessions, count(DISTINCT CASE WHEN is_new THEN install_id END) AS new_installs,
         sum(successes) AS successes, sum(failures) AS failures, sum(seen) AS seen
  FROM counted GROUP BY variant, product, event, dimension, value
),
sampled_unit AS (
  SELECT variant, product, CASE level.value WHEN 0 THEN event ELSE '*' END AS event, d.key AS dimension, d.value AS value,
         install_id, max(unit_weight) - 1 AS more, max(is_new) AS is_new, count(DISTINCT session) AS sessions
  FROM variants, json_each(variants.dims) AS d, json_each('[0,1]') AS level WHERE variants.unit_weight != 1
  GROUP BY variant, product, 3, 4, 5, install_id, CASE WHEN install_id IS NULL THEN session END
),
extra AS (
  SELECT variant, product, event, dimension, value, sum(CASE WHEN install_id IS NOT NULL THEN more ELSE 0 END) AS installs,
         sum(sessions * more) AS sessions, sum(CASE WHEN install_id IS NOT NULL AND is_new THEN more ELSE 0 END) AS new_installs
  FROM sampled_unit GROUP BY variant, product, event, dimension, value
)
SELECT exact.variant, exact.product, exact.event, exact.dimension, exact.value, events,
       exact.installs + coalesce(extra.installs, 0) AS installs, exact.sessions + coalesce(extra.sessions, 0) AS sessions,
       exact.new_installs + coalesce(extra.new_installs, 0) AS new_installs, successes, failures, seen, (SELECT hex(next) FROM bound) AS next
FROM exact LEFT JOIN extra ON extra.variant = exact.variant AND extra.product = exact.product AND extra.event = exact.event
  AND extra.dimension = exact.dimension AND extra.value = exact.value`;
}

// The queries of a catalogue, built once per catalogue object.
const queries = new WeakMap();
function queriesOf(catalogue) {
  if (!queries.has(catalogue)) {
    queries.set(catalogue, REGIONS.map((region) => ({ ...region, first: sliceQuery(catalogue, region, true), next: sliceQuery(catalogue, region, false) })));
  }
  return queries.get(catalogue);
}

// Slices aim at ROLLUP_STATEMENT_MS of D1's time each (12 by default): short enough for an ingest
// request that arrives meanwhile to wait little (docs/SCALING.md), long enough that a day of a
// million events takes a few hundred statements. The size follows the measured time of the slice
// before, halving or growing by half at most per step (a slice's cost per event varies with how
// many distinct installs and sessions it holds, so growth is cautious); retention's chunks do the
// same.
const MAX_SLICE_EVENTS = 50_000;

export class Slicer {
  constructor(initialEvents, targetMs) {
    this.events = initialEvents;
    this.targetMs = targetMs;
    this.floor = Math.min(initialEvents, 200);
  }

  // after() adapts the next slice to the D1 time (ms) the last one took. Under a millisecond says
  // too little to go on (a small day is one slice anyway).
  after(durationMs) {
    if (!(durationMs >= 1)) return;
    const factor = Math.min(1.5, Math.max(0.5, this.targetMs / durationMs));
    this.events = Math.round(Math.min(MAX_SLICE_EVENTS, Math.max(this.floor, this.events * factor)));
  }
}

// RollupStopped is a day's rollup given up before it was written: the day waits for a later run.
export class RollupStopped extends Error {}

// rollupDayOf() reads day `day` of one event store (`db`) through `ledger` (maintenance.js) and adds
// its rows into `totals` (a Map of key → row). `plan` keeps the day within its statements:
// { eventsLeft, slicesLeft, regionsLeft } over every store of the day; a slice is never smaller than
// what the statements left can still cover, whatever the slicer measured.
export async function rollupDayOf(ledger, db, catalogue, day, slicer, totals, plan) {
  for (const region of queriesOf(catalogue)) {
    let after = null;
    for (;;) {
      if (plan.slicesLeft < plan.regionsLeft) throw new RollupStopped(`the rollup of day ${day} ran out of statements`);
      const size = Math.max(slicer.events, Math.ceil(plan.eventsLeft / Math.max(1, plan.slicesLeft - plan.regionsLeft + 1)));
      const statement = after === null ? db.prepare(region.first).bind(day, null, size) : db.prepare(region.next).bind(day, after, size);
      const result = await ledger.all(statement);
      plan.slicesLeft -= 1;
      slicer.after(result.meta?.duration ?? 0);
      for (const row of result.results) {
        add(totals, row);
        if (row.variant === ALL && row.event === '*' && row.dimension === 'all') plan.eventsLeft -= row.seen;
      }
      const next = result.results[0]?.next ?? null;
      // Keys (hex, so ordered as their bytes) only grow; one that does not would loop: stop instead.
      if (next !== null && after !== null && next <= after) throw new RollupStopped(`the rollup of day ${day} did not advance`);
      after = next;
      if (after === null) break;
    }
    plan.regionsLeft -= 1;
  }
}

export const REGION_COUNT = REGIONS.length;

// A row's sums: the counts, and `seen`, its events unweighted (what the statements' plan counts).
const SUMS = [...COUNTS, 'seen'];

function add(totals, row) {
  const key = KEYS.map((k) => row[k]).join('\u0000');
  const total = totals.get(key);
  if (!total) {
    totals.set(key, Object.fromEntries([...KEYS, ...SUMS].map((k) => [k, row[k]])));
    return;
  }
  for (const c of SUMS) total[c] += row[c];
}

// finish() is the rows of `totals` ready to show or write: each variant's rows capped (capValues),
// weighted sums rounded to integers. Rows of variant NO_CI come only from products with a ci column.
export function finish(totals) {
  return capValues([...totals.values()]).map((row) => {
    for (const c of COUNTS) row[c] = Math.round(row[c]);
    return row;
  });
}

// A day keeps at most MAX_VALUES rows per product, event and dimension: versions, measure buckets
// and top values are the sender's to choose, and a flood of invented ones must not make a day too
// big to write (or to read). The rows with the fewest events beyond that are summed into one row
// of value OVERFLOW (a control character no stored value can hold); its distinct counts are sums,
// an upper bound. The stats API shows it as "other".
export const MAX_VALUES = 500;
export const OVERFLOW = '\u0001more';

// capValues() applies MAX_VALUES to rows (rollup rows without day); returns the rows to keep.
export function capValues(rows) {
  const groups = new Map();
  for (const row of rows) {
    const key = `${row.variant}\u0000${row.product}\u0000${row.event}\u0000${row.dimension}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(row);
  }
  const kept = [];
  for (const group of groups.values()) {
    if (group.length <= MAX_VALUES) {
      kept.push(...group);
      continue;
    }
    group.sort((a, b) => b.events - a.events || (a.value < b.value ? -1 : 1));
    kept.push(...group.slice(0, MAX_VALUES - 1));
    const rest = { ...group[MAX_VALUES - 1], value: OVERFLOW };
    for (const row of group.slice(MAX_VALUES)) for (const c of SUMS) if (c in row) rest[c] += row[c];
    kept.push(rest);
  }
  return kept;
}

// Rollup rows are written from JSON, at most this many a statement: about 750 KB of JSON, under a
// D1 value's 2 MB.
export const ROWS_PER_STATEMENT = 5000;

const ROLLUP_COLUMNS = [...KEYS.filter((k) => k !== 'variant'), ...COUNTS];
const insertRollup = (table) => `INSERT INTO ${table} (day, ${ROLLUP_COLUMNS.join(', ')})
  SELECT ?1, ${ROLLUP_COLUMNS.map((c) => `json_extract(r.value, '$.${c}')`).join(', ')}
  FROM json_each(?2) AS r`;
export const ROLLUP_TABLES = { [ALL]: 'rollup_daily', [NO_CI]: 'rollup_daily_no_ci' };

// writeRollup() replaces day `day`'s rows in both rollup tables with `rows` (finish()'s; each
// variant to its table), and records the day's count of raw events (`events`) in rollup_runs, in one
// transaction. The no-CI table's rows of the day are replaced even when there are none, so a
// product whose ci column was removed leaves no stale rows of a re-rolled day.
export async function writeRollup(ledger, main, day, rows, events, now) {
  const statements = [];
  for (const [variant, table] of Object.entries(ROLLUP_TABLES)) {
    statements.push(main.prepare(`DELETE FROM ${table} WHERE day = ?1`).bind(day));
    const own = rows.filter((r) => r.variant === Number(variant));
    for (let i = 0; i < own.length; i += ROWS_PER_STATEMENT) {
      statements.push(main.prepare(insertRollup(table)).bind(day, JSON.stringify(own.slice(i, i + ROWS_PER_STATEMENT))));
    }
  }
  statements.push(main.prepare(`INSERT INTO rollup_runs (day, events, rolled_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (day) DO UPDATE SET events = excluded.events, rolled_at = excluded.rolled_at`).bind(day, events, now));
  await ledger.batch(main, statements);
}

// statementsToWrite() is how many statements writeRollup() needs, at most, for `rows` rows (of
// both variants).
export const statementsToWrite = (rows) => 4 + Math.max(1, Math.ceil(rows / ROWS_PER_STATEMENT));
