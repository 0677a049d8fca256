// replay.test.mjs: requests rebuilt from the seed products' real clients (tests/replay/*.json,
// each case naming the client's source file and commit), sent to the real Worker exactly as the
// client sends them (method, path under the configured base, headers, body), must be answered as
// that client counts success and land in D1 as the rows the case expects.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startWorker } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const wireDir = `${root}tests/replay/`;
const files = readdirSync(wireDir).filter((name) => name.endsWith('.json')).sort();

// requestOf() is the request as the client sends it: the body serialized (and gzipped when its
// headers say so), the query string in the client's order (or exactly as query_text gives it).
function requestOf(c) {
  const pairs = c.query?.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const query = c.query_text !== undefined ? `?${c.query_text}` : pairs !== undefined ? `?${pairs}` : '';
  const headers = { ...c.headers };
  let body;
  if (c.body !== undefined) {
    body = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const encoding = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-encoding')?.[1] ?? '';
    if (/gzip/i.test(encoding)) body = gzipSync(body);
  }
  return { path: `${c.path}${query}`, init: { method: c.method, headers, body } };
}

// stored() is a row as the case writes it: the columns that do not depend on when the test ran. A
// client time corrected by the request's send time moves with the receive time: the case gives how
// long before its receipt the event happened.
function stored(row) {
  const { event_id: _id, received_at: receivedAt, occurred_at: occurredAt, properties, ...columns } = row;
  const when = {
    server: {},
    client: { occurred_at: occurredAt },
    client_corrected: { occurred_ms_before_receipt: receivedAt - occurredAt },
  }[row.time_source];
  return { ...columns, ...when, properties: JSON.parse(properties) };
}

describe('real clients replayed through the worker', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('every wire file holds cases', () => {
    assert.ok(files.length > 0);
    for (const name of files) assert.ok(JSON.parse(readFileSync(wireDir + name, 'utf8')).cases.length > 0, name);
  });

  for (const name of files) {
    for (const c of JSON.parse(readFileSync(wireDir + name, 'utf8')).cases) {
      test(`${name}: ${c.id} (${c.client})`, async () => {
        const { path, init } = requestOf(c);
        const response = await worker.fetch(path, init);
        const text = await response.text();
        assert.equal(response.status, c.expect.status, text);
        const rows = (await worker.rows()).map(stored);
        assert.deepEqual(rows, c.expect.rows.map((row) => ({ ...row, properties: row.properties })));
      });
    }
  }
});
