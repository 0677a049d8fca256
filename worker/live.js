// live.js: today's numbers, counted from the raw events the way the hourly rollup counts a finished
// day (rollup.js), so the stats API and the dashboard show events posted seconds ago. Nothing is
// written: the rows are held in the isolate for at most LIVE_MAX_AGE_MS, and computed again sooner
// (after LIVE_MIN_AGE_MS) once this isolate has stored events since.
//
// Bounded: at most LIVE_STATEMENTS statements per event store and LIVE_MAX_EVENTS events. A day
// larger than that is counted in part — installs in id order (random ids: an even sample of them),
// then sessions, then the rest — and the answer says so (partial, events_counted of events_total).

import { dayOf } from './days.js';
import { storedAt } from './live-signal.js';
import { Ledger } from './maintenance.js';
import { ALL, finish, REGION_COUNT, rollupDayOf, RollupStopped, Slicer } from './rollup.js';

export const LIVE_MAX_AGE_MS = 60_000;
const LIVE_MIN_AGE_MS = 3_000;
const LIVE_STATEMENTS = 24;
export const LIVE_MAX_EVENTS = 100_000;

let cached = null; // { catalogue, day, computedAt, promise }

// todayRows() answers { day, computed_at, events_counted, events_total, partial, rows }, rows as
// rollup_daily and rollup_daily_no_ci hold them (without `day`, with `variant`: rollup.js).
export async function todayRows(catalogue, stores, settings, now = Date.now()) {
  const day = dayOf(now);
  const age = cached ? now - cached.computedAt : Infinity;
  const fresh = cached && cached.catalogue === catalogue && cached.day === day
    && (age < LIVE_MIN_AGE_MS || (age < LIVE_MAX_AGE_MS && storedAt() < cached.computedAt));
  if (!fresh) {
    const promise = countToday(catalogue, stores, settings, day, now);
    cached = { catalogue, day, computedAt: now, promise };
    promise.catch(() => { if (cached?.promise === promise) cached = null; });
  }
  return cached.promise;
}

async function countToday(catalogue, stores, settings, day, now) {
  const totals = new Map();
  let eventsTotal = 0;
  let eventsCounted = 0;
  let partial = false;
  for (const store of stores) {
    const ledger = new Ledger({ queryLimit: LIVE_STATEMENTS + 1, seconds: 20 });
    const [{ events }] = (await ledger.all(store.db.prepare('SELECT count(*) AS events FROM events WHERE day = ?1').bind(day))).results;
    eventsTotal += events;
    if (events === 0) continue;
    const covered = Math.min(events, LIVE_MAX_EVENTS);
    const plan = { eventsLeft: covered, slicesLeft: LIVE_STATEMENTS, regionsLeft: REGION_COUNT };
    const before = new Map([...totals].map(([k, r]) => [k, { ...r }]));
    try {
      await rollupDayOf(ledger, store.db, catalogue, day, new Slicer(settings.rollupSliceEvents, settings.rollupStatementMs), totals, plan);
      eventsCounted += events;
    } catch (error) {
      if (!(error instanceof RollupStopped)) throw error;
      partial = true;
      // What the slices read before the budget ran out is a whole set of installs (and sessions).
      let counted = 0;
      for (const [key, row] of totals) {
        if (row.variant === ALL && row.event === '*' && row.dimension === 'all') counted += row.seen - (before.get(key)?.seen ?? 0);
      }
      eventsCounted += counted;
    }
  }
  return {
    day, computed_at: now, events_counted: eventsCounted, events_total: eventsTotal, partial,
    rows: finish(totals),
  };
}
