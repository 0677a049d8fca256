// maintenance.js: the scheduled run (hourly, wrangler.toml). It prunes old counters, rolls up the
// finished days that need it (rollup.js), deletes raw events past RETENTION_DAYS, and records what
// it asked of D1 in maintenance_runs. Every step is idempotent: a re-run gives the same numbers.
//
// A run has a budget: MAINTENANCE_QUERY_LIMIT statements (an invocation may run 50 on Workers
// Free, 1,000 on Paid) and MAINTENANCE_SECONDS of time. Work that does not fit waits for the next
// run: a day's rollup is done whole or not started, and retention simply continues. Every statement
// is short (rollup.js), so ingest waits little behind a run.

import { DAY_MS, dayOf, firstCompleteDay } from './days.js';
import { rollupDayOf, Slicer, statementsToWrite, writeRollup } from './rollup.js';

// A finished day is checked against its raw events again this long after its last check: each
// day of the lookback is looked at about once a day, whichever hour the run is.
const RECHECK_MS = 20 * 3_600_000;

// Queue receipts outlive the longest a message can stay in a queue (14 days); the consumer's
// per-minute progress and the runs' reports are kept for a week.
const RECEIPT_DAYS = 15;
const PROGRESS_DAYS = 7;

// A rollup row guess per day for budgeting the write (the reference catalogue writes a few
// hundred): too low a guess costs one run's budget by a statement or two, never correctness.
const ROLLUP_ROWS_GUESS = 3000;

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
    return result;
  }

  async run(statement) {
    const result = await statement.run();
    this.note([result.meta]);
    return result;
  }

  async batch(db, statements) {
    const results = await db.batch(statements);
    this.note(results.map((r) => r.meta));
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

// countDay() is a day's raw events over every store: one range of events_by_day each.
async function countDay(ledger, stores, day) {
  let events = 0;
  for (const { db } of stores) events += (await ledger.all(db.prepare('SELECT count(*) AS n FROM events WHERE day = ?1').bind(day))).results[0].n;
  return events;
}

// rollupDay() computes one day from every store and writes it; `slicer` sizes the slices.
async function rollupDay(ledger, main, stores, catalogue, day, events, slicer, now) {
  const totals = new Map();
  for (const { db } of stores) await rollupDayOf(ledger, db, catalogue, day, slicer, totals);
  await writeRollup(ledger, main, day, totals, events, now);
}

// statementsFor() estimates the statements a day of `events` takes at the slicer's size.
const statementsFor = (events, stores, slicer) => Math.ceil(events / slicer.events) + 3 * stores.length + statementsToWrite(ROLLUP_ROWS_GUESS);

// rollupDays() rolls up `days` (newest first) as far as the ledger allows, keeping `reserve`
// statements back; with `force`, every day is recomputed, otherwise only days whose raw events
// changed since their last rollup (rollup_runs), each looked at about once a day. Returns the days
// rolled up and the days left for later.
export async function rollupDays(ledger, main, stores, catalogue, days, { now, slicer, reserve = 0, force = false }) {
  const known = new Map((await ledger.all(main.prepare('SELECT day, events, rolled_at FROM rollup_runs WHERE day IN (SELECT value FROM json_each(?1))')
    .bind(JSON.stringify(days)))).results.map((r) => [r.day, r]));
  const rolled = [];
  const pending = [];
  const unchanged = [];
  for (const day of days) {
    const last = known.get(day);
    if (!force && last && last.rolled_at > now - RECHECK_MS) continue;
    if (ledger.left(reserve) < stores.length + 1) {
      pending.push(day);
      continue;
    }
    const events = await countDay(ledger, stores, day);
    if (!force && (last ? last.events === events : events === 0)) {
      unchanged.push([day, events]);
      continue;
    }
    let needed = statementsFor(events, stores, slicer);
    if (needed > ledger.left(reserve) && rolled.length === 0) {
      // The first day of a run always fits: fewer, longer statements rather than no progress.
      const slices = Math.max(1, ledger.left(reserve) - (needed - Math.ceil(events / slicer.events)));
      slicer.events = Math.max(slicer.events, Math.ceil(events / slices));
      needed = statementsFor(events, stores, slicer);
    }
    if (needed > ledger.left(reserve)) {
      pending.push(day);
      continue;
    }
    await rollupDay(ledger, main, stores, catalogue, day, events, slicer, now);
    rolled.push(day);
  }
  // Days found unchanged (an empty day too) are not counted again for a day.
  if (unchanged.length && ledger.left() > 0) {
    await ledger.run(main.prepare(`INSERT INTO rollup_runs (day, events, rolled_at)
      SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?2 FROM json_each(?1) WHERE true
      ON CONFLICT (day) DO UPDATE SET rolled_at = excluded.rolled_at`).bind(JSON.stringify(unchanged), now));
  }
  return { rolled, pending };
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
    db.prepare('DELETE FROM rollup_runs WHERE day < ?1').bind(rollupCutoff),
    db.prepare('DELETE FROM rejections_daily WHERE day < ?1').bind(rollupCutoff),
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
  // Retention keeps a fifth of the run (at least two statements), and the record one.
  const retentionShare = Math.max(2, Math.floor(settings.maintenanceQueryLimit / 5));
  const slicer = new Slicer(settings.rollupSliceEvents, settings.rollupStatementMs);
  const { rolled, pending } = await rollupDays(ledger, db, stores, catalogue, days, { now, slicer, reserve: retentionShare + 1 });
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
