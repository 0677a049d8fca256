// cells.js: the counts a stats answer is made of — rollup_daily's rows of finished days, and
// today's rows counted live from the raw events (live.js) — read the same way, so every report
// merges today with the past without knowing which is which.

import { dayOf, dayString } from './days.js';
import { todayRows } from './live.js';

const COLUMNS = 'day, event, value, events, installs, sessions, new_installs, successes, failures';

// Cells of one stats request: { db, catalogue, stores, settings, now }. Today's rows are counted
// at most once per request, and only when the request reaches today.
export class Cells {
  constructor({ db, catalogue, stores, settings, now = Date.now() }) {
    Object.assign(this, { db, catalogue, stores, settings, now, today: dayOf(now), live: null });
  }

  liveRows() {
    this.live ??= todayRows(this.catalogue, this.stores, this.settings, this.now);
    return this.live;
  }

  // read() answers the cells of `product` and `dimension` on days from..to, for one event (or '*'),
  // or every event but '*' when event is null: [{ day, event, value, events, installs, … }].
  async read({ product, dimension, event, from, to }) {
    // The days as a list, today left to the live count: D1 then seeks (day, product, event, dimension) in the primary key once per
    // day, instead of reading every row of every day in the range.
    const days = [];
    for (let day = from; day <= to; day++) if (day !== this.today) days.push(day);
    const past = days.length === 0 ? [] : (await this.db.prepare(`SELECT ${COLUMNS} FROM rollup_daily
      WHERE day IN (SELECT value FROM json_each(?1)) AND product = ?2 AND ${event === null ? "event != '*'" : 'event = ?4'} AND dimension = ?3`)
      .bind(JSON.stringify(days), product, dimension, ...(event === null ? [] : [event])).all()).results;
    if (to < this.today || from > this.today) return past;
    const live = await this.liveRows();
    for (const r of live.rows) {
      if (r.product !== product || r.dimension !== dimension) continue;
      if (event === null ? r.event === '*' : r.event !== event) continue;
      past.push({ day: this.today, event: r.event, value: r.value, events: r.events, installs: r.installs, sessions: r.sessions,
        new_installs: r.new_installs, successes: r.successes, failures: r.failures });
    }
    return past;
  }

  // about() is what every answer says of its sources: today's coverage when the range reaches it,
  // and when the last rollup was written.
  async about(to) {
    const [run] = (await this.db.prepare('SELECT max(rolled_at) AS rolled_at FROM rollup_runs').all()).results;
    const live = to >= this.today && this.live ? await this.live : null;
    return {
      live: live ? {
        day: dayString(live.day), computed_at: new Date(live.computed_at).toISOString(), events_counted: live.events_counted,
        events_total: live.events_total, partial: live.partial,
      } : null,
      last_rollup: run?.rolled_at ? new Date(run.rolled_at).toISOString() : null,
    };
  }
}
