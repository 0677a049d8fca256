// clients-check.test.mjs: the client kit and the version check (docs/PROTOCOL.md, "Client kit"),
// each of the Python, Node and shell kits run as programs against the real worker, settings and
// advisories set through the admin API: the check is made at most once a day and counted; the
// product switched off, the event switched off, or a min_version above the kit's version sends
// nothing; warning and critical advisories are printed once each; and a check that cannot be
// reached keeps the last settings, or sends as usual when there are none (fail open). What a
// client sent is read from the recording proxy: the kit holds events back itself, whatever the
// Worker would do with them.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { startWorker, waitFor } from './harness.mjs';
import { CLIENTS, EVENT, PRODUCT, newStateDir, readState, runClient, startRecorder, stateFile } from './clients-kit.mjs';

const TOKEN = 'test-stats-token-clients-0123456789';
const DAY_S = 86400;

describe('the client kit and the version check', () => {
  let worker;
  let recorder;
  let unreachable; // a proxy that drops every check unanswered
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

  const admin = async (path, method, body) => {
    const response = await worker.fetch(`/v1/admin/${PRODUCT}${path}`, {
      method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.equal(response.status, 200, `${method} ${path}: ${await response.clone().text()}`);
    return response.json();
  };
  const settings = (body) => admin('/settings', 'PUT', body);
  afterEach(async () => {
    await settings({ enabled: null, min_version: null, events: { [EVENT]: { enabled: null, min_version: null } } });
    for (const { id, withdrawn_at: withdrawn } of (await admin('', 'GET')).advisories) if (!withdrawn) await admin(`/advisories/${id}`, 'DELETE');
  });

  // sends() runs a client and answers what it sent: { events, checks, stderr, state }.
  async function sends(name, { stateDir = newStateDir(), version, env, via = recorder } = {}) {
    via.clear();
    const result = await runClient(name, { url: via.url, stateDir, version, env });
    assert.equal(result.status, 0, result.stderr);
    return { events: via.events(), checks: via.checks(), stderr: result.stderr, state: readState(stateDir), stateDir };
  }
  const ageCheck = (stateDir, seconds) => {
    const state = readState(stateDir);
    writeFileSync(stateFile(stateDir), JSON.stringify({ ...state, checked_at: state.checked_at - seconds }));
  };

  for (const name of Object.keys(CLIENTS)) {
    // Each kit counts under a version of its own, so that the counts do not mix.
    const version = { python: '0.4.1', node: '0.4.2', shell: '0.4.3' }[name];
    const counted = async () => (await worker.rows(`SELECT coalesce(sum(count), 0) AS n FROM checks_daily
      WHERE product = '${PRODUCT}' AND version = '${version}' AND ci = 'github_actions'`))[0].n;

    test(`${name}: checks at most once a day, and the check is counted with its ci`, async () => {
      const before = await counted();
      const env = { GITHUB_ACTIONS: 'true' };
      const first = await sends(name, { version, env });
      assert.deepEqual(first.checks, [{ version, ci: 'github_actions' }]);
      assert.equal(first.events.length, 1);
      assert.ok(Math.abs(first.state.checked_at - Date.now() / 1000) < 60, 'checked_at is now, in epoch seconds');
      assert.equal(first.state.settings?.enabled, true, 'the answer\'s settings are kept');

      const second = await sends(name, { stateDir: first.stateDir, version, env });
      assert.deepEqual(second.checks, [], 'not twice in a day');
      assert.equal(second.events.length, 1);

      ageCheck(first.stateDir, DAY_S + 60);
      const third = await sends(name, { stateDir: first.stateDir, version, env });
      assert.equal(third.checks.length, 1, 'a day later, again');
      await waitFor(async () => (await counted()) === before + 2, { ms: 5000, what: 'two checks counted' });
    });

    test(`${name}: the product switched off sends nothing (and says so under debug); on again, it sends`, async () => {
      await settings({ enabled: false });
      const off = await sends(name, { env: { PHONEHOME_DEBUG: '1' } });
      assert.equal(off.checks.length, 1);
      assert.deepEqual(off.events, []);
      assert.equal(off.state.settings.enabled, false);
      assert.match(off.stderr, /nothing sent/);

      await settings({ enabled: null });
      ageCheck(off.stateDir, DAY_S + 60);
      const on = await sends(name, { stateDir: off.stateDir });
      assert.equal(on.events.length, 1, 'the next day\'s check turns it back on');
    });

    test(`${name}: the event switched off sends nothing`, async () => {
      await settings({ events: { [EVENT]: { enabled: false } } });
      const { events, checks } = await sends(name);
      assert.equal(checks.length, 1);
      assert.deepEqual(events, []);
    });

    test(`${name}: an event's own settings win over its product's, as on the server`, async () => {
      await settings({ enabled: false, events: { [EVENT]: { enabled: true } } });
      assert.equal((await sends(name)).events.length, 1, 'the product is off, this event on');
      await settings({ enabled: null, min_version: '0.5.0', events: { [EVENT]: { enabled: null, min_version: '0.3.0' } } });
      assert.equal((await sends(name, { version: '0.4.0' })).events.length, 1, 'the event\'s lower minimum');
    });

    test(`${name}: a min_version above the kit's version sends nothing; at or above it, it sends`, async () => {
      await settings({ min_version: '0.5.0' });
      assert.deepEqual((await sends(name, { version: '0.4.9' })).events, []);
      assert.deepEqual((await sends(name, { version: '0.5.0-rc.1' })).events, [], 'a pre-release comes before its release');
      assert.equal((await sends(name, { version: '0.5.0' })).events.length, 1);
      assert.equal((await sends(name, { version: '1.0.0' })).events.length, 1);

      await settings({ min_version: null, events: { [EVENT]: { min_version: '0.4.5' } } });
      assert.deepEqual((await sends(name, { version: '0.4.4' })).events, [], 'the event\'s own minimum');
      assert.equal((await sends(name, { version: '0.4.5' })).events.length, 1);
    });

    test(`${name}: warning and critical advisories are printed once each; info ones not`, async () => {
      const id = (kind) => `KIT-${name.toUpperCase()}-${kind}`; // withdrawn ids stay taken
      const advisories = {
        [id('CRIT')]: { range: '<0.5.0', level: 'critical', message: 'Data loss in 0.4: upgrade to 0.5', url: 'https://example.com/kit-crit-1' },
        [id('WARN')]: { range: '>=0.4.0 <0.5.0', level: 'warning', message: 'Slow start in 0.4' },
        [id('INFO')]: { range: '*', level: 'info', message: 'A new dashboard is out' },
        [id('OTHER')]: { range: '>=2.0.0', level: 'critical', message: 'Only 2.x is concerned' },
      };
      for (const [key, advisory] of Object.entries(advisories)) await admin(`/advisories/${key}`, 'PUT', advisory);
      const first = await sends(name, { version: '0.4.0' });
      assert.ok(first.stderr.includes('Data loss in 0.4: upgrade to 0.5') && first.stderr.includes('https://example.com/kit-crit-1'), first.stderr);
      assert.ok(first.stderr.includes('Slow start in 0.4'), first.stderr);
      assert.ok(!first.stderr.includes('A new dashboard') && !first.stderr.includes('Only 2.x'), first.stderr);
      assert.deepEqual([...first.state.advisories_shown].sort(), [id('CRIT'), id('WARN')]);
      assert.equal(first.events.length, 1, 'advisories hold nothing back');

      ageCheck(first.stateDir, DAY_S + 60);
      const next = await sends(name, { stateDir: first.stateDir, version: '0.4.0' });
      assert.equal(next.checks.length, 1);
      assert.equal(next.stderr, '', 'each advisory once');
    });

    test(`${name}: a check that cannot be reached fails open: the last settings, or none, and sends`, async () => {
      const fresh = await sends(name, { via: unreachable });
      assert.equal(fresh.checks.length, 1, 'the check was tried');
      assert.equal(fresh.events.length, 1, 'no settings yet: sent as usual');
      assert.ok(!fresh.state.checked_at, 'tried again next run');

      await settings({ events: { [EVENT]: { enabled: false } } });
      const known = await sends(name); // the settings reach the state file
      assert.deepEqual(known.events, []);
      await settings({ events: { [EVENT]: { enabled: null } } });
      ageCheck(known.stateDir, DAY_S + 60);
      const kept = await sends(name, { stateDir: known.stateDir, via: unreachable });
      assert.equal(kept.checks.length, 1);
      assert.deepEqual(kept.events, [], 'the last settings still hold');
      assert.equal(kept.state.settings.events[EVENT].enabled, false);
    });
  }
});
