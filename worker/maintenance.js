// maintenance.js: the daily scheduled run. It folds finished UTC days into rollup_daily (counts,
// no identifiers), then deletes raw events past RETENTION_DAYS in bounded chunks, and old rollups
// and counters past ROLLUP_RETENTION_DAYS. Every step is idempotent: a re-run gives the same numbers.

const DAY_MS = 86_400_000;

export const dayOf = (ms) => Math.floor(ms / DAY_MS);
export const dayString = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
export function parseDay(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text ?? '')) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) ? null : dayOf(ms);
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

// The rollup of one day, ?1 = day start (ms), ?2 = day end (ms), ?3 = day number. Each event row
// is counted once per dimension, at its event and at '*' (all events of the product), so distinct
// counts are exact in every slice. The rows are multiplied by joining small json_each lists
// rather than by UNION ALL, which D1 limits to a few terms.
function rollupStatement(catalogue) {
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
INSERT INTO rollup_daily (day, product, event, dimension, value, events, installs, sessions, new_installs, successes, failures)
SELECT ?3, product, event, dimension, value, count(*), count(DISTINCT install_id), count(DISTINCT session_id),
       count(DISTINCT CASE WHEN is_new THEN install_id END),
       coalesce(sum(success = 1), 0), coalesce(sum(success = 0), 0)
FROM both_levels GROUP BY product, event, dimension, value`;
}

// rollupDays() recomputes the given days, each in one transaction (delete, then insert).
export async function rollupDays(db, catalogue, days) {
  const insert = rollupStatement(catalogue);
  for (const day of days) {
    await db.batch([
      db.prepare('DELETE FROM rollup_daily WHERE day = ?1').bind(day),
      db.prepare(insert).bind(day * DAY_MS, (day + 1) * DAY_MS, day),
    ]);
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

// runMaintenance() is the scheduled handler's work. Late events (up to lookbackDays old) are
// counted by recomputing the recent days each run.
export async function runMaintenance(db, catalogue, settings, now = Date.now()) {
  const today = dayOf(now);
  const firstDay = Math.max(firstCompleteDay(now, settings.retentionDays), today - settings.rollupLookbackDays);
  const days = [];
  for (let day = firstDay; day < today; day++) days.push(day);
  const rolledUp = await rollupDays(db, catalogue, days);
  const deleted = await deleteOldEvents(db, firstCompleteDay(now, settings.retentionDays) * DAY_MS, {
    chunkSize: settings.retentionDeleteChunk, maxChunks: settings.retentionMaxChunks,
  });
  const rollupCutoff = today - settings.rollupRetentionDays;
  await db.batch([
    db.prepare('DELETE FROM rollup_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM rejections_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM write_budget WHERE day < ?1').bind(today - 7),
  ]);
  return { rolled_up_days: rolledUp, deleted_events: deleted };
}
