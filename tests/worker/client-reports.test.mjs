// client-reports.test.mjs: POST /v1/{product}/client_report (docs/PROTOCOL.md, "Client reports")
// through the real Worker in workerd and a real local D1: counts per day, product, safe version and
// reason, the version cap, CORS, bad bodies (each a 4xx storing nothing), and the stats report.
// Products come from the catalogue the test runs with.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DROP_REASONS, MAX_CLIENT_REPORT_BYTES, MAX_CLIENT_REPORT_VERSIONS, MAX_DROPPED } from '../../worker/client-reports.js';
import { startWorker, testCatalogue, waitFor } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const BUDGET = 1000;
const catalogue = testCatalogue();
const product = catalogue.products[0].product;

let worker;
const report = (body, headers, name = product) => worker.post(`/v1/${name}/client_report`, body, headers);
const rows = () => worker.rows('SELECT product, version, reason, count FROM client_reports_daily ORDER BY version, reason');
const total = async () => (await worker.rows('SELECT coalesce(sum(count), 0) AS n FROM client_reports_daily'))[0].n;
const counted = (n) => waitFor(async () => (await total()) >= n, { what: `${n} dropped events counted` });

describe('client reports', () => {
  before(async () => {
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN, DAILY_WRITE_BUDGET: String(BUDGET) } });
  });
  after(async () => { await worker?.close(); });
  beforeEach(async () => {
    await worker.execute('DELETE FROM client_reports_daily');
    await worker.execute('DELETE FROM write_budget');
  });

  test('counts add up per day, product, safe version and reason; zero counts store nothing', async () => {
    const dropped = Object.fromEntries(DROP_REASONS.map((reason, i) => [reason, i + 1]));
    // 1.2.3-10.0.0.5: a pre-release the core reads as an address is dropped (the attack's find).
    for (const version of ['1.2.3', 'v1.2.3', '1.2.3-10.0.0.5']) {
      const response = await report({ version, dropped });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: 'accepted' });
    }
    assert.equal((await report({ version: '2.0.0-rc.1', dropped: { offline: 0, queue_full: 7 } })).status, 200);
    const sum = DROP_REASONS.reduce((n, _, i) => n + i + 1, 0);
    await counted(3 * sum + 7);
    assert.deepEqual(await rows(), [
      ...DROP_REASONS.map((reason, i) => ({ product, version: '1.2.3', reason, count: 3 * (i + 1) })).sort((a, b) => (a.reason < b.reason ? -1 : 1)),
      { product, version: '2.0.0-rc.1', reason: 'queue_full', count: 7 },
    ]);
  });

  test('a version the core reads as a phone or card number is counted unnamed; "do not track" counts nothing', async () => {
    // The opted-out ones first: were they counted, they would be counted before the two awaited.
    for (const header of [{ dnt: '1' }, { 'sec-gpc': '1' }]) {
      const response = await worker.fetch(`/v1/${product}/client_report`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...header }, body: JSON.stringify({ version: '1.0.0', dropped: { offline: 5 } }),
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: 'opted_out' });
    }
    for (const version of ['415.555.2671', '4111.1111.1111-1111']) assert.equal((await report({ version, dropped: { offline: 1 } })).status, 200);
    await counted(2);
    assert.deepEqual(await rows(), [{ product, version: '', reason: 'offline', count: 2 }]);
  });

  test(`at most ${MAX_CLIENT_REPORT_VERSIONS} versions a day and product keep rows of their own`, async () => {
    const extra = 5;
    for (let i = 0; i < MAX_CLIENT_REPORT_VERSIONS + extra; i++) assert.equal((await report({ version: `0.${i}.0`, dropped: { offline: 1 } })).status, 200);
    await counted(MAX_CLIENT_REPORT_VERSIONS + extra);
    const stored = await rows();
    assert.equal(stored.filter((r) => r.version !== '').length, MAX_CLIENT_REPORT_VERSIONS);
    assert.equal(stored.find((r) => r.version === '').count, extra);
  });

  test('CORS like the ingest routes; OPTIONS is a preflight; GET is 405', async () => {
    const response = await report({ version: '1.0.0', dropped: { offline: 1 } }, { 'content-type': 'text/plain', origin: 'https://app.example' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const preflight = await worker.fetch(`/v1/${product}/client_report`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST, OPTIONS', 'the methods the route takes');
    const get = await worker.fetch(`/v1/${product}/client_report`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
    const gzipped = await report(gzipSync(JSON.stringify({ version: '1.0.0', dropped: { rejected: 2 } })), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(gzipped.status, 200, 'a gzipped report is read like an ingest body');
    await counted(3);
  });

  test('bad bodies: each a specific 4xx that stores nothing', async () => {
    const json = { 'content-type': 'application/json' };
    const cases = [
      ['not json', json, 400, /JSON/],
      [new Uint8Array([0x7b, 0xff, 0x7d]), json, 400, /UTF-8/],
      ['[]', json, 400, /object/],
      ['null', json, 400, /object/],
      [{ dropped: { offline: 1 } }, json, 400, /version/],
      [{ version: 123, dropped: { offline: 1 } }, json, 400, /version/],
      [{ version: '1.2', dropped: { offline: 1 } }, json, 400, /version/],
      [{ version: '9'.repeat(10_000), dropped: { offline: 1 } }, json, 413, /bytes/],
      [{ version: `1.2.${'9'.repeat(40)}`, dropped: { offline: 1 } }, json, 400, /version/],
      [{ version: '1.2.3-alice@example.com', dropped: { offline: 1 } }, json, 400, /version/],
      [{ version: '1.0.0' }, json, 400, /dropped/],
      [{ version: '1.0.0', dropped: {} }, json, 400, /at least one/],
      [{ version: '1.0.0', dropped: [1] }, json, 400, /dropped/],
      [{ version: '1.0.0', dropped: { lost: 1 } }, json, 400, /dropped\.lost/],
      [{ version: '1.0.0', dropped: { constructor: 1 } }, json, 400, /constructor/],
      [{ version: '1.0.0', dropped: { offline: -1 } }, json, 400, /dropped\.offline/],
      [{ version: '1.0.0', dropped: { offline: 1.5 } }, json, 400, /dropped\.offline/],
      [{ version: '1.0.0', dropped: { offline: '3' } }, json, 400, /dropped\.offline/],
      [{ version: '1.0.0', dropped: { offline: MAX_DROPPED + 1 } }, json, 400, /dropped\.offline/],
      [{ version: '1.0.0', dropped: { offline: 1, rejected: 1e300 } }, json, 400, /dropped\.rejected/],
      [{ version: '1.0.0', dropped: { offline: 1 }, install_id: 'a' }, json, 400, /install_id/],
      [JSON.stringify({ version: '1.0.0', dropped: { offline: 1 }, pad: ' '.repeat(MAX_CLIENT_REPORT_BYTES) }), json, 413, /bytes/],
      [{ version: '1.0.0', dropped: { offline: 1 } }, { 'content-type': 'application/xml' }, 415, /Content-Type/],
    ];
    for (const [body, headers, status, message] of cases) {
      const response = await report(body, headers);
      const text = await response.text();
      assert.equal(response.status, status, `${String(typeof body === 'object' && !(body instanceof Uint8Array) ? JSON.stringify(body) : body).slice(0, 80)}: ${text.slice(0, 200)}`);
      assert.match(JSON.parse(text).error.message, message);
    }
    const unknown = await report({ version: '1.0.0', dropped: { offline: 1 } }, json, 'no-such-product-here');
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).error.code, 'unknown_product');
    // One good report after them: once it is counted, the refused ones would have been too.
    assert.equal((await report({ version: '1.0.0', dropped: { opted_out: 1 } })).status, 200);
    await counted(1);
    assert.deepEqual(await rows(), [{ product, version: '1.0.0', reason: 'opted_out', count: 1 }]);
  });

  test('once the day\'s write budget is spent, reports are accepted and no longer counted', async () => {
    await worker.execute('INSERT INTO write_budget (day, rows) VALUES (?1, ?2)', [Math.floor(Date.now() / 86_400_000), BUDGET]);
    assert.equal((await report({ version: '1.0.0', dropped: { offline: 5 } })).status, 200);
    // Their counting runs after the answer: give it time to run (and find the budget spent).
    await new Promise((resolve) => setTimeout(resolve, 500));
    await worker.execute('DELETE FROM write_budget');
    assert.equal((await report({ version: '2.0.0', dropped: { offline: 1 } })).status, 200);
    await counted(1);
    assert.deepEqual(await rows(), [{ product, version: '2.0.0', reason: 'offline', count: 1 }]);
  });

  test('GET /v1/stats/client_reports: per day, version and reason', async () => {
    for (let i = 0; i < 5; i++) await report({ version: '1.0.0', dropped: { offline: 2 } });
    await counted(10);
    const response = await worker.fetch(`/v1/stats/client_reports?product=${product}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    const answer = await response.json();
    assert.deepEqual(answer.rows.map(({ version, reason, count }) => ({ version, reason, count })), [{ version: '1.0.0', reason: 'offline', count: 10 }]);
    assert.equal(answer.rows[0].day, new Date().toISOString().slice(0, 10));
  });
});
