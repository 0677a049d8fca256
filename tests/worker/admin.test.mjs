// admin.test.mjs: the admin API (docs/PROTOCOL.md, "Admin API") through the real Worker in
// workerd and a real local D1: the token, every change in the log without an address or the token,
// a specific 400 for every bad input (storing nothing), 404 for an unknown product or advisory, 405
// with Allow, and settings served by the check at once. Products and events come from the
// catalogue the test runs with.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CHANGES_SHOWN } from '../../worker/admin.js';
import { startWorker, testCatalogue } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const ADDRESS = '203.0.113.77';
const headers = {
  authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json',
  'cf-connecting-ip': ADDRESS, 'x-forwarded-for': ADDRESS, 'x-real-ip': ADDRESS, 'true-client-ip': ADDRESS,
};
const catalogue = testCatalogue();
const declared = catalogue.products.find((p) => p.events.length > 1) ?? catalogue.products[0];
const product = declared.product;
const [event] = declared.events;

let worker;
const admin = (path, method = 'GET', body, extra = headers) => worker.fetch(`/v1/admin/${product}${path}`, {
  method, headers: extra, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
});
const TABLES = ['releases', 'advisories', 'remote_settings', 'admin_changes'];
const stored = async () => Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await worker.rows(`SELECT * FROM ${t}`)])));
const nothingStored = async () => assert.deepEqual(Object.values(await stored()).flat(), [], 'nothing stored');

describe('the admin API', () => {
  before(async () => {
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN } });
  });
  after(async () => { await worker?.close(); });
  beforeEach(async () => {
    for (const table of TABLES) await worker.execute(`DELETE FROM ${table}`);
  });

  test('no token or a wrong one: 401 on every route, nothing stored', async () => {
    const routes = [['', 'GET'], ['/release', 'PUT', { latest: '1.0.0' }], ['/advisories/X-1', 'PUT', { range: '*', level: 'info', message: 'm' }],
      ['/advisories/X-1', 'DELETE'], ['/settings', 'PUT', { enabled: false }]];
    for (const auth of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
      for (const [path, method, body] of routes) {
        const response = await admin(path, method, body, { 'content-type': 'application/json', ...auth });
        assert.equal(response.status, 401, `${method} ${path}`);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer');
      }
    }
    assert.equal((await worker.fetch('/v1/admin/no-such-product', { headers: {} })).status, 401, 'the token comes before saying which products exist');
    await nothingStored();
  });

  test('unknown product, unknown advisory, unknown route: 404; a wrong method: 405 with Allow', async () => {
    const unknown = await worker.fetch('/v1/admin/no-such-product', { headers });
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).error.code, 'unknown_product');
    const advisory = await admin('/advisories/NOPE-1', 'DELETE');
    assert.equal(advisory.status, 404);
    assert.equal((await advisory.json()).error.code, 'unknown_advisory');
    for (const path of ['/releases', '/settings/extra', '/advisories', '/a/b/c/d']) assert.equal((await admin(path)).status, 404, path);
    assert.equal((await worker.fetch('/v1/admin', { headers })).status, 404);
    for (const [path, method, allow] of [['', 'POST', 'GET'], ['/release', 'GET', 'PUT'], ['/settings', 'DELETE', 'PUT'], ['/advisories/X-1', 'GET', 'PUT, DELETE']]) {
      const response = await admin(path, method);
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow);
    }
    await nothingStored();
  });

  test('every bad input is a 400 invalid_admin_request naming the field, and stores nothing', async () => {
    const cases = [
      ['/release', 'not json', /JSON/],
      ['/release', [], /object/],
      ['/release', {}, /latest/],
      ['/release', { latest: '1.2' }, /latest/],
      ['/release', { latest: 1.2 }, /latest/],
      ['/release', { latest: `1.2.${'9'.repeat(40)}` }, /latest/],
      ['/release', { latest: '1.0.0', download_url: 'javascript:alert(1)' }, /download_url/],
      ['/release', { latest: '1.0.0', changelog_url: 'not a url' }, /changelog_url/],
      ['/release', { latest: '1.0.0', download_url: 'https://user:pw@example.com/' }, /download_url/],
      ['/release', { latest: '1.0.0', download_url: `https://example.com/${'a'.repeat(3000)}` }, /download_url/],
      ['/release', { latest: '1.0.0', notes: 'x' }, /notes/],
      ['/advisories/GHSA-1', { level: 'info', message: 'm' }, /range/],
      ['/advisories/GHSA-1', { range: '1.0.0 - 2.0.0', level: 'info', message: 'm' }, /range/],
      ['/advisories/GHSA-1', { range: '>=1.0.0 '.repeat(1250), level: 'info', message: 'm' }, /range/],
      ['/advisories/GHSA-1', { range: '<1.0.0', level: 'fatal', message: 'm' }, /level/],
      ['/advisories/GHSA-1', { range: '<1.0.0', level: 'info', message: '' }, /message/],
      ['/advisories/GHSA-1', { range: '<1.0.0', level: 'info', message: 'two\nlines' }, /message/],
      ['/advisories/GHSA-1', { range: '<1.0.0', level: 'info', message: 'x'.repeat(5000) }, /message/],
      ['/advisories/GHSA-1', { range: '<1.0.0', level: 'info', message: 'm', url: 'ftp://example.com' }, /url/],
      ['/advisories/GHSA-1', { range: '<1.0.0', level: 'info', message: 'm', severity: 'high' }, /severity/],
      ['/advisories/bad%20id', { range: '<1.0.0', level: 'info', message: 'm' }, /advisory id/],
      [`/advisories/${'a'.repeat(65)}`, { range: '<1.0.0', level: 'info', message: 'm' }, /advisory id/],
      ['/settings', {}, /nothing to change/],
      ['/settings', { enabled: 'no' }, /enabled/],
      ['/settings', { sample_rate: 0 }, /sample_rate/],
      ['/settings', { sample_rate: 0.0009 }, /sample_rate must be a number from 0\.001/],
      ['/settings', { sample_rate: 1.5 }, /sample_rate/],
      ['/settings', { sample_rate: '0.5' }, /sample_rate/],
      ['/settings', { min_version: 'latest' }, /min_version/],
      // Semver, but the core refuses it (it reads as a phone number): refused before it is written.
      ['/settings', { min_version: '415.555.2671' }, /core refuses these settings.*min_version/],
      ['/settings', { events: { [event.name]: { min_version: '415.555.2671' } } }, /core refuses these settings/],
      ['/settings', { kill: true }, /kill/],
      ['/settings', { events: [] }, /events/],
      ['/settings', { events: { 'no-such-event': { enabled: false } } }, /no-such-event/],
      ['/settings', { events: { [event.name]: { enabled: 'off' } } }, new RegExp(`events\\.${event.name}\\.enabled`)],
      ['/settings', { events: { [event.name]: { rate: 0.5 } } }, /rate/],
      ['/settings', { events: { [event.name]: null } }, new RegExp(`events\\.${event.name}`)],
    ];
    for (const [path, body, field] of cases) {
      const response = await admin(path, 'PUT', body);
      const text = await response.text();
      assert.equal(response.status, 400, `${path} ${JSON.stringify(body).slice(0, 80)}: ${text.slice(0, 200)}`);
      const { error } = JSON.parse(text);
      assert.equal(error.code, 'invalid_admin_request', text);
      assert.match(error.message, field);
    }
    // Answering 413 and closing while the client still uploads may reach the client as a reset
    // before it reads the answer (ordinary HTTP, as in protocol.test.mjs); then ask again: the
    // worker stopped reading either way, and a second try shows the answer it gives.
    let big = null;
    for (let tries = 0; big === null && tries < 3; tries++) {
      big = await admin('/release', 'PUT', JSON.stringify({ latest: '1.0.0', pad: 'x'.repeat(100_000) })).catch(() => null);
    }
    assert.equal(big?.status, 413);
    await nothingStored();
  });

  test('every change is logged with its time and content, never an address or the token; GET shows the last 50', async () => {
    const started = Date.now();
    assert.equal((await admin('/release', 'PUT', { latest: 'v1.4.0', download_url: 'https://example.com/get' })).status, 200);
    assert.equal((await admin('/advisories/GHSA-aaaa-bbbb-cccc', 'PUT', { range: '<1.3.0', level: 'critical', message: 'fixed in 1.3.0' })).status, 200);
    assert.equal((await admin('/advisories/GHSA-aaaa-bbbb-cccc', 'DELETE')).status, 200);
    assert.equal((await admin('/advisories/GHSA-aaaa-bbbb-cccc', 'DELETE')).status, 200, 'withdrawing twice is no new change');
    assert.equal((await admin('/settings', 'PUT', { sample_rate: 0.5, events: { [event.name]: { enabled: false } } })).status, 200);
    const log = await worker.rows('SELECT at, product, kind, change FROM admin_changes ORDER BY rowid');
    assert.deepEqual(log.map((c) => c.kind), ['release', 'advisory', 'advisory_withdrawn', 'settings']);
    assert.ok(log.every((c) => c.product === product && c.at >= started && c.at <= Date.now()));
    assert.deepEqual(JSON.parse(log[0].change), { latest: '1.4.0', download_url: 'https://example.com/get', changelog_url: null });
    assert.deepEqual(JSON.parse(log[3].change), { sample_rate: 0.5, events: { [event.name]: { enabled: false } } });
    const everything = JSON.stringify(await stored());
    assert.ok(!everything.includes(ADDRESS), 'no address anywhere');
    assert.ok(!everything.includes(TOKEN), 'no token anywhere');

    const state = await (await admin('')).json();
    assert.equal(state.release.latest, '1.4.0');
    assert.equal(state.advisories.length, 1, 'withdrawn advisories are listed');
    assert.ok(state.advisories[0].withdrawn_at);
    assert.equal(state.settings.product.sample_rate, 0.5);
    assert.equal(state.settings.events[event.name].enabled, false);
    assert.equal(state.settings.effective.sample_rate, 0.5);
    assert.deepEqual(state.changes.map((c) => c.kind), ['settings', 'advisory_withdrawn', 'advisory', 'release'], 'newest first');

    for (let i = 0; i < CHANGES_SHOWN; i++) await admin('/release', 'PUT', { latest: `2.0.${i}` });
    const later = await (await admin('')).json();
    assert.equal(later.changes.length, CHANGES_SHOWN);
    assert.equal(later.changes[0].change.latest, `2.0.${CHANGES_SHOWN - 1}`);
  });

  test('settings: the check serves them at once; null clears a value, and a row with none left is gone', async () => {
    const settingsOf = async () => (await (await worker.fetch(`/v1/${product}/check?version=1.0.0`)).json()).settings;
    assert.equal((await admin('/settings', 'PUT', { min_version: '1.2.0', events: { [event.name]: { enabled: false, sample_rate: 0.25 } } })).status, 200);
    let settings = await settingsOf();
    assert.equal(settings.min_version, '1.2.0');
    assert.equal(settings.supported, false, '1.0.0 is below min_version');
    assert.deepEqual(settings.events[event.name], { enabled: false, sample_rate: 0.25, min_version: '1.2.0' });
    assert.equal((await admin('/settings', 'PUT', { min_version: null, events: { [event.name]: { enabled: null } } })).status, 200);
    settings = await settingsOf();
    assert.equal(settings.min_version, event.min_version ?? declared.min_version ?? null);
    assert.equal(settings.supported, true);
    assert.equal(settings.events[event.name].sample_rate, 0.25, 'the value not named is kept');
    assert.equal((await admin('/settings', 'PUT', { events: { [event.name]: { sample_rate: null } } })).status, 200);
    assert.deepEqual(await worker.rows('SELECT * FROM remote_settings'), [], 'rows with nothing set are deleted');
  });
});
