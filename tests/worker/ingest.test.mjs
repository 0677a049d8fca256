// ingest.test.mjs: POST /v1/{product}/{event} end to end: workerd, the Wasm core, a real local D1.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SESSION, startWorker } from './harness.mjs';

describe('ingest', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('the AgentSonar session event lands as one row with the expected columns', async () => {
    const before = Date.now();
    const response = await worker.post('/v1/agentsonar/session', SESSION);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await response.json(), { results: [{ index: 0, status: 'accepted' }] });

    const rows = await worker.rows();
    assert.equal(rows.length, 1);
    const { event_id: eventId, received_at: receivedAt, ...row } = rows[0];
    assert.match(eventId, /^[0-9a-f]{32}$/);
    assert.ok(receivedAt >= before && receivedAt <= Date.now(), 'received_at is the server time');
    assert.deepEqual(row, {
      product: 'agentsonar',
      event: 'session',
      install_id: SESSION.install_id,
      session_id: SESSION.session_id,
      version: '0.4.0',
      os: 'darwin',
      arch: 'arm64',
      runtime: 'python',
      runtime_version: '3.12',
      occurred_at: 1745891234500,
      time_source: 'client',
      properties: '{"adapter":"crewai"}',
      ci: null,
      sample_rate: null,
    });
  });

  test('posting the same session twice stores one row and answers duplicate', async () => {
    const first = await worker.post('/v1/agentsonar/session', SESSION);
    assert.equal(first.status, 200);
    const second = await worker.post('/v1/agentsonar/session', SESSION);
    assert.equal(second.status, 200);
    assert.deepEqual(await second.json(), { results: [{ index: 0, status: 'duplicate' }] });
    assert.equal((await worker.rows()).length, 1);
  });

  test('an array mixes accepted, rejected and duplicate verdicts in request order', async () => {
    await worker.post('/v1/agentsonar/session', SESSION);
    const other = { ...SESSION, session_id: 'b1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' };
    const response = await worker.post('/v1/agentsonar/session', [SESSION, { version: '1.0.0' }, other]);
    assert.equal(response.status, 200);
    const { results } = await response.json();
    assert.deepEqual(results.map((r) => r.status), ['duplicate', 'rejected', 'accepted']);
    assert.equal(results[1].code, 'missing_field');
    assert.equal(results[1].path, 'install_id');
    assert.equal((await worker.rows()).length, 2);
  });

  test('malformed JSON is 400 with a stable code and stores nothing', async () => {
    const response = await worker.post('/v1/agentsonar/session', '{"install_id":');
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error.code, 'malformed_json');
    assert.equal((await worker.rows()).length, 0);
  });

  test('a request whose every event is rejected is 400 and stores nothing', async () => {
    const response = await worker.post('/v1/agentsonar/session', { ...SESSION, install_id: 'nope' });
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error.code, 'all_rejected');
    assert.equal(body.results[0].code, 'invalid_uuid');
    assert.equal((await worker.rows()).length, 0);
  });

  test('unknown products and events are 404', async () => {
    const product = await worker.post('/v1/nosuch/session', SESSION);
    assert.equal(product.status, 404);
    assert.equal((await product.json()).error.code, 'unknown_product');
    const event = await worker.post('/v1/agentsonar/nosuch', SESSION);
    assert.equal(event.status, 404);
    assert.equal((await event.json()).error.code, 'unknown_event');
  });

  test('a wrong method is 405 and says which methods are allowed', async () => {
    const response = await worker.fetch('/v1/agentsonar/session', { method: 'PUT', body: '{}' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, POST, OPTIONS');
    assert.equal((await response.json()).error.code, 'method_not_allowed');
  });

  test('an unknown route is 404 with a JSON error', async () => {
    const response = await worker.fetch('/v2/whatever', { method: 'POST' });
    assert.equal(response.status, 404);
    assert.equal((await response.json()).error.code, 'not_found');
  });

  test('the unknown fields of an event are dropped, named, and never stored', async () => {
    const response = await worker.post('/v1/agentsonar/session', { ...SESSION, prompt: 'my secret prompt' });
    assert.equal(response.status, 200);
    assert.deepEqual((await response.json()).results[0].dropped, ['prompt']);
    const [row] = await worker.rows();
    assert.ok(!JSON.stringify(row).includes('secret'), 'the dropped value must not be stored');
  });
});
