// forget.test.mjs: POST /v1/forget through the real worker and a real local D1. The core says
// under which spellings the loaded catalogue stores the id (ph_forget, wasm/src/forget.h); the
// Worker deletes each: a string install id as sent (an upper-case UUID stays upper case), a uuid
// one lower case and dashed, and the daily counters of both.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadCatalogue, publicCatalogue } from '../../cli/catalogue.mjs';
import { installKey } from '../../worker/storage.js';
import { SESSION, startWorker } from './harness.mjs';

const UPPER = 'ABCDEF01-2345-6789-ABCD-EF0123456789';
const LOWER = UPPER.toLowerCase();
const INVALID = { status: 400, code: 'invalid_forget_request', message: 'send {"install_id": "<the id your SDK stores>"}' };

// The fixture: strid keeps its install id as a string, uuidid as a uuid.
function forgetCatalogue() {
  const { products, problems } = loadCatalogue(fileURLToPath(new URL('../fixtures/catalogue-forget', import.meta.url)));
  assert.deepEqual(problems, []);
  return publicCatalogue(products);
}

async function stored(worker, path, body) {
  const response = await worker.post(path, body);
  assert.equal(response.status, 200, await response.clone().text());
}

const count = async (worker, sql) => (await worker.rows(sql))[0].n;

async function assertRefused(response) {
  assert.equal(response.status, INVALID.status);
  const { error } = await response.json();
  assert.equal(error.code, INVALID.code);
  assert.equal(error.message, INVALID.message);
}

describe('forget, with a catalogue whose install id is a string', () => {
  let worker;
  before(async () => { worker = await startWorker({ catalogue: forgetCatalogue() }); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('an upper-case UUID stored as a string is deleted, with its uuid spelling and both counters', async () => {
    await stored(worker, '/v1/strid/ping', { machine: UPPER });
    await stored(worker, '/v1/strid/ping', { machine: ` ${UPPER}\t` });  // stored trimmed
    await stored(worker, '/v1/uuidid/ping', { install_id: UPPER });       // stored lower case
    await stored(worker, '/v1/strid/ping', { machine: 'machine-9' });
    assert.deepEqual((await worker.rows('SELECT install_id FROM events ORDER BY install_id')).map((r) => r.install_id),
      [UPPER, UPPER, LOWER, 'machine-9']);
    const keys = await worker.rows('SELECT install FROM install_writes ORDER BY install');
    assert.deepEqual(keys.map((r) => r.install), [installKey(UPPER), installKey(LOWER), installKey('machine-9')].sort());

    const response = await worker.post('/v1/forget', { install_id: UPPER });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { deleted: 3 });
    assert.equal(await count(worker, `SELECT count(*) AS n FROM events WHERE install_id IN ('${UPPER}', '${LOWER}')`), 0);
    assert.deepEqual(await worker.rows('SELECT install_id FROM events'), [{ install_id: 'machine-9' }]);
    assert.deepEqual(await worker.rows('SELECT install FROM install_writes'), [{ install: installKey('machine-9') }]);
  });

  test('a string id is found as the core cleans it, not as JavaScript trims it', async () => {
    const id = '\u00a0machine-7';  // a no-break space: JS trim() drops it, the core keeps it
    await stored(worker, '/v1/strid/ping', { machine: id });
    const response = await worker.post('/v1/forget', { install_id: ` ${id}\u200b\n` });
    assert.deepEqual(await response.json(), { deleted: 1 });
    assert.equal(await count(worker, 'SELECT count(*) AS n FROM events'), 0);
  });

  test('bodies that name no single install id are 400 invalid_forget_request, as before', async () => {
    for (const body of ['not json', '[]', '{}', '{"id":"x"}', '{"install_id":5}', '{"install_id":"  "}',
      `{"install_id":"${'a'.repeat(129)}"}`, '{"install_id":"a","install_id":"b"}', '{"install_id":"\\ud800"}']) {
      await assertRefused(await worker.post('/v1/forget', body));
    }
    const badUtf8 = new Uint8Array([...new TextEncoder().encode('{"install_id":"a'), 0xff, ...new TextEncoder().encode('"}')]);
    await assertRefused(await worker.post('/v1/forget', badUtf8));
  });
});

describe('forget, with the reference catalogue (install ids are uuids)', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  for (const spelling of [SESSION.install_id.toUpperCase(), `{${SESSION.install_id}}`, SESSION.install_id.replaceAll('-', '')]) {
    test(`the id sent as ${spelling} deletes the stored lower-case UUID`, async () => {
      await stored(worker, '/v1/agentsonar/session', SESSION);
      const response = await worker.post('/v1/forget', { install_id: spelling });
      assert.deepEqual(await response.json(), { deleted: 1 });
      assert.equal(await count(worker, 'SELECT count(*) AS n FROM events'), 0);
      assert.equal(await count(worker, 'SELECT count(*) AS n FROM install_writes'), 0);
    });
  }

  test('dashes out of place read as no UUID: nothing deleted, still a valid request', async () => {
    await stored(worker, '/v1/agentsonar/session', SESSION);
    // 36 characters, four dashes, but the first after 7 digits: the old regex took it for a UUID.
    const h = SESSION.install_id.replaceAll('-', '');
    const misplaced = `${h.slice(0, 7)}-${h.slice(7, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    const response = await worker.post('/v1/forget', { install_id: misplaced });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { deleted: 0 });
    assert.equal(await count(worker, 'SELECT count(*) AS n FROM events'), 1);
  });
});
