// protocol.test.mjs: the ingest contract of docs/PROTOCOL.md, end to end through the real worker
// and a real local D1: batches, limits, compression, status codes, CORS, opt-out, forget, and
// retries that never store an event twice.
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SESSION, startWorker } from './harness.mjs';

const MIB = 1024 * 1024;

function session(i) {
  // A distinct session per i: the dedup key of agentsonar/session is session_id.
  const hex = i.toString(16).padStart(12, '0');
  return { ...SESSION, session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${hex}` };
}

const envelope = (events, extra = {}) => ({ ...extra, events });
const named = (product, event, fields) => ({ product, event, ...fields });

describe('the ingest contract', () => {
  let worker;
  before(async () => { worker = await startWorker({ faults: true }); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => {
    await worker.setFault('none');
    await worker.clear();
  });

  test('a mixed /v1/batch gets a verdict per event, in order, and stores only the accepted', async () => {
    await worker.post('/v1/agentsonar/session', session(1));
    const body = envelope([
      named('agentsonar', 'session', session(1)), // already stored: duplicate
      named('agentsonar', 'session', { ...session(2), install_id: 'not-a-uuid' }),
      named('langflow', 'shutdown', { TimeRunning: 60 }),
      named('nosuch', 'x', {}),
      named('agentsonar', 'session', session(3)),
    ], { sent_at: new Date().toISOString() });
    const response = await worker.post('/v1/batch', body);
    assert.equal(response.status, 200);
    const { results } = await response.json();
    assert.deepEqual(results.map((r) => [r.index, r.status, r.code]), [
      [0, 'duplicate', undefined], [1, 'rejected', 'invalid_uuid'], [2, 'accepted', undefined],
      [3, 'rejected', 'unknown_product'], [4, 'accepted', undefined],
    ]);
    const rows = await worker.rows('SELECT product, event, session_id FROM events ORDER BY product, session_id');
    assert.deepEqual(rows.map((r) => `${r.product}/${r.event}`), ['agentsonar/session', 'agentsonar/session', 'langflow/shutdown']);
  });

  test('every event rejected is 400 with the verdicts; a body that is not JSON is 400', async () => {
    const rejected = await worker.post('/v1/batch', envelope([named('agentsonar', 'session', { version: '1' })]));
    assert.equal(rejected.status, 400);
    const body = await rejected.json();
    assert.equal(body.error.code, 'all_rejected');
    assert.equal(body.results[0].code, 'missing_field');
    const garbage = await worker.post('/v1/batch', 'not json');
    assert.equal(garbage.status, 400);
    assert.equal((await garbage.json()).error.code, 'malformed_json');
    assert.equal((await worker.rows()).length, 0);
  });

  test('status codes: 404 unknown product, 405 wrong method, 415 wrong type or encoding', async () => {
    assert.equal((await worker.post('/v1/nosuch/session', SESSION)).status, 404);
    const put = await worker.fetch('/v1/batch', { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'POST, OPTIONS');
    const form = await worker.post('/v1/agentsonar/session', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal((await form.json()).error.code, 'unsupported_media_type');
    const brotli = await worker.post('/v1/agentsonar/session', JSON.stringify(SESSION), {
      'content-type': 'application/json', 'content-encoding': 'br',
    });
    assert.equal(brotli.status, 415);
    assert.equal((await brotli.json()).error.code, 'unsupported_encoding');
  });

  test('gzip and deflate bodies are accepted', async () => {
    for (const [encoding, compress, i] of [['gzip', gzipSync, 10], ['deflate', deflateSync, 11]]) {
      const response = await worker.post('/v1/agentsonar/session', compress(JSON.stringify(session(i))), {
        'content-type': 'application/json', 'content-encoding': encoding,
      });
      assert.equal(response.status, 200, encoding);
    }
    assert.equal((await worker.rows()).length, 2);
  });

  test('a corrupt gzip body is 400 invalid_compression', async () => {
    const response = await worker.post('/v1/agentsonar/session', new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), {
      'content-type': 'application/json', 'content-encoding': 'gzip',
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, 'invalid_compression');
  });

  test('a gzip bomb (about 1 KiB inflating past the limit) is 413 and stores nothing', async () => {
    const bomb = gzipSync(Buffer.alloc(MIB + 1024, 0x20), { level: 9 });
    assert.ok(bomb.length < 2048, `bomb is ${bomb.length} bytes`);
    const response = await worker.post('/v1/agentsonar/session', bomb, {
      'content-type': 'application/json', 'content-encoding': 'gzip',
    });
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, 'body_too_large');
    assert.equal((await worker.rows()).length, 0);
  });

  test('a 10 MB body is 413', async () => {
    const response = await worker.post('/v1/agentsonar/session', new Uint8Array(10 * MIB).fill(0x20));
    assert.equal(response.status, 413);
    assert.equal((await response.json()).error.code, 'body_too_large');
  });

  test('a stream that never ends is cut off at the limit', async () => {
    // "Never ends" within reason: the stream stops at 64 MiB, so a broken limit fails the test
    // instead of hanging it.
    let sent = 0;
    const endless = new ReadableStream({
      pull(controller) {
        if (sent >= 64 * MIB) return controller.close();
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    let status;
    try {
      const response = await worker.fetch('/v1/agentsonar/session', {
        method: 'POST', body: endless, duplex: 'half', headers: { 'content-type': 'application/json' },
      });
      status = response.status;
    } catch {
      // Answering 413 and closing while the client still uploads may reach the client as a reset
      // before it reads the answer (ordinary HTTP); either way the worker stopped reading.
      status = 'connection closed';
    }
    const sentAtAnswer = sent;
    assert.ok(status === 413 || status === 'connection closed', `answered ${status}`);
    assert.ok(sentAtAnswer < 32 * MIB, `the client had sent ${sentAtAnswer} bytes when the answer came`);
    // And the worker is none the worse for it.
    assert.equal((await worker.post('/v1/agentsonar/session', session(7))).status, 200);
  });

  test('a batch of exactly 1000 events is accepted; 1001 is 413 and stores nothing', async () => {
    const exactly = Array.from({ length: 1000 }, (_, i) => session(100 + i));
    const ok = await worker.post('/v1/agentsonar/session', exactly);
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).results.length, 1000);
    assert.equal((await worker.rows()).length, 1000);
    await worker.clear();
    const over = await worker.post('/v1/agentsonar/session', [...exactly, session(5000)]);
    assert.equal(over.status, 413);
    assert.equal((await over.json()).error.code, 'too_many_events');
    assert.equal((await worker.rows()).length, 0);
  });

  test('navigator.sendBeacon bodies (text/plain) are accepted', async () => {
    const response = await worker.post('/v1/agentsonar/session', JSON.stringify(SESSION), { 'content-type': 'text/plain;charset=UTF-8' });
    assert.equal(response.status, 200);
  });

  test('CORS: preflight answers the ingest routes; responses carry the allowed origin', async () => {
    const preflight = await worker.fetch('/v1/batch', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
    assert.match(preflight.headers.get('access-control-allow-headers'), /content-type/);
    const post = await worker.post('/v1/agentsonar/session', SESSION, { 'content-type': 'application/json', origin: 'https://app.example.com' });
    assert.equal(post.headers.get('access-control-allow-origin'), '*');
    const error = await worker.post('/v1/agentsonar/session', '{', { 'content-type': 'application/json', origin: 'https://app.example.com' });
    assert.equal(error.headers.get('access-control-allow-origin'), '*', 'errors carry CORS too, so browsers can read them');
  });

  test('DNT: 1 and Sec-GPC: 1 are answered 200 and nothing is stored', async () => {
    for (const header of ['dnt', 'sec-gpc']) {
      const response = await worker.post('/v1/agentsonar/session', session(20), { 'content-type': 'application/json', [header]: '1' });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { results: [], opted_out: true });
    }
    assert.equal((await worker.rows()).length, 0);
  });

  test('POST /v1/forget deletes every row of one install and nothing else', async () => {
    const other = { ...session(31), install_id: '11111111-2222-4333-8444-555555555555' };
    await worker.post('/v1/agentsonar/session', [session(30), session(32), other]);
    const response = await worker.post('/v1/forget', { install_id: SESSION.install_id.toUpperCase() });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { deleted: 2 });
    const rows = await worker.rows('SELECT install_id FROM events');
    assert.deepEqual(rows, [{ install_id: other.install_id }]);
    const bad = await worker.post('/v1/forget', { id: 'x' });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'invalid_forget_request');
  });

  test('D1 failing: 503 with Retry-After, nothing stored; the retry stores every event once', async () => {
    const batch = [session(40), session(41), session(42)];
    await worker.setFault('fail');
    const failed = await worker.post('/v1/agentsonar/session', batch);
    assert.equal(failed.status, 503);
    assert.ok(Number(failed.headers.get('retry-after')) > 0);
    const body = await failed.json();
    assert.equal(body.error.code, 'storage_unavailable');
    assert.doesNotMatch(JSON.stringify(body), /D1_ERROR|injected|SQL/i, 'no internal detail leaks');
    assert.equal((await worker.rows()).length, 0);
    await worker.setFault('none');
    const retried = await worker.post('/v1/agentsonar/session', batch);
    assert.equal(retried.status, 200);
    assert.deepEqual((await retried.json()).results.map((r) => r.status), ['accepted', 'accepted', 'accepted']);
    assert.equal((await worker.rows()).length, 3);
  });

  test('an answer lost after D1 committed: the retry is answered duplicate and stores nothing twice', async () => {
    const batch = [session(50), session(51)];
    await worker.setFault('commit-then-fail');
    assert.equal((await worker.post('/v1/agentsonar/session', batch)).status, 503);
    await worker.setFault('none');
    const retried = await worker.post('/v1/agentsonar/session', batch);
    assert.equal(retried.status, 200);
    assert.deepEqual((await retried.json()).results.map((r) => r.status), ['duplicate', 'duplicate']);
    assert.equal((await worker.rows()).length, 2);
  });

  test('a retry of any accepted request of events with a dedup key never produces a duplicate row', async () => {
    const requests = [
      ['/v1/agentsonar/session', session(60)],
      ['/v1/batch', envelope([named('agentsonar', 'session', session(61)), named('axolotl', 'usage', {
        run_id: '5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5', base_model: 'meta-llama/Llama-3.1-8B', adapter: 'qlora',
      })])],
    ];
    for (const [path, body] of requests) {
      assert.equal((await worker.post(path, body)).status, 200);
      const again = await worker.post(path, body);
      assert.ok((await again.json()).results.every((r) => r.status === 'duplicate'));
    }
    assert.equal((await worker.rows()).length, 3);
  });
});

describe('the daily write budget', () => {
  let worker;
  before(async () => { worker = await startWorker({ vars: { DAILY_WRITE_BUDGET: '3' } }); });
  after(async () => { await worker?.close(); });

  test('past the budget: 429 for a request larger than what is left, 503 once spent, Retry-After until the next UTC day, nothing stored', async () => {
    const secondsLeftToday = () => Math.ceil((Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000 - Date.now()) / 1000);
    assert.equal((await worker.post('/v1/agentsonar/session', [session(1), session(2)])).status, 200);
    // Two more would make four rows: the whole request is refused, not half of it.
    const over = await worker.post('/v1/agentsonar/session', [session(3), session(4)]);
    assert.equal(over.status, 429);
    assert.equal((await over.json()).error.code, 'daily_budget_low');
    const retryAfter = Number(over.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= secondsLeftToday() + 1, `Retry-After ${retryAfter}`);
    assert.equal((await worker.rows()).length, 2);
    // One more fits; after it nothing does.
    assert.equal((await worker.post('/v1/agentsonar/session', session(5))).status, 200);
    const spent = await worker.post('/v1/agentsonar/session', session(6));
    assert.equal(spent.status, 503);
    assert.equal((await spent.json()).error.code, 'daily_budget_spent');
    assert.ok(Number(spent.headers.get('retry-after')) <= secondsLeftToday() + 1);
    assert.equal((await worker.rows()).length, 3);
  });
});
