// unmatched.test.mjs: requests that match no route, method or envelope, and captured events no
// mapping names, are counted by route shape and reason (GET /v1/stats/unmatched), never with their
// data; a flood costs few writes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startWorker, waitFor, testCatalogue } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const root = new URL('../../', import.meta.url).pathname;
const catalogue = testCatalogue();
const mapped = catalogue.products.find((p) => p.posthog?.api_keys.length);

describe('unmatched requests are counted, never kept', () => {
  let worker;
  before(async () => { worker = await startWorker({ vars: { STATS_TOKEN: TOKEN, UNMATCHED_FLUSH_SECONDS: '0' } }); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  const counted = async () => (await worker.execute('SELECT method, route, reason, count FROM unmatched_daily ORDER BY route, method, reason'))
    .map(({ method, route, reason, count }) => `${count} ${method} ${route} ${reason}`);

  test('each kind of miss is counted under its route shape and reason', async () => {
    const requests = [
      ['GET', '/v1/langflow/email?email=jane@example.com'],
      ['GET', '/v1/langflow/email?email=john@example.com'],
      ['POST', '/v1/nosuchproduct/session'],
      ['PUT', '/v1/langflow/run'],
      ['GET', '/wp-admin/setup.php'],
      ['POST', '/batch/', JSON.stringify({ api_key: 'phc_unknown_key_123', batch: [] })],
    ];
    for (const [method, path, body] of requests) {
      const response = await worker.fetch(path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
      assert.ok(response.status >= 400 && response.status < 500, `${method} ${path}: ${response.status}`);
    }
    await waitFor(async () => (await counted()).length === 5, { what: 'five counted shapes' });
    assert.deepEqual(await counted(), [
      '1 POST /batch/ unknown_api_key',
      '2 GET /v1/langflow/email unknown_event',
      '1 PUT /v1/langflow/run method_not_allowed',
      '1 POST /v1/nosuchproduct/session unknown_product',
      '1 GET /wp-admin/setup.php not_found',
    ]);
  });

  test('segments that could carry data are placeholders: digits, capitals, @, %, long words', async () => {
    for (const path of ['/v1/ghp_0123456789abcdef/x', '/v1/langflow/Jane.Doe', '/v1/a%40b.com/x', `/v1/langflow/${'a'.repeat(40)}`, '/users/4111111111111111/a/b/c']) {
      await worker.fetch(path, { method: 'POST', body: '{}' });
    }
    await waitFor(async () => (await counted()).reduce((n, line) => n + Number(line.split(' ')[0]), 0) === 5, { what: 'five counts' });
    const lines = await counted();
    assert.ok(lines.every((line) => !/0123456789|Jane|40b|aaaa|4111/.test(line)), lines.join('\n'));
    assert.ok(lines.some((line) => line.includes('/v1/{product}/')), lines.join('\n'));
  });

  test(`captured events the mapping does not name are counted by name (${mapped.product})`, async () => {
    const response = await worker.post('/batch/', { api_key: mapped.posthog.api_keys[0], batch: [
      { event: 'model-load', distinct_id: '01275463-aa39-482d-8cb2-11034e86f324', properties: {} },
      { event: 'model-load', distinct_id: '01275463-aa39-482d-8cb2-11034e86f324', properties: {} },
      { event: 'secret ghp_0123456789', distinct_id: '01275463-aa39-482d-8cb2-11034e86f324', properties: {} },
    ] });
    assert.equal(response.status, 200);
    await waitFor(async () => (await counted()).length === 2, { what: 'two counted names' });
    assert.deepEqual(await counted(), [
      `2 POST /batch/ ${mapped.product}/model-load unknown_event`,
      `1 POST /batch/ ${mapped.product}/{event} unknown_event`,
    ].sort((a, b) => a.split(' ')[2].localeCompare(b.split(' ')[2])));
  });

  test('GET /v1/stats/unmatched answers the counts to the maintainer only', async () => {
    await worker.fetch('/nope', { method: 'GET' });
    await waitFor(async () => (await counted()).length === 1, { what: 'one count' });
    assert.equal((await worker.fetch('/v1/stats/unmatched')).status, 401);
    const report = await (await worker.fetch('/v1/stats/unmatched', { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    assert.deepEqual(report.unmatched.map(({ method, route, reason, count }) => ({ method, route, reason, count })),
      [{ method: 'GET', route: '/nope', reason: 'not_found', count: 1 }]);
  });
});

describe('a flood of unmatched requests', () => {
  let worker;
  before(async () => { worker = await startWorker({ vars: { UNMATCHED_FLUSH_SECONDS: '3600' } }); });
  after(async () => { await worker?.close(); });

  test('is summed in the isolate: one write, not one per request', async () => {
    for (let i = 0; i < 50; i++) await worker.fetch('/nope', { method: 'GET' });
    await waitFor(async () => (await worker.execute('SELECT count FROM unmatched_daily')).length === 1, { what: 'the first write' });
    // The first request wrote at once; the next 49 wait in the isolate for the next write.
    assert.deepEqual((await worker.execute('SELECT count FROM unmatched_daily')).map((r) => r.count), [1]);
  });
});
