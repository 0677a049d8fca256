// stores.test.mjs: raw events across two D1 databases (EVENT_ROUTES, worker/stores.js), in direct
// mode and in queue mode, in real workerd with two real local D1 bindings. Rows land where the
// rules say; duplicates, rollups, the stats API, forget and retention work across both; rollups
// stay in DB.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { consumerIdle, SESSION, startWorker, waitFor } from './harness.mjs';

const DAY = 86_400_000;
const TOKEN = 'test-stats-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const hex = (n) => n.toString(16).padStart(12, '0');
const installOf = (n) => `8a4f3b29-6a1e-4b5c-9d2f-${hex(n)}`;
const session = (n, at, install = n) => ({ ...SESSION, install_id: installOf(install), session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${hex(n)}`, timestamp: at });
const monthOf = (ms) => new Date(ms).toISOString().slice(0, 7);

const now = Date.now();
const today = Math.floor(now / DAY);
const yesterday = (today - 1) * DAY + 12 * 3600_000;
// This month's agentsonar events and every axolotl event go to EVENTS_B; the rest stay in DB.
const ROUTES = `product=axolotl -> EVENTS_B; product=agentsonar & month>=${monthOf(now)} -> EVENTS_B`;
const expectedStore = (at) => (monthOf(at) === monthOf(now) ? 'EVENTS_B' : 'DB');
const OLD = Date.UTC(2025, 3, 29, 1, 47, 14); // past retention: retention removes it at the end

const SYSTEM_INFO = { run_id: '5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5', os: 'linux', python: '3.11.4', axolotl_version: '0.6.0' };

for (const mode of ['direct', 'queue']) {
  describe(`two event stores, ${mode} mode`, () => {
    let worker;
    const events = {
      recent: session(1, now - 60_000, 1),
      old: session(2, OLD, 1), // the same install as `recent`, in the other database
      yesterday: Array.from({ length: 6 }, (_, i) => session(10 + i, yesterday + i * 1000, 10 + i)),
    };
    before(async () => {
      worker = await startWorker({
        databases: ['EVENTS_B'],
        vars: { STATS_TOKEN: TOKEN, EVENT_ROUTES: ROUTES, QUEUE_RETRY_BASE_SECONDS: '0', MIN_GROUP_SIZE: '1' },
        ...(mode === 'queue' ? { queue: { maxBatchTimeout: 0.05 } } : {}),
      });
    });
    after(async () => { await worker?.close(); });

    const sessionsIn = async (binding) => (await worker.rows('SELECT session_id FROM events ORDER BY session_id', binding)).map((r) => r.session_id);
    async function landed(total) {
      await waitFor(async () => (await sessionsIn('DB')).length + (await sessionsIn('EVENTS_B')).length >= total,
        { what: `${total} rows across both databases` });
    }

    test('each row is stored in the database its rule names, and only there', async () => {
      const all = [events.recent, events.old, ...events.yesterday];
      const response = await worker.post('/v1/agentsonar/session', all);
      assert.equal(response.status, 200, await response.clone().text());
      assert.equal((await worker.post('/v1/axolotl/system_info', SYSTEM_INFO)).status, 200);
      await landed(all.length + 1);
      const want = { DB: [], EVENTS_B: [SYSTEM_INFO.run_id] };
      for (const e of all) want[expectedStore(e.timestamp)].push(e.session_id);
      assert.deepEqual(await sessionsIn('DB'), want.DB.sort());
      assert.deepEqual(await sessionsIn('EVENTS_B'), want.EVENTS_B.sort());
    });

    if (mode === 'direct') {
      test('each verdict finds its own row, whichever database holds it', async () => {
        const fresh = [session(4, OLD + 1000, 4), session(5, now - 30_000, 5)]; // to DB, to EVENTS_B
        const answer = await (await worker.post('/v1/agentsonar/session', [fresh[0], events.recent, fresh[1], events.old])).json();
        assert.deepEqual(answer.results.map((r) => r.status), ['accepted', 'duplicate', 'accepted', 'duplicate']);
        assert.ok((await sessionsIn(expectedStore(fresh[1].timestamp))).includes(fresh[1].session_id));
        assert.ok((await sessionsIn('DB')).includes(fresh[0].session_id));
      });
    } else {
      test('a retried request stores nothing twice', async () => {
        assert.equal((await worker.post('/v1/agentsonar/session', [events.recent, events.old])).status, 200);
        await consumerIdle(worker);
        const total = (await sessionsIn('DB')).length + (await sessionsIn('EVENTS_B')).length;
        assert.equal(total, 2 + events.yesterday.length + 1);
      });
    }

    if (mode === 'queue') {
      test('a message whose rows cannot be routed is dead-lettered alone', async () => {
        const day = Math.floor(now / DAY);
        const row = { event_id: 'routed-good', product: 'agentsonar', event: 'session', occurred_at: now, received_at: now, time_source: 'client', properties: '{}' };
        const bad = `{"v":1,"kind":"rows","day":${day}}\n[null]`;
        await worker.sendToQueue([bad, `{"v":1,"kind":"rows","day":${day}}\n${JSON.stringify([row])}`]);
        assert.deepEqual(await waitFor(async () => { const l = await worker.deadLetters(); return l.length && l; }, { what: 'the dead letter' }), [bad]);
        assert.equal((await worker.rows("SELECT count(*) AS n FROM events WHERE event_id = 'routed-good'", 'EVENTS_B'))[0].n, 1);
      });
    }

    test('rollups read across both databases and are kept in DB alone', async () => {
      const day = new Date(yesterday).toISOString().slice(0, 10);
      const rolled = await worker.fetch(`/v1/stats/rollup?from=${day}&to=${day}`, { method: 'POST', headers: auth });
      assert.equal(rolled.status, 200, await rolled.clone().text());
      const overview = await (await worker.fetch(`/v1/stats/overview?product=agentsonar&from=${day}&to=${day}`, { headers: auth })).json();
      assert.deepEqual(overview.days.map((d) => [d.day, d.events, d.installs]), [[day, 6, 6]]);
      assert.equal((await worker.rows('SELECT count(*) AS n FROM rollup_daily', 'EVENTS_B'))[0].n, 0);
    });

    test('GET /v1/stats/ingest lists both databases with their spans', async () => {
      const report = await (await worker.fetch('/v1/stats/ingest', { headers: auth })).json();
      assert.equal(report.mode, mode);
      assert.deepEqual(report.stores.map((s) => s.binding), ['DB', 'EVENTS_B']);
      const db = report.stores[0];
      assert.equal(db.oldest_day, new Date(OLD).toISOString().slice(0, 10));
      assert.ok(report.stores.every((s) => s.database_bytes > 0));
    });

    test('forget deletes an install from every database', async () => {
      const response = await worker.post('/v1/forget', { install_id: installOf(1) });
      assert.deepEqual(await response.json(), { deleted: 2 });
      const left = [...await sessionsIn('DB'), ...await sessionsIn('EVENTS_B')];
      assert.ok(!left.includes(events.recent.session_id) && !left.includes(events.old.session_id));
    });

    test('retention deletes old events in every database', async () => {
      // An old row straight into EVENTS_B (no route sends old events there any more: routes change).
      await worker.execute(`INSERT INTO events (event_id, product, event, occurred_at, received_at, time_source, day)
        VALUES ('old-b', 'agentsonar', 'session', ?1, ?1, 'client', ?2)`, [OLD, Math.floor(OLD / 86_400_000)], 'EVENTS_B');
      await worker.post('/v1/agentsonar/session', session(3, OLD, 3));
      await waitFor(async () => (await sessionsIn('DB')).includes(session(3, OLD).session_id), { what: 'the old row' });
      const result = await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date(now) });
      assert.equal(result.outcome, 'ok');
      const oldLeft = async (binding) => (await worker.rows(`SELECT count(*) AS n FROM events WHERE occurred_at = ${OLD}`, binding))[0].n;
      await waitFor(async () => (await oldLeft('DB')) + (await oldLeft('EVENTS_B')) === 0, { what: 'retention in both databases' });
    });
  });
}

// One database fails while the other commits: the request (direct mode) or the message (queue
// mode) is retried, and every event, its budget count and its rejection count land once.
for (const mode of ['direct', 'queue']) {
  describe(`two event stores, one failing, ${mode} mode`, () => {
    let worker;
    before(async () => {
      worker = await startWorker({
        faults: true, databases: ['EVENTS_B'],
        vars: { EVENT_ROUTES: 'product=axolotl -> EVENTS_B', QUEUE_RETRY_BASE_SECONDS: '0' },
        ...(mode === 'queue' ? { queue: { maxBatchTimeout: 0.05 } } : {}),
      });
    });
    after(async () => { await worker?.close(); });

    test('every event, budget count and rejection count lands once', async () => {
      const request = {
        events: [
          { product: 'agentsonar', event: 'session', ...session(40, now - 1000, 40) },
          { product: 'agentsonar', event: 'session', ...session(41, now - 1000, 41), version: '??' },
          { product: 'axolotl', event: 'system_info', ...SYSTEM_INFO },
        ],
      };
      if (mode === 'direct') {
        await worker.setFault('fail', { binding: 'EVENTS_B' });
        const failed = await worker.post('/v1/batch', request);
        assert.equal(failed.status, 503);
        assert.equal((await worker.rows('SELECT count(*) AS n FROM rejections_daily'))[0].n, 0, 'no count for a failed request');
        assert.equal((await worker.rows('SELECT coalesce(sum(rows), 0) AS n FROM write_budget'))[0].n, 0, 'the budget was given back');
        await worker.setFault('none');
        const retried = await (await worker.post('/v1/batch', request)).json();
        assert.deepEqual(retried.results.map((r) => r.status), ['duplicate', 'rejected', 'accepted']);
      } else {
        await worker.setFault('sequence', { steps: 'fail,fail,ok', binding: 'EVENTS_B' });
        assert.equal((await worker.post('/v1/batch', request)).status, 200);
        await waitFor(async () => (await worker.rows('SELECT count(*) AS n FROM events', 'EVENTS_B'))[0].n === 1, { what: 'the axolotl row' });
        await consumerIdle(worker);
      }
      const rows = async (binding) => (await worker.rows('SELECT count(*) AS n FROM events', binding))[0].n;
      assert.deepEqual([await rows('DB'), await rows('EVENTS_B')], [1, 1]);
      assert.equal((await worker.rows('SELECT sum(count) AS n FROM rejections_daily'))[0].n, 1);
      assert.equal((await worker.rows('SELECT sum(rows) AS n FROM write_budget'))[0].n, 2, 'DB counts both databases\' rows, once');
      assert.equal((await worker.rows('SELECT count(*) AS n FROM write_budget', 'EVENTS_B'))[0].n, 0, 'one budget, kept in DB');
    });
  });
}

describe('EVENT_ROUTES mistakes', () => {
  for (const [routes, why] of [['product=axon -> EVENTS_MISSING', 'a binding the Worker lacks'], ['axon => EVENTS_B', 'an unreadable rule']]) {
    test(`${why}: ingest answers 500 misconfigured and stores nothing`, async () => {
      const worker = await startWorker({ vars: { EVENT_ROUTES: routes } });
      try {
        const response = await worker.post('/v1/agentsonar/session', SESSION);
        assert.equal(response.status, 500);
        assert.equal((await response.json()).error.code, 'misconfigured');
        assert.equal((await worker.rows('SELECT count(*) AS n FROM events'))[0].n, 0);
      } finally {
        await worker.close();
      }
    });
  }
});
