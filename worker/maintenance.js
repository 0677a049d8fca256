// maintenance.js: the daily scheduled run. It folds finished UTC days into rollup_daily (counts,
// no identifiers), then deletes raw events past RETENTION_DAYS in bounded chunks, and old rollups
// and counters past ROLLUP_RETENTION_DAYS. Every step is idempotent: a re-run gives the same numbers.

import { MAIN_BINDING } from './stores.js';

const DAY_MS = 86_400_000;

export const dayOf = (ms) => Math.floor(ms / DAY_MS);
export const dayString = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);

// The first day a date may name: day 0. The last is 9999-12-31, the last that YYYY can write.
const FIRST_DATE = '1970-01-01';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

// readDay() reads a UTC day written YYYY-MM-DD: { day } (days since 1970-01-01), or { problem }
// saying what is wrong with it. Each part is checked by hand: Date.parse reads 2024-02-30 as
// March 1, and Date.UTC reads years 0-99 as 1900-1999.
export function readDay(text) {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '');
  if (!parts) return { problem: 'is not a day written YYYY-MM-DD (for example 2024-02-29)' };
  const [year, month, date] = parts.slice(1).map(Number);
  if (text < FIRST_DATE) return { problem: `is before ${FIRST_DATE}` };
  if (month < 1 || month > 12) return { problem: `has no month ${parts[2]}: months run from 01 to 12` };
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const length = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (date < 1 || date > length) return { problem: `has no day ${parts[3]}: ${MONTHS[month - 1]} ${year} has ${length} days` };
  return { day: dayOf(Date.UTC(year, month - 1, date)) };
}

export const DIMENSIONS = ['version', 'os', 'arch', 'runtime', 'runtime_version'];

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

// The rollup of one day in one event store, ?1 = day start (ms), ?2 = day end (ms). Each event
// row is counted once per dimension, at its event and at '*' (all events of the product), so
// distinct counts are exact in every slice. The rows are multiplied by joining small json_each
// lists rather than by UNION ALL, which D1 limits to a few terms.
function rollupQuery(catalogue) {
  const dimensions = JSON.stringify(['all', ...DIMENSIONS]);
  const valueOf = `CASE dimension.value WHEN 'all' THEN '' ${DIMENSIONS.map((d) => `WHEN '${d}' THEN coalesce(${d}, '')`).join(' ')} END`;
  return `
WITH day_events AS (
  SELECT product, event, install_id, session_id, version, os, arch, runtime, runtime_version,
         ${successExpression(catalogue)} AS success,
         install_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM events AS earlier
           WHERE earlier.install_id = e.install_id AND earlier.product = e.product AND earlier.occurred_at < ?1
         ) AS is_new
  FROM events AS e WHERE occurred_at >= ?1 AND occurred_at < ?2
),
both_levels AS (
  SELECT product, CASE level.value WHEN 0 THEN event ELSE '*' END AS event, dimension.value AS dimension,
         ${valueOf} AS value, install_id, session_id, success, is_new
  FROM day_events, json_each('${dimensions}') AS dimension, json_each('[0,1]') AS level
)
SELECT product, event, dimension, value, count(*) AS events, count(DISTINCT install_id) AS installs,
       count(DISTINCT session_id) AS sessions, count(DISTINCT CASE WHEN is_new THEN install_id END) AS new_installs,
       coalesce(sum(success = 1), 0) AS successes, coalesce(sum(success = 0), 0) AS failures
FROM both_levels GROUP BY product, event, dimension, value`;
}

const ROLLUP_COUNTS = ['events', 'installs', 'sessions', 'new_installs', 'successes', 'failures'];
const ROLLUP_KEYS = ['product', 'event', 'dimension', 'value'];
// rollup_daily's columns after day, in the order rollupQuery() selects them.
const ROLLUP_COLUMNS = [...ROLLUP_KEYS, ...ROLLUP_COUNTS];

// Rollup rows are written into DB from JSON (they may come from several event stores). Routes look
// only at product and month, so a (product, day) normally sits in one store; if routes changed
// during a day, its rows add up (events exactly, distinct counts as a sum of the stores' counts).
const INSERT_ROLLUP = `INSERT INTO rollup_daily (day, ${ROLLUP_COLUMNS.join(', ')})
  SELECT ?1, ${ROLLUP_COLUMNS.map((c) => `json_extract(r.value, '$.${c}')`).join(', ')}
  FROM json_each(?2) AS r WHERE true
  ON CONFLICT (day, ${ROLLUP_KEYS.join(', ')}) DO UPDATE SET
  ${ROLLUP_COUNTS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;

const ROLLUP_ROWS_PER_STATEMENT = 2000;

// rollupDays() recomputes the given days from every event store, each day in one transaction of
// DB (delete, then insert). With DB the only store, SQLite inserts the rollup straight from its
// own query: two statements a day, which keeps a run inside a free-plan invocation's 50 queries.
export async function rollupDays(main, stores, catalogue, days) {
  const query = rollupQuery(catalogue);
  if (stores.length === 1 && stores[0].binding === MAIN_BINDING) {
    const insert = `INSERT INTO rollup_daily (day, ${ROLLUP_COLUMNS.join(', ')}) SELECT ?3, * FROM (${query})`;
    for (const day of days) {
      await main.batch([
        main.prepare('DELETE FROM rollup_daily WHERE day = ?1').bind(day),
        main.prepare(insert).bind(day * DAY_MS, (day + 1) * DAY_MS, day),
      ]);
    }
    return days.length;
  }
  for (const day of days) {
    const perStore = await Promise.all(stores.map(({ db }) => db.prepare(query).bind(day * DAY_MS, (day + 1) * DAY_MS).all()));
    const rows = perStore.flatMap((r) => r.results);
    const statements = [main.prepare('DELETE FROM rollup_daily WHERE day = ?1').bind(day)];
    for (let i = 0; i < rows.length; i += ROLLUP_ROWS_PER_STATEMENT) {
      statements.push(main.prepare(INSERT_ROLLUP).bind(day, JSON.stringify(rows.slice(i, i + ROLLUP_ROWS_PER_STATEMENT))));
    }
    await main.batch(statements);
  }
  return days.length;
}

// firstCompleteDay() is the oldest day whose raw events are all still stored (retention deletes
// the days before it): older days are never recomputed by the schedule, or their rollups would
// be replaced by counts of a partly deleted day.
export const firstCompleteDay = (now, retentionDays) => dayOf(now) - retentionDays;

// deleteOldEvents() deletes events older than `before` in chunks: at most chunkSize rows per
// statement and maxChunks statements per run, so a run stays inside D1's limits on queries per
// invocation and statement duration; a larger backlog continues on the next run.
export async function deleteOldEvents(db, before, { chunkSize, maxChunks }) {
  let deleted = 0;
  for (let chunk = 0; chunk < maxChunks; chunk++) {
    const result = await db.prepare(
      'DELETE FROM events WHERE event_id IN (SELECT event_id FROM events WHERE occurred_at < ?1 LIMIT ?2)',
    ).bind(before, chunkSize).run();
    deleted += result.meta.changes;
    if (result.meta.changes < chunkSize) break;
  }
  return deleted;
}

// Queue receipts outlive the longest a message can stay in a queue (14 days); the consumer's
// per-minute progress is kept for a week.
const RECEIPT_DAYS = 15;
const QUEUE_PROGRESS_DAYS = 7;

// runMaintenance() is the scheduled handler's work, over every event store (stores.js); rollups
// and counters live in DB. Late events (up to lookbackDays old) are counted by recomputing the
// recent days each run. The counters are pruned first and retention's allowance of statements is
// shared between the stores, so a run stays inside an invocation's query limit however many
// stores there are, and no store's retention waits on another's backlog.
export async function runMaintenance(env, { stores }, catalogue, settings, now = Date.now()) {
  const db = env.DB;
  const today = dayOf(now);
  const rollupCutoff = today - settings.rollupRetentionDays;
  await db.batch([
    db.prepare('DELETE FROM rollup_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM rejections_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM unmatched_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM write_budget WHERE day < ?1').bind(today - 7),
    // Per-install counters matter only while their day lasts (they name installs, by hash).
    db.prepare('DELETE FROM install_writes WHERE day < ?1').bind(today),
    db.prepare('DELETE FROM queue_receipts WHERE day < ?1').bind(today - RECEIPT_DAYS),
    db.prepare('DELETE FROM queue_minutely WHERE minute < ?1').bind((today - QUEUE_PROGRESS_DAYS) * 1440),
  ]);
  const retainedFrom = firstCompleteDay(now, settings.retentionDays);
  const firstDay = Math.max(retainedFrom, today - settings.rollupLookbackDays);
  const days = [];
  for (let day = firstDay; day < today; day++) days.push(day);
  const rolledUp = await rollupDays(db, stores, catalogue, days);
  const chunksPerStore = Math.max(1, Math.floor(settings.retentionMaxChunks / stores.length));
  let deleted = 0;
  for (const store of stores) {
    deleted += await deleteOldEvents(store.db, retainedFrom * DAY_MS, {
      chunkSize: settings.retentionDeleteChunk, maxChunks: chunksPerStore,
    });
  }
  return { rolled_up_days: rolledUp, deleted_events: deleted };
}
