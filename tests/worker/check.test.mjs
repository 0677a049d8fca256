// check.test.mjs: GET|HEAD /v1/{product}/check through the real Worker in workerd and a real local
// D1 (docs/PROTOCOL.md, "Version check"): the answer from the release and advisories the admin API
// set, the caching and CORS headers, the counts (safe versions, CI names, the version cap), and
// hostile versions, each a 4xx that counts nothing. Products come from the catalogue the test runs.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { CHECK_CACHE_CONTROL, CI_NAMES, ciName, MAX_CHECK_VERSIONS } from '../../worker/check.js';
import { MAX_VERSION_LENGTH } from '../../worker/semver.js';
import { effectiveSettings } from '../../worker/settings-overlay.js';
import { startWorker, testCatalogue, waitFor } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const BUDGET = 1000;
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const catalogue = testCatalogue();
const [first, second] = catalogue.products;
const product = first.product;

let worker;
const check = (query, init, name = product) => worker.fetch(`/v1/${name}/check?${new URLSearchParams(query)}`, init);
const admin = (path, method, body) => worker.fetch(`/v1/admin/${product}${path}`, { method, headers: auth, body: body && JSON.stringify(body) });
const counts = () => worker.rows('SELECT day, product, version, ci, count FROM checks_daily ORDER BY product, version, ci');
const total = async () => (await worker.rows('SELECT coalesce(sum(count), 0) AS n FROM checks_daily'))[0].n;
const counted = (n) => waitFor(async () => (await total()) >= n, { what: `${n} checks counted` });

// check.js keeps the ci preset's names and aliases (the Worker cannot read presets.json at run
// time); they must say the same. Skipped while presets.json has no ci preset.
const ciPreset = JSON.parse(readFileSync(new URL('../../catalogue/presets.json', import.meta.url), 'utf8')).presets?.ci;
test('the check reads CI names as the ci preset does', { skip: ciPreset ? false : 'catalogue/presets.json has no ci preset yet' }, () => {
  assert.deepEqual(CI_NAMES, ciPreset.values);
  for (const [alias, name] of Object.entries(ciPreset.aliases ?? {})) assert.equal(ciName(alias), name, alias);
  for (const name of ciPreset.values) assert.equal(ciName(name), name);
});

describe('the version check', () => {
  before(async () => {
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN, DAILY_WRITE_BUDGET: String(BUDGET) } });
  });
  after(async () => { await worker?.close(); });
  beforeEach(async () => {
    for (const table of ['write_budget', 'checks_daily', 'releases', 'advisories', 'remote_settings', 'admin_changes']) await worker.execute(`DELETE FROM ${table}`);
  });

  test('with nothing set: no latest, not outdated, no advisories, the catalogue\'s settings', async () => {
    const response = await check({ version: '1.2.3' });
    assert.equal(response.status, 200);
    const { events, ...own } = effectiveSettings(first);
    assert.deepEqual(await response.json(), {
      product, version: '1.2.3', latest: null, outdated: null, download_url: null, changelog_url: null, advisories: [],
      settings: { ...own, supported: true, events },
    });
  });

  test('latest, outdated and the advisories whose range covers the version; a withdrawn one is gone', async () => {
    assert.equal((await admin('/release', 'PUT', { latest: '1.4.0', download_url: 'https://example.com/get', changelog_url: 'https://example.com/log' })).status, 200);
    assert.equal((await admin('/advisories/GHSA-old', 'PUT', { range: '<1.3.0', level: 'critical', message: 'upgrade now', url: 'https://example.com/a' })).status, 200);
    assert.equal((await admin('/advisories/NOTE-1', 'PUT', { range: '>=1.2.0 <1.2.5 || ^2.0.0', level: 'info', message: 'a note' })).status, 200);
    const answer = async (version) => (await check({ version })).json();

    const old = await answer('v1.2.3');
    assert.equal(old.version, 'v1.2.3');
    assert.equal(old.latest, '1.4.0');
    assert.equal(old.outdated, true);
    assert.equal(old.download_url, 'https://example.com/get');
    assert.equal(old.changelog_url, 'https://example.com/log');
    assert.deepEqual(old.advisories.map((a) => a.id), ['GHSA-old', 'NOTE-1']);
    assert.deepEqual(old.advisories[0], { id: 'GHSA-old', level: 'critical', message: 'upgrade now', url: 'https://example.com/a', range: '<1.3.0' });

    assert.deepEqual((await answer('1.2.9')).advisories.map((a) => a.id), ['GHSA-old']);
    assert.deepEqual((await answer('1.3.0-rc.1')).advisories.map((a) => a.id), ['GHSA-old'], 'a pre-release of the fixed version is not fixed yet');
    const current = await answer('1.4.0');
    assert.equal(current.outdated, false);
    assert.deepEqual(current.advisories, []);
    assert.equal((await answer('2.0.0')).outdated, false, 'newer than latest: not outdated');
    assert.equal((await answer('1.4.0-rc.1')).outdated, true, 'a pre-release of the latest is older than it');

    assert.equal((await admin('/advisories/GHSA-old', 'DELETE')).status, 200);
    assert.deepEqual((await answer('1.2.3')).advisories.map((a) => a.id), ['NOTE-1']);
  });

  test(`cacheable (${CHECK_CACHE_CONTROL}), with CORS; HEAD answers the headers alone (not counted); OPTIONS is a preflight`, async () => {
    const response = await check({ version: '1.0.0' }, { headers: { origin: 'https://app.example' } });
    assert.equal(response.headers.get('cache-control'), CHECK_CACHE_CONTROL);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    await response.arrayBuffer();
    const head = await check({ version: '1.0.0' }, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('cache-control'), CHECK_CACHE_CONTROL);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const preflight = await check({}, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, HEAD, OPTIONS', 'the methods the check takes');
    const refused = await check({ version: 'nope' }, { headers: { origin: 'https://app.example' } });
    assert.equal(refused.status, 400);
    assert.equal(refused.headers.get('access-control-allow-origin'), '*', 'errors carry CORS too, so a browser can read them');
    await counted(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await total(), 1, 'the GET is counted; the HEAD, the preflight and the refused check are not');
  });

  test('a POST is 405 with Allow, never an event named check', async () => {
    const response = await worker.post(`/v1/${product}/check`, {});
    assert.equal(response.status, 405);
    assert.match(response.headers.get('allow'), /GET/);
  });

  test('each answered check counts once per day, product, safe version and CI name', async () => {
    const sent = [
      [{ version: '1.2.3' }, '1.2.3', ''],
      [{ version: 'v1.2.3', ci: 'none' }, '1.2.3', 'none'],
      [{ version: '1.2.3', ci: 'github' }, '1.2.3', 'github_actions'],
      [{ version: '1.2.3', ci: 'GitHub_Actions' }, '1.2.3', 'github_actions'],
      [{ version: '1.2.3', ci: 'my laptop' }, '1.2.3', ''],
      [{ version: '2.0.0-rc.1+sha.5114f85' }, '2.0.0-rc.1', ''],
      [{ version: '2.0.0-alice.example' }, '2.0.0', ''],
      [{ version: '2.0.0-sk-live-0123456789abcdef' }, '2.0.0', ''],
      [{ version: '3.0.0-nightly.20261201', ci: 'true' }, '3.0.0-nightly.20261201', 'unknown'],
      // Held to the core's version rule too (the attack's finds): a pre-release that reads as an
      // address is dropped; a version that reads as a phone or card number is counted unnamed.
      [{ version: '1.2.3-10.0.0.5' }, '1.2.3', ''],
      [{ version: '415.555.2671' }, '', ''],
      [{ version: '4111.1111.1111-1111' }, '', ''],
    ];
    for (const [query] of sent) assert.equal((await check(query)).status, 200);
    await counted(sent.length);
    const expected = new Map();
    for (const [, version, ci] of sent) expected.set(`${version}|${ci}`, (expected.get(`${version}|${ci}`) ?? 0) + 1);
    const rows = await counts();
    assert.deepEqual(new Map(rows.map((r) => [`${r.version}|${r.ci}`, r.count])), expected);
    assert.ok(rows.every((r) => r.product === product && r.day === Math.floor(Date.now() / 86_400_000)));
    assert.ok(!JSON.stringify(rows).match(/alice|sk-live|sha|10\.0\.0\.5|555|4111/), 'nothing but the safe form is stored');
  });

  test('a "do not track" signal gets the answer and is not counted', async () => {
    for (const header of [{ dnt: '1' }, { 'sec-gpc': '1' }]) {
      const response = await worker.fetch(`/v1/${product}/check?version=9.8.7`, { headers: header });
      assert.equal(response.status, 200);
      assert.equal((await response.json()).version, '9.8.7');
    }
    assert.equal((await check({ version: '9.8.8' })).status, 200);
    await counted(1);
    assert.deepEqual((await counts()).map((r) => r.version), ['9.8.8']);
  });

  test(`at most ${MAX_CHECK_VERSIONS} versions a day and product keep rows of their own; the rest count under ''`, async () => {
    const extra = 10;
    const versions = Array.from({ length: MAX_CHECK_VERSIONS + extra }, (_, i) => `1.${i}.0`);
    for (const version of versions) assert.equal((await check({ version })).status, 200);
    await counted(versions.length);
    // A version that has its row keeps counting there.
    assert.equal((await check({ version: versions[0] })).status, 200);
    await counted(versions.length + 1);
    const rows = await counts();
    assert.equal(rows.filter((r) => r.version !== '').length, MAX_CHECK_VERSIONS);
    assert.equal(rows.find((r) => r.version === '')?.count, extra);
    assert.equal(rows.find((r) => r.version === versions[0]).count, 2);
    if (second) {
      assert.equal((await check({ version: '9.9.9' }, undefined, second.product)).status, 200, 'another product has room of its own');
      await waitFor(async () => (await worker.rows(`SELECT count(*) AS n FROM checks_daily WHERE product = '${second.product}' AND version = '9.9.9'`))[0].n === 1);
    }
  });

  test('once the day\'s write budget is spent, checks are answered and no longer counted', async () => {
    assert.equal((await check({ version: '1.0.0' })).status, 200);
    await counted(1);
    await worker.execute('INSERT INTO write_budget (day, rows) VALUES (?1, ?2)', [Math.floor(Date.now() / 86_400_000), BUDGET]);
    for (let i = 0; i < 5; i++) assert.equal((await check({ version: `1.0.${i}` })).status, 200);
    // Their counting runs after the answer: give it time to run (and find the budget spent).
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A check of another product after them, with the budget freed: once it is counted, the others would have been.
    await worker.execute('DELETE FROM write_budget');
    assert.equal((await check({ version: '7.7.7' })).status, 200);
    await counted(2);
    assert.deepEqual((await counts()).map((r) => r.version), ['1.0.0', '7.7.7']);
  });

  test('hostile versions and products: each a 4xx that counts nothing', async () => {
    const hostile = ['', 'latest', '1.2', '1.2.3.4', '01.2.3', '1.2.3-', `1.2.${'9'.repeat(40)}`, '9007199254740993.0.0',
      `1.2.3-${'a'.repeat(MAX_VERSION_LENGTH)}`, '9'.repeat(10_000), '<script>alert(1)</script>', '1.2.3\u0000', '1.2.3 ', 'alice@example.com',
      '1.2.3-alice@example.com', '1.2.3-a_b'];
    for (const version of hostile) {
      const response = await check({ version });
      assert.equal(response.status, 400, JSON.stringify(version).slice(0, 60));
      const { error } = await response.json();
      assert.equal(error.code, 'invalid_version');
      assert.ok(error.message.length < 300, 'the message quotes the version cut short');
    }
    const missing = await worker.fetch(`/v1/${product}/check`);
    assert.equal(missing.status, 400);
    assert.equal((await missing.json()).error.code, 'invalid_version');
    const unknown = await check({ version: '1.0.0' }, undefined, 'no-such-product-here');
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).error.code, 'unknown_product');
    assert.equal((await worker.fetch(`/v1/%E0%A4%A/check?version=1.0.0`)).status, 400, 'a malformed escape is malformed_path');
    for (const query of ['version=1.0.0&version=2.0.0', 'version=1.0.0&ci=none&ci=github']) {
      const repeated = await worker.fetch(`/v1/${product}/check?${query}`);
      assert.equal(repeated.status, 400, query);
      assert.equal((await repeated.json()).error.code, 'repeated_query_field');
    }
    // A valid check after them: once it is counted, the refused ones would have been too.
    assert.equal((await check({ version: '1.0.0' })).status, 200);
    await counted(1);
    assert.deepEqual((await counts()).map((r) => [r.version, r.count]), [['1.0.0', 1]]);
  });

  test('GET /v1/stats/checks: checks per day and version, CI left out unless ci=include; small versions folded', async () => {
    const day = Math.floor(Date.now() / 86_400_000);
    // Two versions of at least MIN_GROUP_SIZE (5) checks, two below it: those two fold into "other".
    const rows = [['1.0.0', '', 6], ['1.0.0', 'github_actions', 4], ['1.1.0', 'none', 5], ['0.9.0', '', 1], ['0.8.0', 'gitlab', 2]];
    for (const [version, ci, count] of rows) {
      await worker.execute('INSERT INTO checks_daily (day, product, version, ci, count) VALUES (?1, ?2, ?3, ?4, ?5)', [day, product, version, ci, count]);
    }
    const report = async (query) => {
      const response = await worker.fetch(`/v1/stats/checks?${new URLSearchParams({ product, ...query })}`, { headers: auth });
      assert.equal(response.status, 200);
      return response.json();
    };
    const byVersion = (answer) => Object.fromEntries(answer.rows.map((r) => [r.version, [r.checks, r.ci_checks]]));
    assert.deepEqual(byVersion(await report({})), { '1.0.0': [6, 4], '1.1.0': [5, 0], other: [1, 2] });
    assert.deepEqual(byVersion(await report({ ci: 'include' })), { '1.0.0': [10, 4], '1.1.0': [5, 0], other: [3, 2] });
    assert.equal((await worker.fetch(`/v1/stats/checks?product=${product}&ci=maybe`, { headers: auth })).status, 400);
    assert.equal((await worker.fetch(`/v1/stats/checks?product=${product}`)).status, 401);
  });
});
