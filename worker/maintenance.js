// maintenance.js: the scheduled run (hourly, wrangler.toml). It prunes old counters, rolls up the
// finished days that need it (rollup.js), deletes raw events past RETENTION_DAYS, and records what
// it asked of D1 in maintenance_runs. Every step is idempotent: a re-run gives the same numbers.
//
// A run has a budget: MAINTENANCE_QUERY_LIMIT statements (an invocation may run 50 on Workers
// Free, 1,000 on Paid) and MAINTENANCE_SECONDS of time. Work that does not fit waits for the next
// run: a day's rollup is done whole or not started, and retention simply continues. Every statement
// is short (rollup.js), so ingest waits little behind a run.

import { DAY_MS, dayOf, firstCompleteDay } from './days.js';
import { finish, REGION_COUNT, rollupDayOf, RollupStopped, ROWS_PER_STATEMENT, Slicer, statementsToWrite, writeRollup } from './rollup.js';

// A finished day is checked against its raw events again this long after its last check: each
// day of the lookback is looked at about once a day, whichever hour the run is.
const RECHECK_MS = 20 * 3_600_000;

// Queue receipts outlive the longest a message can stay in a queue (14 days); the consumer's
// per-minute progress and the runs' reports are kept for a week.
const RECEIPT_DAYS = 15;
const PROGRESS_DAYS = 7;

// turn() lets other requests in between two statements. Locally (wrangler dev, Miniflare) D1 runs
// on the Worker's own thread, and a chain of statements whose answers are ready at once never gives
// workerd's event loop a turn to accept a request: ingest waited for the whole run (bench/scale.mjs
// measured p50 27 s during a 50 s run). A timer is such a turn, and TURN_MS lets a request that
// arrived meanwhile send its statement before the next slice (in production, the round trip to D1
// does the same). A run of 1,000 statements pauses 2 s in all, none of it D1's time.
const TURN_MS = 2;
const turn = () => new Promise((resolve) => setTimeout(resolve, TURN_MS));

// Ledger counts what a run asks of D1, from D1's own meta of each call: statements, time (a batch
// holds the database for the sum of its statements, so it counts as one call that long), rows
// read and written. It is also the run's budget.
export class Ledger {
  constructor({ queryLimit, seconds }) {
    this.limit = queryLimit;
    this.deadline = Date.now() + seconds * 1000;
    Object.assign(this, { queries: 0, d1Ms: 0, longestMs: 0, rowsRead: 0, rowsWritten: 0 });
  }

  note(metas) {
    let duration = 0;
    for (const meta of metas) {
      this.queries += 1;
      duration += meta?.duration ?? 0;
      this.rowsRead += meta?.rows_read ?? 0;
      this.rowsWritten += meta?.rows_written ?? 0;
    }
    this.d1Ms += duration;
    this.longestMs = Math.max(this.longestMs, duration);
  }

  async all(statement) {
    const result = await statement.all();
    this.note([result.meta]);
    await turn();
    return result;
  }

  async run(statement) {
    const result = await statement.run();
    this.note([result.meta]);
    await turn();
    return result;
  }

  async batch(db, statements) {
    const results = await db.batch(statements);
    this.note(results.map((r) => r.meta));
    await turn();
    return results;
  }

  // left() is how many statements the run may still send, keeping `reserve` back.
  left(reserve = 0) {
    return Date.now() >= this.deadline ? 0 : this.limit - this.queries - reserve;
  }

  report() {
    return { queries: this.queries, d1_ms: Math.round(this.d1Ms), longest_ms: Math.round(this.longestMs), rows_read: this.rowsRead, rows_written: this.rowsWritten };
  }
}

// countDay() is a day's raw events in each store: one range of events_by_day each.
async function countDay(ledger, stores, day) {
  const counts = [];
  for (const { db } of stores) counts.push((await ledger.all(db.prepare('SELECT count(*) AS n FROM events WHERE day = ?1').bind(day))).results[0].n);
  return counts;
}

// The statements a day's rollup writes, budgeted before its rows are known: the reference catalogue
// writes a few hundred rows a day; more (senders choose versions) may leave the day for a later run.
const WRITE_STATEMENTS = statementsToWrite(ROWS_PER_STATEMENT);

// rollupDay() computes one day from every store within `slices` statements, and writes it if the
// statements left allow (keeping `reserve`). Returns whether it was written.
async function rollupDay(ledger, main, stores, catalogue, day, counts, slicer, { slices, reserve, now }) {
  const totals = new Map();
  const plan = { eventsLeft: counts.reduce((a, b) => a + b, 0), slicesLeft: slices, regionsLeft: REGION_COUNT * stores.length };
  for (const { db } of stores) await rollupDayOf(ledger, db, catalogue, day, slicer, totals, plan);
  const rows = finish(totals);
  if (statementsToWrite(rows.length) > ledger.left(reserve)) return false;
  await writeRollup(ledger, main, day, rows, counts.reduce((a, b) => a + b, 0), now);
  return true;
}

// rollupDays() rolls up `days` (newest first) as far as the ledger allows, keeping `reserve`
// statements back (the first day of a run only `minimumReserve`: a run always makes progress when
// it can). With `force`, every day is recomputed, otherwise only days whose raw events changed since
// their last rollup (rollup_runs), each looked at about once a day. A day before `edge` (retention's)
// is never replaced by a smaller count: retention may be deleting it. Returns the days rolled up
// and the days left for later.
export async function rollupDays(ledger, main, stores, catalogue, days, { now, slicer, reserve = 0, minimumReserve = reserve, force = false, edge = -Infinity }) {
  const known = new Map((await ledger.all(main.prepare('SELECT day, events, rolled_at FROM rollup_runs WHERE day IN (SELECT value FROM json_each(?1))')
    .bind(JSON.stringify(days)))).results.map((r) => [r.day, r]));
  const rolled = [];
  const pending = [];
  const unchanged = [];
  for (const day of days) {
    const last = known.get(day);
    if (!force && last && last.rolled_at > now - RECHECK_MS) continue;
    const keep = rolled.length ? reserve : minimumReserve;
    const fixed = stores.length + WRITE_STATEMENTS;
    if (ledger.left(keep) < fixed + REGION_COUNT * stores.length) {
      pending.push(day);
      continue;
    }
    const counts = await countDay(ledger, stores, day);
    const events = counts.reduce((a, b) => a + b, 0);
    if (!force && (last ? last.events === events : events === 0)) {
      unchanged.push([day, events]);
      continue;
    }
    if (day < edge && last && events < last.events) continue;
    const slices = ledger.left(keep) - WRITE_STATEMENTS;
    // Slices at the slicer's size would take this many statements; the day waits for a run that
    // has them, unless it is the run's first day (then the slices grow to fit).
    if (rolled.length && Math.ceil(events / slicer.events) + REGION_COUNT * stores.length > slices) {
      pending.push(day);
      continue;
    }
    let written = false;
    try {
      written = await rollupDay(ledger, main, stores, catalogue, day, counts, slicer, { slices, reserve: keep, now });
    } catch (error) {
      if (!(error instanceof RollupStopped)) throw error;
      console.error(`phonehome: maintenance: ${error.message}; it waits for the next run`);
    }
    (written ? rolled : pending).push(day);
  }
  // Days found unchanged (an empty day too) are not counted again for a day.
  if (unchanged.length && ledger.left() > 0) {
    await ledger.run(main.prepare(`INSERT INTO rollup_runs (day, events, rolled_at)
      SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?2 FROM json_each(?1) WHERE true
      ON CONFLICT (day) DO UPDATE SET rolled_at = excluded.rolled_at`).bind(JSON.stringify(unchanged), now));
  }
  if (pending.length && !rolled.length) {
    console.error(`phonehome: maintenance: ${pending.length} days wait for a rollup, and ${ledger.limit} statements a run (MAINTENANCE_QUERY_LIMIT) left too few for one over ${stores.length} event stores`);
  }
  return { rolled, pending };
}

// fillDays() gives rows stored before 0.3 (migration 0002) their day, in statements of a size that
// follows their measured time, while the ledger allows. Returns whether every store is done: until
// then no day is rolled up, as it would miss those rows.
export async function fillDays(ledger, stores, { chunk, targetMs, reserve = 0 }) {
  const sizer = new Slicer(chunk, targetMs);
  let done = true;
  for (const { db } of stores) {
    let left = true;
    while (left && ledger.left(reserve) > 0) {
      const result = await ledger.run(db.prepare(`UPDATE events SET day = occurred_at / ${DAY_MS}
        WHERE event_id IN (SELECT event_id FROM events WHERE day IS NULL LIMIT ?1)`).bind(sizer.events));
      left = result.meta.changes >= sizer.events;
      sizer.after(result.meta?.duration ?? 0);
    }
    done &&= !left;
  }
  return done;
}

// deleteOldEvents() deletes events of days before `beforeDay` from every store, in statements of
// a size that follows their measured time (as rollup slices do), while the ledger allows; each
// store gets an equal share of the statements left. Returns the events deleted and whether some
// may remain.
export async function deleteOldEvents(ledger, stores, beforeDay, { chunk, targetMs, reserve = 0 }) {
  let deleted = 0;
  let backlog = false;
  const sizer = new Slicer(chunk, targetMs);
  for (const [i, { db }] of stores.entries()) {
    const share = Math.floor(ledger.left(reserve) / (stores.length - i));
    let done = false;
    for (let n = 0; n < share && !done && ledger.left(reserve) > 0; n++) {
      const result = await ledger.run(db.prepare('DELETE FROM events WHERE event_id IN (SELECT event_id FROM events WHERE day < ?1 LIMIT ?2)')
        .bind(beforeDay, sizer.events));
      deleted += result.meta.changes;
      done = result.meta.changes < sizer.events;
      sizer.after(result.meta?.duration ?? 0);
    }
    backlog ||= !done;
  }
  return { deleted, backlog };
}

// runMaintenance() is the scheduled handler's work, over every event store (stores.js); rollups
// and counters live in DB. Late events (up to ROLLUP_LOOKBACK_DAYS old) are counted by rolling a
// day up again when its count of raw events has changed.
export async function runMaintenance(env, { stores }, catalogue, settings, now = Date.now()) {
  const db = env.DB;
  const startedAt = Date.now();
  const ledger = new Ledger({ queryLimit: settings.maintenanceQueryLimit, seconds: settings.maintenanceSeconds });
  const today = dayOf(now);
  const rollupCutoff = today - settings.rollupRetentionDays;
  await ledger.batch(db, [
    db.prepare('DELETE FROM rollup_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM rollup_daily_no_ci WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM rollup_runs WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM rejections_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM rejected_shapes_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM unmatched_daily WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM write_budget WHERE day < ?1').bind(today - 7),
    // Per-install counters matter only while their day lasts (they name installs, by hash).
    db.prepare('DELETE FROM install_writes WHERE day < ?1').bind(today),
    db.prepare('DELETE FROM queue_receipts WHERE day < ?1').bind(today - RECEIPT_DAYS),
    db.prepare('DELETE FROM queue_minutely WHERE minute < ?1').bind((today - PROGRESS_DAYS) * 1440),
    db.prepare('DELETE FROM maintenance_runs WHERE started_at < ?1').bind((today - PROGRESS_DAYS) * DAY_MS),
  ]);
  const retainedFrom = firstCompleteDay(now, settings.retentionDays);
  const days = [];
  for (let day = today - 1; day >= Math.max(retainedFrom, today - settings.rollupLookbackDays); day--) days.push(day);
  // Retention keeps a fifth of the run (at least two statements, all the first day may leave), and
  // the record one.
  const retentionShare = Math.max(2, Math.floor(settings.maintenanceQueryLimit / 5));
  const slicer = new Slicer(settings.rollupSliceEvents, settings.rollupStatementMs);
  const filled = await fillDays(ledger, stores, { chunk: settings.retentionDeleteChunk, targetMs: settings.rollupStatementMs, reserve: retentionShare + 1 });
  const { rolled, pending } = filled
    ? await rollupDays(ledger, db, stores, catalogue, days, { now, slicer, reserve: retentionShare + 1, minimumReserve: 3 })
    : { rolled: [], pending: days };
  const retention = await deleteOldEvents(ledger, stores, retainedFrom, { chunk: settings.retentionDeleteChunk, targetMs: settings.rollupStatementMs, reserve: 1 });
  const report = {
    // The record below is the run's last statement: counted in `queries`.
    started_at: startedAt, finished_at: Date.now(), ...ledger.report(), queries: ledger.queries + 1, rolled_up_days: rolled.length,
    deleted_events: retention.deleted, pending_days: pending.length, retention_backlog: retention.backlog ? 1 : 0,
  };
  const columns = Object.keys(report);
  await db.prepare(`INSERT INTO maintenance_runs (${columns.join(', ')}) VALUES (${columns.map((_, i) => `?${i + 1}`).join(', ')})
    ON CONFLICT (started_at) DO NOTHING`).bind(...Object.values(report)).run();
  return report;
}
