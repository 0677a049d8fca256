// reference.test.mjs: each reference product's exact payload, posted to the real worker, lands in
// D1 as the row tests/vectors/catalogue/reference.json expects, properties text included.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadCatalogue } from '../../cli/catalogue.mjs';
import { startWorker, catalogueDir, referenceVectorsFile } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const reference = JSON.parse(readFileSync(referenceVectorsFile, 'utf8'));
const referenceCases = reference.cases.filter((c) => c.id.endsWith('-reference'));

describe('reference payloads through the worker', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('there is one reference payload per event of the catalogue', () => {
    const events = loadCatalogue(catalogueDir).products.flatMap((p) => p.events.map((e) => `${p.product}/${e.name}`));
    assert.deepEqual(referenceCases.map((c) => `${c.product}/${c.event}`).sort(), events.sort());
  });

  for (const c of referenceCases) {
    test(`${c.product}/${c.event} is stored as its expected row`, async () => {
      const before = Date.now();
      const response = await worker.post(`/v1/${c.product}/${c.event}`, c.body);
      assert.equal(response.status, 200, await response.clone().text());
      assert.deepEqual((await response.json()).results, c.expect.results);
      const rows = await worker.rows();
      assert.equal(rows.length, 1);
      const { event_id: eventId, received_at: receivedAt, occurred_at: occurredAt, properties, ...columns } = rows[0];
      const { event_id: expectedId, received_at: _r, occurred_at: expectedOccurred, properties: expectedProps, ...expectedColumns } = c.expect.rows[0];
      assert.match(eventId, /^[0-9a-f]{32}$/);
      if (expectedId) assert.equal(eventId, expectedId);
      assert.ok(receivedAt >= before && receivedAt <= Date.now());
      assert.equal(occurredAt, expectedColumns.time_source === 'server' ? receivedAt : expectedOccurred);
      assert.deepEqual(columns, expectedColumns);
      // The stored text is the core's canonical JSON, byte for byte (declared field order).
      assert.equal(properties, JSON.stringify(expectedProps));
    });
  }
});
