// scrubbing.test.mjs: a home folder, an e-mail address, an IP address or a key planted in any
// free-text field of any reference product never reaches D1; and X-Sent-At corrects event times.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadCatalogue } from '../../cli/catalogue.mjs';
import { SESSION, startWorker, catalogueDir, referenceVectorsFile } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const { products } = loadCatalogue(catalogueDir);
const reference = JSON.parse(readFileSync(referenceVectorsFile, 'utf8'));

// Markers that must not survive: each sits inside something the scrubber must catch.
const MARKERS = {
  'home folder': ['/home/zqxuser/proj/run.py failed', 'zqxuser'],
  'windows home': ['C:\\Users\\zqxwin\\AppData\\x.log', 'zqxwin'],
  'e-mail': ['mail zqxmail@example.com', 'zqxmail'],
  'ipv4': ['from 198.51.100.77 refused', '198.51.100.77'],
  'ipv6': ['via 2001:db8::77:1234 refused', '2001:db8::77:1234'],
  'api key': ['key sk-zqxkey0123456789abcdefgh', 'zqxkey0123456789abcdefgh'],
  'password': ['password=zqxpass99', 'zqxpass99'],
  'url credentials': ['https://bob:zqxurlpw@db.example.com/', 'zqxurlpw'],
};

// Every (product, event, input key) whose field is free text.
const textFields = [];
for (const p of products) {
  for (const e of p.events) {
    for (const f of e.fields) {
      if (f.kind === 'text') textFields.push({ product: p.product, event: e.name, key: f.aliases[0] ?? f.name, names: [f.name, ...f.aliases] });
    }
  }
}

describe('free text through the worker', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('the catalogue has free-text fields to check', () => {
    assert.ok(textFields.length >= 4, JSON.stringify(textFields));
  });

  for (const { product, event, key: firstKey, names } of textFields) {
    test(`${product}/${event} ${firstKey}: no planted secret reaches D1`, async () => {
      const base = reference.cases.find((c) => c.id === `${product}-${event}-reference`).body;
      // The name the reference payload already uses, so the field is not given twice.
      const key = names.find((k) => Object.hasOwn(base, k)) ?? firstKey;
      for (const [name, [planted]] of Object.entries(MARKERS)) {
        const response = await worker.post(`/v1/${product}/${event}`, { ...base, [key]: `boom: ${planted} (${name})` });
        assert.equal(response.status, 200, await response.clone().text());
      }
      const rows = await worker.rows();
      assert.ok(rows.length >= 1);
      const stored = JSON.stringify(rows);
      for (const [name, [, secret]] of Object.entries(MARKERS)) {
        assert.ok(!stored.includes(secret), `${name} (${secret}) reached D1: ${stored}`);
      }
    });
  }

  test('X-Sent-At shifts the event time by the client clock error', async () => {
    const receivedBefore = Date.now();
    const clientSkew = 3_600_000; // the client's clock is an hour slow
    const clientNow = receivedBefore - clientSkew;
    const body = { ...SESSION, session_id: 'c1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', timestamp: (clientNow - 60_000) / 1000 };
    const response = await worker.post('/v1/agentsonar/session', body, {
      'content-type': 'application/json', 'x-sent-at': String(clientNow),
    });
    assert.equal(response.status, 200);
    const [row] = await worker.rows();
    assert.equal(row.time_source, 'client_corrected');
    // occurred = client time + (received - sent): about a minute before the receive time.
    assert.ok(Math.abs(row.occurred_at - (row.received_at - 60_000)) <= 1, `${row.occurred_at} vs ${row.received_at}`);
  });

  test('an unreadable X-Sent-At is a 400 with its own code', async () => {
    const response = await worker.post('/v1/agentsonar/session', SESSION, {
      'content-type': 'application/json', 'x-sent-at': 'soon',
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error.code, 'invalid_sent_at');
    assert.equal((await worker.rows()).length, 0);
  });
});
