// cells.js: the counts a stats answer is made of — rollup_daily's rows of finished days, and
// today's rows counted live from the raw events (live.js) — read the same way, so every report
// merges today with the past without knowing which is which.
//
// CI: for a product that declares a ci column, cells are read without CI (rollup_daily_no_ci and
// today's no-CI rows) unless the request asks `ci=include`; answers say which (ciOf()). Which values
// are folded is decided on the no-CI counts in both views (decisionCells()), so the two views fold
// the same values and neither can be subtracted from the other to bring one back.

import { dayOf, dayString } from './days.js';
import { hasCiColumn } from './fields.js';
import { todayRows } from './live.js';
import { ALL, NO_CI, ROLLUP_TABLES } from './rollup.js';

const COLUMNS = 'day, event, value, events, installs, sessions, new_installs, successes, failures';

// What an answer says of CI, per product: its numbers leave CI out, or include it, or the product
// declares no ci column (nothing to leave out: every event counts).
export const CI_EXCLUDED = 'excluded';
export const CI_INCLUDED = 'included';
export const CI_NOT_DECLARED = 'not_declared';

// Cells of one stats request: { db, catalogue, stores, settings, now, ci }, ci 'exclude' (the
// default) or 'include'. Today's rows are counted at most once per request, and only when the
// request reaches today.
export class Cells {
  constructor({ db, catalogue, stores, settings, now = Date.now(), ci = 'exclude' }) {
    Object.assign(this, { db, catalogue, stores, settings, now, ci, today: dayOf(now), live: null });
  }

  // ciOf() is what the cells of `product` say of CI: CI_EXCLUDED, CI_INCLUDED or CI_NOT_DECLARED.
  ciOf(product) {
    const declared = this.catalogue.products.find((p) => p.product === product);
    if (!declared || !hasCiColumn(declared)) return CI_NOT_DECLARED;
    return this.ci === 'include' ? CI_INCLUDED : CI_EXCLUDED;
  }

  liveRows() {
    this.live ??= todayRows(this.catalogue, this.stores, this.settings, this.now);
    return this.live;
  }

  // read() answers the cells of `product` and `dimension` on days from..to, for one event (or '*'),
  // or every event but '*' when event is null: [{ day, event, value, events, installs, … }].
  read({ product, dimension, event, from, to }) {
    return this.readVariant(this.ciOf(product) === CI_EXCLUDED ? NO_CI : ALL, { product, dimension, event, from, to });
  }

  // decisionCells() are the cells fold.js decides on, for event '*' of `dimension`: every value of
  // every event, sized by its events and installs without CI for a product with a ci column (0 for
  // a value only CI sent), whichever view the request asked for.
  async decisionCells({ product, dimension, from, to }) {
    const all = await this.readVariant(ALL, { product, dimension, event: '*', from, to });
    if (this.ciOf(product) === CI_NOT_DECLARED) return all;
    const noCi = new Map((await this.readVariant(NO_CI, { product, dimension, event: '*', from, to })).map((c) => [`${c.day}\u0000${c.value}`, c]));
    return all.map((c) => noCi.get(`${c.day}\u0000${c.value}`) ?? { ...c, events: 0, installs: 0, sessions: 0, new_installs: 0, successes: 0, failures: 0 });
  }

  // readVariant() is read() from one variant's rows (rollup.js: ALL or NO_CI).
  async readVariant(variant, { product, dimension, event, from, to }) {
    // The days as a list, today left to the live count: D1 then seeks (day, product, event, dimension) in the primary key once per
    // day, instead of reading every row of every day in the range.
    const days = [];
    for (let day = from; day <= to; day++) if (day !== this.today) days.push(day);
    const past = days.length === 0 ? [] : (await this.db.prepare(`SELECT ${COLUMNS} FROM ${ROLLUP_TABLES[variant]}
      WHERE day IN (SELECT value FROM json_each(?1)) AND product = ?2 AND ${event === null ? "event != '*'" : 'event = ?4'} AND dimension = ?3`)
      .bind(JSON.stringify(days), product, dimension, ...(event === null ? [] : [event])).all()).results;
    if (to < this.today || from > this.today) return past;
    const live = await this.liveRows();
    for (const r of live.rows) {
      if (r.variant !== variant || r.product !== product || r.dimension !== dimension) continue;
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
