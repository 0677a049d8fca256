// insights.test.mjs: the daily maintenance (rollups, retention), rejection counts and the stats
// API, through the real worker's scheduled handler and a real local D1.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { directRollup, storedRollup } from './direct-rollup.mjs';
import { SESSION, startWorker, testCatalogue } from './harness.mjs';

const DAY = 86_400_000;
const TOKEN = 'test-stats-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const hex = (n, width = 12) => n.toString(16).padStart(width, '0');

// A session event of install `i`, session `s`, happening at `at` (ms).
function session(i, s, at, extra = {}) {
  return {
    ...SESSION, install_id: `8a4f3b29-6a1e-4b5c-9d2f-${hex(i)}`, session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${hex(s)}`,
    timestamp: at, ...extra,
  };
}

async function runSchedule(worker, now = Date.now()) {
  const result = await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date(now) });
  assert.equal(result.outcome, 'ok');
}

async function postAll(worker, path, events) {
  for (let i = 0; i < events.length; i += 1000) {
    const response = await worker.post(path, events.slice(i, i + 1000));
    assert.equal(response.status, 200, await response.clone().text());
  }
}

async function stats(worker, report, params = {}) {
  const response = await worker.fetch(`/v1/stats/${report}?${new URLSearchParams(params)}`, { headers: auth });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

describe('retention', () => {
  let worker;
  before(async () => {
    // Chunks of 300 rows that do not grow (a target of 1 ms), in runs of 30 statements.
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN, RETENTION_DELETE_CHUNK: '300', ROLLUP_STATEMENT_MS: '1', MAINTENANCE_QUERY_LIMIT: '30' } });
  });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('deletes exactly the events older than RETENTION_DAYS, by day boundary', async () => {
    const now = Date.now();
    const today = Math.floor(now / DAY);
    const oldestKept = (today - 90) * DAY; // the first millisecond of the oldest day kept
    await postAll(worker, '/v1/agentsonar/session', [
      session(1, 1, oldestKept),
      session(2, 2, oldestKept - 1),
      session(3, 3, (today - 91) * DAY + 5 * 3600_000),
      session(4, 4, today * DAY - 3600_000),
    ]);
    await runSchedule(worker, now);
    const kept = await worker.rows('SELECT session_id FROM events ORDER BY session_id');
    assert.deepEqual(kept.map((r) => r.session_id.slice(-1)), ['1', '4']);
  });

  test('keeps within MAINTENANCE_QUERY_LIMIT statements a run; the next runs go on until no old event is left', async () => {
    const old = Date.now() - 200 * DAY;
    const events = 6000;
    await postAll(worker, '/v1/agentsonar/session', Array.from({ length: events }, (_, i) => session(i, i, old + i)));
    const runs = [];
    for (let i = 0; i < 20; i++) {
      await runSchedule(worker, Date.now() + i); // each run its own started_at
      const [run] = await worker.rows('SELECT * FROM maintenance_runs ORDER BY started_at DESC LIMIT 1');
      runs.push(run);
      if (!run.retention_backlog) break;
    }
    assert.ok(runs.length > 1, 'one run of 30 statements cannot delete 6,000 events 300 at a time');
    assert.ok(runs.every((run) => run.queries <= 30), JSON.stringify(runs.map((r) => r.queries)));
    assert.ok(runs.every((run) => run.deleted_events > 0), 'every run deletes some');
    assert.equal(runs.reduce((n, run) => n + run.deleted_events, 0), events);
    assert.equal((await worker.rows('SELECT count(*) AS n FROM events'))[0].n, 0);
  });
});

describe('rollups and the stats API', () => {
  let worker;
  const now = Date.now();
  const today = Math.floor(now / DAY);
  const at = (daysAgo, hour) => (today - daysAgo) * DAY + hour * 3600_000;

  before(async () => {
    // Slices of one install, session or event: the counts must still be exact.
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN, ROLLUP_SLICE_EVENTS: '1', ROLLUP_STATEMENT_MS: '1', MAINTENANCE_QUERY_LIMIT: '1000' } });
    // Three days of traffic: installs 0-5 on 0.4.0 every day (so day 2 and 1 have no new ones),
    // installs 10-12 on 0.9.0 (a group of three: under MIN_GROUP_SIZE), installs 20-26 new on the
    // last day on 0.5.0, a few on Windows; and Langflow runs with successes and failures.
    const events = [];
    let s = 0;
    for (const daysAgo of [3, 2, 1]) {
      for (let i = 0; i <= 5; i++) events.push(session(i, s++, at(daysAgo, 9 + i), { os: i === 5 ? 'win32' : 'darwin' }));
      for (let i = 10; i <= 12; i++) events.push(session(i, s++, at(daysAgo, 10), { version: '0.9.0', os: 'linux' }));
    }
    for (let i = 20; i <= 26; i++) {
      events.push(session(i, s++, at(1, 12), { version: '0.5.0' }), session(i, s++, at(1, 13), { version: '0.5.0' }));
    }
    await postAll(worker, '/v1/agentsonar/session', events);
    // Langflow's run has no time field of its own: these are dated by their receive time, today.
    const runs = Array.from({ length: 20 }, (_, i) => ({ Seconds: 1, Success: i % 4 !== 0 }));
    await postAll(worker, '/v1/langflow/run', runs);
    // Rejected events: counted by SDK version, their data never stored.
    // Rejected: six of 0.5.0, a version five installs also use today (so it is named), and one each
    // of 0.2.0 and 0.1.0, which no install counted for (folded together).
    await postAll(worker, '/v1/agentsonar/session', [20, 21, 22, 23, 24].map((i) => session(i, s++, now, { version: '0.5.0' })));
    assert.equal((await worker.post('/v1/agentsonar/session', [
      ...Array.from({ length: 6 }, () => ({ version: '0.5.0', os: 'linux' })), { install_id: 'x', version: '0.2.0' }, { version: '0.1.0' },
    ])).status, 400);
    await runSchedule(worker, now);
  });
  after(async () => { await worker?.close(); });

  // expectedRollups() counts the raw rows directly, the way the rollup must.
  async function expectedRollups() {
    return directRollup(await worker.rows('SELECT * FROM events'), {
      includes: (day) => day < today && day >= today - 7,
      catalogue: testCatalogue(),
    });
  }

  async function storedRollups() {
    return storedRollup(await worker.rows('SELECT * FROM rollup_daily'));
  }

  test('rollups match a direct count over the raw rows, slice by slice', async () => {
    const expected = await expectedRollups();
    assert.ok(expected.length > 50, `${expected.length} slices`);
    assert.deepEqual(await storedRollups(), expected);
  });

  test('re-running the rollup gives the same numbers', async () => {
    const before = await storedRollups();
    await runSchedule(worker, now);
    assert.deepEqual(await storedRollups(), before);
  });

  test('the rollups hold no identifiers', async () => {
    const text = JSON.stringify(await worker.rows('SELECT * FROM rollup_daily'));
    assert.ok(!/8a4f3b29|a1b2c3d4/.test(text));
  });

  test('the stats API refuses a missing, wrong, one-character-off or very long token', async () => {
    for (const header of [undefined, 'Bearer wrong', `Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}${'x'.repeat(100_000)}`, TOKEN, `bearer ${TOKEN}`]) {
      const response = await worker.fetch('/v1/stats/products', { headers: header === undefined ? {} : { authorization: header } });
      assert.equal(response.status, 401, String(header).slice(0, 40));
      assert.equal((await response.json()).error.code, 'unauthorized');
      assert.equal(response.headers.get('access-control-allow-origin'), null, 'maintainer routes carry no CORS');
    }
  });

  test('refusals take the same time whatever the token: no hint of how close a guess was', async () => {
    // The compare hashes both sides and compares the digests with timingSafeEqual, so time cannot
    // depend on where a guess first differs. Over HTTP only gross differences could show; the
    // medians of interleaved rounds must agree within a wide margin.
    const kinds = {
      missing: {},
      wrong: { authorization: `Bearer ${'z'.repeat(TOKEN.length)}` },
      last_char_off: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` },
      very_long: { authorization: `Bearer ${TOKEN}${'x'.repeat(10_000)}` },
    };
    const times = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
    for (let round = 0; round < 40; round++) {
      for (const [kind, headers] of Object.entries(kinds)) {
        const t0 = performance.now();
        const response = await worker.fetch('/v1/stats/products', { headers });
        await response.arrayBuffer();
        times[kind].push(performance.now() - t0);
        assert.equal(response.status, 401);
      }
    }
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const medians = Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
    const values = Object.values(medians);
    assert.ok(Math.max(...values) < 4 * Math.min(...values), JSON.stringify(medians));
  });

  test('overview: active and new installs per day, as counted from the raw rows', async () => {
    const { days } = await stats(worker, 'overview', { product: 'agentsonar' });
    const byDay = Object.fromEntries(days.map((d) => [d.day, d]));
    const day = (n) => new Date((today - n) * DAY).toISOString().slice(0, 10);
    assert.deepEqual([3, 2, 1].map((n) => byDay[day(n)].installs), [9, 9, 16]);
    assert.deepEqual([3, 2, 1].map((n) => byDay[day(n)].new_installs), [9, 0, 7]);
    assert.deepEqual([3, 2, 1].map((n) => byDay[day(n)].events), [9, 9, 23]);
  });

  test('breakdowns fold groups under MIN_GROUP_SIZE installs into other', async () => {
    const versions = await stats(worker, 'breakdown', { product: 'agentsonar', dimension: 'version' });
    assert.deepEqual(versions.folding, { measure: 'installs', min_group_size: 5, unit: 'week' });
    const lastDay = new Date((today - 1) * DAY).toISOString().slice(0, 10);
    const last = Object.fromEntries(versions.days.filter((d) => d.day === lastDay).map((d) => [d.value, d.installs]));
    // 0.9.0 (three installs) is folded; as it alone would be, the smallest kept group (0.4.0, six)
    // joins it, so "other" never stands for one version.
    assert.deepEqual(last, { '0.5.0': 7, other: 9 });
    assert.ok(!versions.values.includes('0.9.0') && !versions.values.includes('0.4.0'));
    const os = await stats(worker, 'breakdown', { product: 'agentsonar', dimension: 'os' });
    assert.ok(!os.values.includes('windows'), 'one Windows install does not stand out');
  });

  test('outcomes: failures and successes from the declared success field', async () => {
    // The runs landed today; tomorrow's scheduled run rolls today up.
    await runSchedule(worker, now + DAY);
    const todayText = new Date(now).toISOString().slice(0, 10);
    const outcomes = await stats(worker, 'outcomes', { product: 'langflow', event: 'run', dimension: 'os', to: todayText });
    assert.equal(outcomes.folding.measure, 'events', 'Langflow collects no install ids');
    assert.deepEqual(outcomes.values, [{ value: 'unknown', successes: 15, failures: 5, failure_rate: 0.25 }]);
  });

  test('rejections are counted by code and SDK version, for today too', async () => {
    const { rejections, rules } = await stats(worker, 'rejections', { product: 'agentsonar', to: new Date(now).toISOString().slice(0, 10) });
    const counts = Object.fromEntries(rejections.map((r) => [`${r.code}/${r.version}`, r.count]));
    // Versions fold as the version breakdown folds them: 0.2.0 and 0.1.0 had no install.
    assert.deepEqual(counts, { 'missing_field/0.5.0': 6, 'missing_field/other': 1, 'invalid_uuid/other': 1 });
    // Each code is explained by the catalogue: the fields it can come from and what they expect.
    const missing = rules.session.missing_field;
    assert.equal(missing.link, '/#event-agentsonar-session');
    assert.ok(missing.fields.length > 0 && missing.fields.every((f) => /required/.test(f.expects)), JSON.stringify(missing));
    assert.ok(rules.session.invalid_uuid.fields.every((f) => /UUID/.test(f.expects)));
  });

  test('POST /v1/stats/rollup recomputes finished days on demand, and refuses today', async () => {
    const day = (n) => new Date((today - n) * DAY).toISOString().slice(0, 10);
    const response = await worker.fetch(`/v1/stats/rollup?from=${day(3)}&to=${day(1)}`, { method: 'POST', headers: auth });
    assert.equal(response.status, 200);
    const answer = await response.json();
    assert.equal(answer.rolled_up_days, 3);
    assert.deepEqual(answer.pending_days, []);
    assert.ok(answer.queries > 0 && answer.longest_ms >= 0 && answer.rows_read > 0, JSON.stringify(answer));
    const refused = await worker.fetch(`/v1/stats/rollup?from=${day(1)}&to=${day(0)}`, { method: 'POST', headers: auth });
    assert.equal(refused.status, 400);
  });

  test('bad stats requests are 400 with a reason', async () => {
    // Dates have their own code, invalid_date: stats-dates.test.mjs.
    for (const query of ['product=nosuch', 'product=agentsonar&dimension=ip', 'product=agentsonar&from=2020-01-01&to=2026-01-01']) {
      const response = await worker.fetch(`/v1/stats/breakdown?${query}`, { headers: auth });
      assert.equal(response.status, 400, query);
      assert.equal((await response.json()).error.code, 'invalid_stats_request');
    }
  });
});
