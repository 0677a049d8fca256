// clients-reports.test.mjs: the client kit's client reports (docs/PROTOCOL.md, "Client kit"), the
// Python and Node kits run as programs against the real worker: an event the server rejects is
// counted `rejected` in the state file and reported by a later run, where the stats show it; an
// unreachable collector counts the run's event `offline`, reported by a later run that reaches it;
// the counts are reset after a report the server took, kept after one it did not, reported at most
// once a day; events the settings hold back are no drop; an opted-out run sends no report; the
// shell kit (one event a call, no queue) reports nothing but keeps the counts in the shared file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { startWorker, waitFor } from './harness.mjs';
import { PRODUCT, clients, newStateDir, readState, run, runClient, startRecorder, stateFile } from './clients-kit.mjs';

const TOKEN = 'test-stats-token-reports-0123456789';
const DAY_S = 86400;
const NOWHERE = 'http://127.0.0.1:9'; // nothing listens: every request fails at once
const MAX_PENDING = 1000; // the kits' bound on events queued or being sent
const EXTRA = 7;

// A program that tracks MAX_PENDING + EXTRA events at once, then ends (Python closes; Node's exit hook).
const FLOOD = {
  python: ['python3', ['-c', `import sys; sys.path.insert(0, sys.argv[1]); import phonehome
t = phonehome.Telemetry("agentsonar", "0.4.0")
for i in range(${MAX_PENDING + EXTRA}): t.track("session", {"version": "0.4.0"})
t.close()`, clients]],
  node: [process.execPath, ['--input-type=module', '-e', `import { Telemetry } from '${clients}/phonehome.mjs';
const t = new Telemetry('agentsonar', { version: '0.4.0' });
for (let i = 0; i < ${MAX_PENDING + EXTRA}; i++) t.track('session', { version: '0.4.0' });`]],
};

describe('the client kit\'s client reports', () => {
  let worker;
  let recorder;
  let unreachable; // a proxy that drops every check unanswered, so the kit learns no settings
  before(async () => {
    worker = await startWorker({ port: 0, vars: { STATS_TOKEN: TOKEN } });
    recorder = await startRecorder(worker.url);
    unreachable = await startRecorder(worker.url, { failChecks: true });
  });
  after(async () => {
    await unreachable?.close();
    await recorder?.close();
    await worker?.close();
  });

  const settings = async (body) => {
    const response = await worker.fetch(`/v1/admin/${PRODUCT}/settings`, {
      method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, await response.clone().text());
  };
  afterEach(() => settings({ min_version: null, enabled: null }));

  // sends() runs a client and answers what it sent: { events, reports, stderr, state }.
  async function sends(name, { stateDir = newStateDir(), version = '0.4.0', env, via = recorder, url } = {}) {
    via.clear();
    const result = await runClient(name, { url: url ?? via.url, stateDir, version, env });
    assert.equal(result.status, 0, result.stderr);
    const isReport = (r) => r.method === 'POST' && r.path === `/v1/${PRODUCT}/client_report`;
    const reports = via.requests.filter(isReport).map((r) => JSON.parse(r.body));
    const events = via.requests.filter((r) => r.method === 'POST' && !isReport(r))
      .flatMap((r) => (r.path === '/v1/batch' ? JSON.parse(r.body).events : [JSON.parse(r.body)]));
    return { events, reports, stderr: result.stderr, state: readState(stateDir), stateDir };
  }
  // The stats of client reports, summed per reason over every version (a version seen by few
  // installs is shown as "other", with the other kits' ones).
  const reported = async () => {
    const response = await worker.fetch(`/v1/stats/client_reports?product=${PRODUCT}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    const totals = {};
    for (const r of (await response.json()).rows) totals[r.reason] = (totals[r.reason] ?? 0) + r.count;
    return totals;
  };
  const stored = async (version) => Object.fromEntries((await worker.rows(`SELECT reason, sum(count) AS n FROM client_reports_daily
    WHERE product = '${PRODUCT}' AND version = '${version}' GROUP BY reason`)).map((r) => [r.reason, r.n]));
  const age = (stateDir, key) => {
    const state = readState(stateDir);
    writeFileSync(stateFile(stateDir), JSON.stringify({ ...state, [key]: state[key] - DAY_S - 60 }));
  };

  for (const name of ['python', 'node']) {
    // Each kit reports under versions of its own, so that the counts do not mix.
    const version = { python: '0.6.1', node: '0.6.2' }[name];

    test(`${name}: an event the server rejects is counted, and a later run reports it (debug prints the answer)`, async () => {
      const before = (await reported()).rejected ?? 0;
      await settings({ min_version: '9.0.0' }); // the server refuses this version; the kit, without its check, does not know
      const first = await sends(name, { version, via: unreachable });
      assert.equal(first.events.length, 1, 'the event was sent');
      assert.deepEqual(first.state.dropped, { rejected: 1 });
      assert.deepEqual(first.reports, [], 'nothing to report before this run');

      await settings({ min_version: null });
      const second = await sends(name, { stateDir: first.stateDir, version, env: { PHONEHOME_DEBUG: '1' } });
      assert.deepEqual(second.reports, [{ version, dropped: { rejected: 1 } }]);
      assert.match(second.stderr, /^phonehome: POST \/v1\/agentsonar\/client_report -> 200 \{"status":"accepted"\}/m, second.stderr);
      assert.deepEqual(second.state.dropped, {}, 'reset after the server took it');
      assert.ok(Math.abs(second.state.reported_at - Date.now() / 1000) < 60, 'reported_at is now');
      await waitFor(async () => (await stored(version)).rejected === 1, { ms: 5000, what: 'the report stored' });
      assert.equal((await reported()).rejected, before + 1, 'the stats show it');
    });

    test(`${name}: an unreachable collector counts the event offline; a later run that reaches it reports it`, async () => {
      const offlineVersion = `${version}-rc.1`;
      const first = await sends(name, { version: offlineVersion, url: NOWHERE });
      assert.deepEqual(first.state.dropped, { offline: 1 });
      const second = await sends(name, { stateDir: first.stateDir, version: offlineVersion, url: NOWHERE });
      assert.deepEqual(second.state.dropped, { offline: 2 }, 'a failed report resets nothing, and the counts add up');
      assert.equal(second.state.reported_at, undefined);

      const third = await sends(name, { stateDir: first.stateDir, version: offlineVersion });
      assert.equal(third.events.length, 1);
      assert.deepEqual(third.reports, [{ version: offlineVersion, dropped: { offline: 2 } }]);
      assert.deepEqual(third.state.dropped, {});
      await waitFor(async () => (await stored(offlineVersion)).offline === 2, { ms: 5000, what: 'the report stored' });
    });

    test(`${name}: at most one report a day; a day later, the next`, async () => {
      const dailyVersion = `${version}-beta.1`;
      const stateDir = newStateDir();
      await sends(name, { stateDir, version: dailyVersion, url: NOWHERE });
      assert.equal((await sends(name, { stateDir, version: dailyVersion })).reports.length, 1);
      await sends(name, { stateDir, version: dailyVersion, url: NOWHERE });
      const sameDay = await sends(name, { stateDir, version: dailyVersion });
      assert.deepEqual(sameDay.reports, [], 'reported already today');
      assert.deepEqual(sameDay.state.dropped, { offline: 1 }, 'kept for tomorrow');
      age(stateDir, 'reported_at');
      const nextDay = await sends(name, { stateDir, version: dailyVersion });
      assert.deepEqual(nextDay.reports, [{ version: dailyVersion, dropped: { offline: 1 } }]);
      assert.deepEqual(nextDay.state.dropped, {});
    });

    test(`${name}: events the settings hold back are no drop`, async () => {
      await settings({ enabled: false });
      const off = await sends(name, { version });
      assert.deepEqual(off.events, []);
      assert.deepEqual(off.state.dropped ?? {}, {});
      await settings({ enabled: null, min_version: '9.0.0' });
      age(off.stateDir, 'checked_at');
      const old = await sends(name, { stateDir: off.stateDir, version });
      assert.deepEqual(old.events, []);
      assert.deepEqual(old.state.dropped ?? {}, {});
    });

    test(`${name}: beyond ${MAX_PENDING} events queued or being sent, new ones are dropped as queue_full`, async () => {
      const stateDir = newStateDir();
      const result = await run(...FLOOD[name], { PHONEHOME_URL: NOWHERE, PHONEHOME_STATE_DIR: stateDir, DO_NOT_TRACK: '', PHONEHOME_DEBUG: '' });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(readState(stateDir).dropped, { queue_full: EXTRA, offline: MAX_PENDING }, 'the rest lost with nothing listening');
    });

    test(`${name}: an opted-out run sends no report, even with drops to report`, async () => {
      const stateDir = newStateDir();
      await sends(name, { stateDir, version, url: NOWHERE });
      assert.deepEqual(readState(stateDir).dropped, { offline: 1 });
      recorder.clear();
      const result = await runClient(name, { url: recorder.url, stateDir, version, env: { DO_NOT_TRACK: '1' } });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(recorder.requests, []);
      assert.deepEqual(readState(stateDir).dropped, { offline: 1 }, 'left as it was');
    });
  }

  test('shell: sends no report, and keeps the counts another kit left in the shared state file', async () => {
    const stateDir = newStateDir();
    await sends('python', { stateDir, version: '0.6.3', url: NOWHERE });
    const before = readState(stateDir);
    const shell = await sends('shell', { stateDir, version: '0.6.3' });
    assert.equal(shell.events.length, 1);
    assert.deepEqual(shell.reports, [], 'the shell kit sends no report');
    // The shell kit saves in the background after its check: wait for its last write.
    await waitFor(async () => readState(stateDir).checked_at > 0, { ms: 5000, what: 'the shell kit\'s check saved' });
    assert.deepEqual(readState(stateDir).dropped, before.dropped);
    assert.deepEqual(before.dropped, { offline: 1 });
    const python = await sends('python', { stateDir, version: '0.6.3' });
    assert.deepEqual(python.reports, [{ version: '0.6.3', dropped: { offline: 1 } }], 'the Python kit still reports them');
  });

  test('the reasons the kits count are reasons the route accepts', async () => {
    const { DROP_REASONS } = await import('../../worker/client-reports.js');
    for (const reason of ['offline', 'queue_full', 'rejected']) assert.ok(DROP_REASONS.includes(reason), reason);
  });
});
