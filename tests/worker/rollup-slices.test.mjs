// rollup-slices.test.mjs: the rollup reads a day in slices of installs, sessions and events
// (worker/rollup.js). Whatever the slices, every number equals a direct count over the raw rows;
// and one install's flood of events costs the rollup in proportion to the events, not their square.
// Through the real Worker's scheduled handler and POST /v1/stats/rollup, with a real local D1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORE_SPAN } from '../../worker/stats.js';
import { directRollup, storedRollup } from './direct-rollup.mjs';
import { startWorker, testCatalogue } from './harness.mjs';
import { insertRaw } from './raw-rows.mjs';

const DAY = 86_400_000;
const TOKEN = 'test-stats-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const today = Math.floor(Date.now() / DAY);
const yesterday = today - 1;
const dateOf = (day) => new Date(day * DAY).toISOString().slice(0, 10);

// A seeded generator, so a failure can be replayed.
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (list) => list[Math.floor(random() * list.length)];

let serial = 0;
function row({ product, event, install = null, session = null, day, properties = {}, version = '1.0.0', os = 'linux' }) {
  const at = day * DAY + Math.floor(random() * DAY);
  return {
    event_id: `e${String(serial++).padStart(8, '0')}`, product, event, install_id: install, session_id: session,
    version, os, arch: pick(['x86_64', 'arm64', null]), runtime: 'python', runtime_version: pick(['3.11', '3.12']),
    occurred_at: at, received_at: at, time_source: 'client', properties: JSON.stringify(properties),
  };
}

// A day of every kind of unit: installs with sessions (agentsonar), sessions alone (axolotl),
// neither (langflow's version events, and its runs with a success field), installs seen the day
// before, a session id that comes both with and without an install, and empty-string ids.
function population() {
  const rows = [];
  for (let i = 0; i < 40; i++) {
    const install = `inst-${i % 7}-${i}`;
    const version = pick(['0.4.0', '0.5.0', '0.9.0']);
    const os = pick(['linux', 'darwin', 'windows']);
    if (i % 3 === 0) rows.push(row({ product: 'agentsonar', event: 'session', install, session: `s-old-${i}`, day: yesterday - 1, version, os }));
    for (let k = 0; k < 1 + (i % 5); k++) {
      rows.push(row({ product: 'agentsonar', event: 'session', install, session: `s-${i}-${k % 2}`, day: yesterday, version, os,
        properties: { adapter: pick(['crewai', 'autogen', 'langgraph']) } }));
    }
  }
  for (let s = 0; s < 30; s++) {
    for (let k = 0; k < 1 + (s % 4); k++) {
      const event = pick(['train_start', 'train_end', 'error']);
      const properties = event === 'error' ? { error_type: pick(['ValueError', 'torch.OutOfMemoryError', '']) }
        : event === 'train_end' ? { total_time_seconds: pick([0, 0.04, 59.5, 3600, 86_399.9]) } : {};
      rows.push(row({ product: 'axolotl', event, session: `ax-${s}`, day: yesterday, version: pick(['0.1.0', '0.2.0']), properties }));
    }
  }
  for (let n = 0; n < 25; n++) rows.push(row({ product: 'langflow', event: 'version', day: yesterday }));
  for (let n = 0; n < 25; n++) {
    rows.push(row({ product: 'langflow', event: 'run', session: n % 2 ? `lf-${n % 5}` : null, day: yesterday,
      properties: { success: n % 3 !== 0, seconds: pick([0, 0.001, 1.5, 1.5, 42, 1e6]), is_webhook: pick([true, false]), client_type: pick(['oss', 'desktop']) } }));
  }
  // A nested field, and a heartbeat without it.
  for (let n = 0; n < 6; n++) rows.push(row({ product: 'axon', event: 'heartbeat', install: `ax-inst-${n % 3}`, day: yesterday, properties: n % 2 ? { tasks: { total: n * 7 } } : {} }));
  // One session id under three installs and alone: a session per install, and one without
  // (docs/INSIGHTS.md), whatever the slices. Empty-string ids are ids.
  for (const install of ['inst-0-0', 'inst-1-1', '', null]) {
    rows.push(row({ product: 'agentsonar', event: 'session', install, session: 'shared', day: yesterday }));
  }
  rows.push(row({ product: 'agentsonar', event: 'session', session: '', day: yesterday }));
  // Ids past the Basic Multilingual Plane, and the highest code point followed by more: keys are
  // compared as bytes.
  rows.push(row({ product: 'agentsonar', event: 'session', install: '\u{10FFFF}x', session: '\u{1F600}', day: yesterday }));
  rows.push(row({ product: 'axolotl', event: 'error', session: '\u{10FFFF}\u{10FFFF}', day: yesterday }));
  return rows;
}

// expected() counts the raw rows of `day` directly (direct-rollup.mjs).
const expected = (raw, day) => directRollup(raw, { includes: (d) => d === day, catalogue: testCatalogue() });

const stored = async (worker, day) => storedRollup(await worker.rows(`SELECT * FROM rollup_daily WHERE day = ${day}`));


async function rollUp(worker, day) {
  const response = await worker.fetch(`/v1/stats/rollup?from=${dateOf(day)}&to=${dateOf(day)}`, { method: 'POST', headers: auth });
  assert.equal(response.status, 200, await response.clone().text());
  const answer = await response.json();
  assert.equal(answer.rolled_up_days, 1);
  return answer;
}

describe('rollup slices', () => {
  let worker;
  before(async () => {
    // Slices of one install, session or event: a target of 1 ms keeps them at their first size.
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN, ROLLUP_SLICE_EVENTS: '1', ROLLUP_STATEMENT_MS: '1', MAINTENANCE_QUERY_LIMIT: '1000' } });
  });
  after(async () => { await worker?.close(); });

  test('every number equals a direct count, with slices of one event and up, and with one slice', async () => {
    await worker.clear();
    await insertRaw(worker, population());
    const raw = await worker.rows();
    const want = expected(raw, yesterday);
    assert.ok(want.length > 50, 'the day has many groups');
    const sliced = await rollUp(worker, yesterday);
    assert.deepEqual(await stored(worker, yesterday), want);
    // The same day in one slice (a Worker whose first slice holds every event) gives the same rows.
    const whole = await startWorker({ vars: { STATS_TOKEN: TOKEN, ROLLUP_SLICE_EVENTS: '100000', MAINTENANCE_QUERY_LIMIT: '1000' } });
    try {
      await insertRaw(whole, raw);
      const answer = await rollUp(whole, yesterday);
      assert.deepEqual(await stored(whole, yesterday), want);
      assert.ok(sliced.queries > answer.queries + 50, `slices of one unit take many more statements (${sliced.queries} against ${answer.queries})`);
    } finally {
      await whole.close();
    }
  });

  test('the scheduled run rolls yesterday up, then leaves it until its raw events change', async () => {
    await worker.clear();
    await insertRaw(worker, population());
    const run = async (at) => {
      assert.equal((await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date(at) })).outcome, 'ok');
      return (await worker.rows('SELECT * FROM maintenance_runs ORDER BY started_at DESC LIMIT 1'))[0];
    };
    const midnight = today * DAY;
    const first = await run(midnight + 20 * 60_000);
    assert.ok(first.rolled_up_days >= 1);
    assert.deepEqual(await stored(worker, yesterday), expected(await worker.rows(), yesterday));
    // A late event. The day was looked at less than 20 hours ago: the next day's run counts it.
    await insertRaw(worker, [row({ product: 'axolotl', event: 'error', session: 'late', day: yesterday })]);
    const again = await run(midnight + 80 * 60_000);
    assert.equal(again.rolled_up_days, 0, 'an hour later nothing is rolled up again');
    const nextDay = await run(midnight + DAY + 20 * 60_000);
    assert.equal(nextDay.rolled_up_days, 1, 'the day with a late event (the new yesterday has no events)');
    assert.deepEqual(await stored(worker, yesterday), expected(await worker.rows(), yesterday));
    const unchanged = await run(midnight + 2 * DAY + 20 * 60_000);
    assert.equal(unchanged.rolled_up_days, 0, 'a day whose raw events did not change is not rolled up again');
  });

  test('one install flooding a day costs the rollup a few rows read per event, not a read per pair of its events', async () => {
    await worker.clear();
    await insertRaw(worker, population());
    const base = await rollUp(worker, yesterday);
    const flood = 900;
    // Each event a session of its own (a CLI run 900 times): nothing groups them away.
    await insertRaw(worker, Array.from({ length: flood }, (_, i) => row({ product: 'agentsonar', event: 'session', install: 'inst-flood', session: `flood-${i}`, day: yesterday })));
    const flooded = await rollUp(worker, yesterday);
    assert.deepEqual(await stored(worker, yesterday), expected(await worker.rows(), yesterday));
    const perEvent = (flooded.rows_read - base.rows_read) / flood;
    const [{ n: dayEvents }] = await worker.rows(`SELECT count(*) AS n FROM events WHERE day = ${yesterday}`);
    const perDayEvent = base.rows_read / (dayEvents - flood);
    if (process.env.PHONEHOME_SHOW_FLOOD) console.log(`flood: ${perEvent.toFixed(2)} rows read per flood event, ${perDayEvent.toFixed(2)} per event of the day before it`);
    // A flood event is read from events_by_day and the table, and counted in each dimension, like
    // any event; checking each against the install's other events would read ~flood rows each.
    assert.ok(perEvent < 2 * perDayEvent, `a flood event costs ${perEvent.toFixed(1)} rows read, the day's events ${perDayEvent.toFixed(1)} each`);
  });

  test('GET /v1/stats/ingest reads each store by seeks, and shows the last maintenance run', async () => {
    await worker.clear();
    await insertRaw(worker, population());
    const plan = (await worker.rows(`EXPLAIN QUERY PLAN ${STORE_SPAN}`)).map((step) => step.detail);
    assert.ok(plan.some((detail) => /^SEARCH events/.test(detail)) && plan.every((detail) => !/^SCAN events/.test(detail)), plan.join('; '));
    assert.equal((await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date(today * DAY + 20 * 60_000) })).outcome, 'ok');
    const report = await (await worker.fetch('/v1/stats/ingest', { headers: auth })).json();
    assert.equal(report.stores[0].oldest_day, dateOf(yesterday - 1));
    assert.equal(report.stores[0].newest_day, dateOf(yesterday));
    const run = report.maintenance;
    assert.ok(run.rolled_up_days >= 1 && run.queries > 0 && run.rows_read > 0 && run.pending_days === 0, JSON.stringify(run));
  });

  test('rows stored before 0.3 (day NULL after migration 0002) get their day, then are rolled up', async () => {
    await worker.clear();
    const rows = population();
    await insertRaw(worker, rows);
    await worker.execute('UPDATE events SET day = NULL');
    const run = await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date(today * DAY + 20 * 60_000) });
    assert.equal(run.outcome, 'ok');
    assert.deepEqual(await worker.rows('SELECT count(*) AS n FROM events WHERE day IS NULL OR day != occurred_at / 86400000'), [{ n: 0 }]);
    assert.deepEqual(await stored(worker, yesterday), expected(await worker.rows(), yesterday));
  });

  test('a run never sends more than MAINTENANCE_QUERY_LIMIT statements, however slow D1 is, and still rolls a day up', async () => {
    // A target of 1 ms stands for a D1 slower than the slices planned for: the slicer shrinks them.
    const slow = await startWorker({ vars: { STATS_TOKEN: TOKEN, ROLLUP_SLICE_EVENTS: '50', ROLLUP_STATEMENT_MS: '1', MAINTENANCE_QUERY_LIMIT: '30' } });
    try {
      const rows = [];
      for (let i = 0; i < 30; i++) rows.push(...population());
      await insertRaw(slow, rows);
      const runs = [];
      for (let hour = 0; hour < 3; hour++) {
        assert.equal((await (await slow.mf.getWorker()).scheduled({ scheduledTime: new Date(today * DAY + hour * 3_600_000 + 20 * 60_000) })).outcome, 'ok');
        runs.push((await slow.rows('SELECT * FROM maintenance_runs ORDER BY started_at DESC LIMIT 1'))[0]);
      }
      assert.ok(runs.every((run) => run.queries <= 30), JSON.stringify(runs));
      assert.ok(runs[0].rolled_up_days >= 1, 'the first run rolls yesterday up');
      assert.equal(runs.at(-1).pending_days, 0, 'the next runs finish what the first left');
      assert.deepEqual(await stored(slow, yesterday), expected(await slow.rows(), yesterday));
    } finally {
      await slow.close();
    }
  });
});
