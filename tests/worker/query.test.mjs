// query.test.mjs: events sent as a query string (GET /v1/{product}/{event}?…, GET /v1/{product}?…),
// in real workerd with D1: each bad query gets a specific 4xx and stores nothing; a good one is
// stored as the same event sent as JSON would be.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startWorker, testCatalogue } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const catalogue = testCatalogue();
const withDefault = catalogue.products.find((p) => p.default_event);
const withoutDefault = catalogue.products.find((p) => !p.default_event);
const RUN = 'clientType=oss&runIsWebhook=false&runSeconds=3&runSuccess=true&runErrorMessage=&langflow_version=1.7.1&platform=python_package&os=linux';

describe('query-string events through the worker', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  const get = (path) => worker.fetch(path, { method: 'GET' });
  async function expectRefused(path, status, code) {
    const response = await get(path);
    const body = await response.json();
    assert.equal(response.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code);
    assert.equal((await worker.rows()).length, 0);
    return body;
  }

  test('a GET stores the event its query holds, answered 200 and never cached', async () => {
    const response = await get(`/v1/langflow/run?${RUN}`);
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual((await response.json()).results, [{ index: 0, status: 'accepted' }]);
    const [row] = await worker.rows();
    assert.deepEqual(JSON.parse(row.properties), { is_webhook: false, seconds: 3, success: true, client_type: 'oss', distribution: 'python_package' });
    assert.equal(row.version, '1.7.1');
  });

  test('the query stores what the same fields sent as JSON store', async () => {
    await get(`/v1/langflow/run?${RUN}`);
    await worker.post('/v1/langflow/run', {
      clientType: 'oss', runIsWebhook: false, runSeconds: 3, runSuccess: true, runErrorMessage: '', langflow_version: '1.7.1', platform: 'python_package', os: 'linux',
    });
    const [a, b] = (await worker.rows()).map(({ event_id: _e, received_at: _r, occurred_at: _o, ...row }) => row);
    assert.deepEqual(a, b);
  });

  test(`a bare product path is its default event (${withDefault?.product}/${withDefault?.default_event})`, async () => {
    assert.ok(withDefault, 'the catalogue names a default event');
    const response = await get(`/v1/${withDefault.product}?version=1.7.1&package=langflow&python=3.12`);
    assert.equal(response.status, 200, await response.clone().text());
    const [row] = await worker.rows();
    assert.equal(row.event, withDefault.default_event);
  });

  test('a bare product path of a product without a default event is a 404 that says so', async () => {
    if (!withoutDefault) return;
    await expectRefused(`/v1/${withoutDefault.product}?x=1`, 404, 'no_default_event');
  });

  test('an unknown product on a bare path is unknown_product', async () => {
    await expectRefused('/v1/nosuchproduct?x=1', 404, 'unknown_product');
  });

  test('a value of the wrong kind is rejected with the field named', async () => {
    const response = await get('/v1/langflow/run?runSuccess=maybe&runSeconds=3');
    assert.equal(response.status, 400);
    const [verdict] = (await response.json()).results;
    assert.deepEqual([verdict.code, verdict.path], ['wrong_type', 'success']);
    assert.equal((await worker.rows()).length, 0);
  });

  test('a number with a plus sign (%2B5) or a space is no number', async () => {
    for (const value of ['%2B5', '%205', '5%20']) {
      const response = await get(`/v1/langflow/run?runSuccess=true&runSeconds=${value}`);
      const [verdict] = (await response.json()).results;
      assert.equal(verdict.code, value === '%205' || value === '5%20' ? undefined : 'wrong_type', value);
    }
  });

  test('a field given twice is refused whole', async () => {
    const body = await expectRefused('/v1/langflow/run?runSuccess=true&runSuccess=false', 400, 'repeated_query_field');
    assert.match(body.error.message, /runSuccess/);
  });

  test('a field under its name and its alias is a duplicate_key, as in JSON', async () => {
    const response = await get('/v1/langflow/run?runSuccess=true&success=false');
    assert.equal(response.status, 400);
    assert.equal((await response.json()).results[0].code, 'duplicate_key');
  });

  test('more than 64 fields, or a URL over 8 KiB, is refused', async () => {
    const many = Array.from({ length: 65 }, (_, i) => `f${i}=1`).join('&');
    await expectRefused(`/v1/langflow/run?runSuccess=true&${many}`, 400, 'too_many_query_fields');
    await expectRefused(`/v1/langflow/run?runSuccess=true&runErrorMessage=${'a'.repeat(8200)}`, 414, 'uri_too_long');
  });

  test('__proto__ and constructor are fields like any other: dropped, named, never stored', async () => {
    const response = await get('/v1/langflow/run?runSuccess=true&__proto__=x&constructor=y');
    assert.equal(response.status, 200);
    assert.deepEqual((await response.json()).results[0].dropped, ['__proto__', 'constructor']);
    assert.deepEqual(JSON.parse((await worker.rows())[0].properties), { success: true });
  });

  test('secrets in a query value are scrubbed like JSON text', async () => {
    await get(`/v1/langflow/run?runSuccess=false&runErrorMessage=${encodeURIComponent('auth failed for alice@example.com with sk-proj-abcdefghijklmnop0123456789')}`);
    const stored = JSON.parse((await worker.rows())[0].properties).error_message;
    assert.equal(stored, 'auth failed for <email> with <secret>');
  });

  test('malformed percent-escapes in a value are kept literally, never a 5xx', async () => {
    const response = await get('/v1/langflow/run?runSuccess=false&runErrorMessage=100%25%zz%');
    assert.equal(response.status, 200);
    assert.equal(JSON.parse((await worker.rows())[0].properties).error_message, '100%%zz%');
  });

  test('HEAD and PUT are 405 with the methods the route takes', async () => {
    for (const method of ['HEAD', 'PUT']) {
      const response = await worker.fetch(`/v1/langflow/run?${RUN}`, { method });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'GET, POST, OPTIONS');
    }
    assert.equal((await worker.rows()).length, 0);
  });

  test('GET /v1/batch and GET /v1/forget are not query routes', async () => {
    for (const path of ['/v1/batch?x=1', '/v1/forget?install_id=8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d']) {
      const response = await get(path);
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST, OPTIONS');
    }
  });

  test('GET /v1/schema is still the schema document', async () => {
    const response = await get('/v1/schema');
    assert.equal(response.status, 200);
    assert.ok(Array.isArray((await response.json()).products));
  });
});
