// posthog.test.mjs: hostile and odd PostHog capture requests through the worker in workerd with D1.
// Each unreadable request is a specific 4xx; a readable one is 200 (what posthog clients need) with
// every event it could not keep rejected, counted, and never stored.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startWorker, testCatalogue } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const catalogue = testCatalogue();
const mapped = catalogue.products.find((p) => p.posthog?.api_keys.length);
const unmapped = catalogue.products.find((p) => !p.posthog);
const KEY = mapped.posthog.api_keys[0];
const RUN = '01275463-aa39-482d-8cb2-11034e86f324';
const startEvent = mapped.posthog.events.find((m) => !m.captured.includes('*') && mapped.events.find((e) => e.name === m.event)?.fields.every((f) => !f.required || f.name === mapped.posthog.distinct_id));

describe('PostHog capture through the worker', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  const capture = (path, body, headers = { 'content-type': 'application/json' }) => worker.post(path, body, headers);
  const batch = (messages, extra = {}) => ({ api_key: KEY, batch: messages, ...extra });
  const message = (event, properties = {}, extra = {}) => ({ event, distinct_id: RUN, properties, ...extra });

  test(`there is a mapped product (${mapped.product}) whose ${startEvent?.captured} needs only the distinct id`, () => {
    assert.ok(startEvent);
  });

  test('one event, an array of events, and a batch are all read; //batch/ too', async () => {
    for (const [path, body] of [['/capture/', { api_key: KEY, ...message(startEvent.captured) }], ['/e/', [{ ...message(startEvent.captured), api_key: KEY }]], ['//batch/', batch([message(startEvent.captured)])]]) {
      await worker.clear();
      const response = await capture(path, body);
      assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
      assert.equal((await response.json()).status, 1);
      assert.equal((await worker.rows()).length, 1, path);
    }
  });

  test('the path names the product when there is no key', async () => {
    const response = await capture(`/v1/${mapped.product}/batch/`, { batch: [message(startEvent.captured)] });
    assert.equal(response.status, 200);
    assert.equal((await worker.rows()).length, 1);
  });

  test('a key no product declares, a product without a mapping, an unknown product: 4xx, nothing stored', async () => {
    for (const [path, body, status, code] of [
      ['/batch/', { api_key: 'phc_nobody_has_this_key', batch: [message(startEvent.captured)] }, 400, 'unknown_api_key'],
      ['/batch/', { batch: [message(startEvent.captured)] }, 400, 'unknown_api_key'],
      [`/v1/${unmapped.product}/batch/`, batch([message('x')]), 404, 'no_posthog_mapping'],
      ['/v1/nosuchproduct/batch/', batch([message('x')]), 404, 'unknown_product'],
    ]) {
      const response = await capture(path, body);
      assert.equal(response.status, status, path);
      assert.equal((await response.json()).error.code, code);
    }
    assert.equal((await worker.rows()).length, 0);
  });

  test('not JSON, not a capture body, a wrong method: specific 4xx', async () => {
    const notJson = await capture('/batch/', '{"batch": [');
    assert.deepEqual([notJson.status, (await notJson.json()).error.code], [400, 'malformed_json']);
    const wrongShape = await capture('/batch/', { api_key: KEY, batch: 'nope' });
    assert.deepEqual([wrongShape.status, (await wrongShape.json()).error.code], [400, 'wrong_body_type']);
    const get = await worker.fetch('/batch/', { method: 'GET' });
    assert.deepEqual([get.status, get.headers.get('allow')], [405, 'POST, OPTIONS']);
    assert.equal((await worker.rows()).length, 0);
  });

  test('a request whose events carry other products\' or unknown keys is refused whole, whichever comes first', async () => {
    for (const order of [[KEY, 'phc_evil_key_0001'], ['phc_evil_key_0001', KEY]]) {
      const response = await capture('/batch/', order.map((key) => ({ ...message(startEvent.captured), api_key: key })));
      assert.equal(response.status, 400);
      assert.ok(['mixed_api_keys', 'unknown_api_key'].includes((await response.json()).error.code));
    }
    assert.equal((await worker.rows()).length, 0);
  });

  test('properties that are no object are named back as dropped; invalid UTF-8 is invalid_utf8', async () => {
    const response = await capture('/batch/', batch([{ ...message(startEvent.captured), properties: [1, 2] }]));
    assert.equal(response.status, 200);
    assert.deepEqual((await response.json()).results[0].dropped, ['properties']);
    const bad = await capture('/batch/', Buffer.concat([Buffer.from(`{"api_key":"${KEY}","event":"x\u00ff`), Buffer.from([0xff]), Buffer.from('"}')]));
    assert.deepEqual([bad.status, (await bad.json()).error.code], [400, 'invalid_utf8']);
  });

  test('a distinct_id that is an e-mail address is rejected and counted, never stored', async () => {
    const response = await capture('/batch/', batch([{ ...message(startEvent.captured), distinct_id: 'jane.doe@example.com' }]));
    assert.equal(response.status, 200);
    assert.equal((await response.json()).results[0].code, 'invalid_uuid');
    assert.equal((await worker.rows()).length, 0);
    const counted = await worker.execute('SELECT code, count FROM rejections_daily');
    assert.deepEqual(counted.map(({ code, count }) => ({ code, count })), [{ code: 'invalid_uuid', count: 1 }]);
  });

  test('properties named like the envelope (product, event) cannot move an event elsewhere', async () => {
    const response = await capture('/batch/', batch([message(startEvent.captured, { product: unmapped.product, event: unmapped.events[0].name })]));
    assert.equal(response.status, 200);
    assert.equal((await response.json()).results[0].code, 'duplicate_key');
    assert.equal((await worker.rows()).length, 0);
  });

  test('$ properties are the library\'s: dropped even when they spell a declared field', async () => {
    const declared = mapped.events.find((e) => e.name === startEvent.event).fields.find((f) => f.name !== mapped.posthog.distinct_id);
    const properties = { $lib: 'posthog-python', $geoip_disable: true, ...(declared ? { [`$${declared.name}`]: 'x' } : {}) };
    const response = await capture('/batch/', batch([message(startEvent.captured, properties)]));
    assert.equal(response.status, 200);
    const [row] = await worker.rows();
    assert.ok(!row.properties.includes('$') && !row.properties.includes('posthog-python'), row.properties);
  });

  test('NaN and Infinity outside strings are read as absent; inside strings they are text', async () => {
    const text = `{"api_key":"${KEY}","batch":[{"event":"${startEvent.captured}","distinct_id":"${RUN}","properties":{"loss":NaN,"grad_norm":-Infinity,"note":"loss is NaN, \\"Infinity\\""}}]}`;
    const response = await capture('/batch/', text);
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal((await worker.rows()).length, 1);
  });

  test('a mapped event with a field of the wrong kind is rejected and counted; the rest of the batch is stored', async () => {
    const response = await capture('/batch/', batch([message(startEvent.captured), message(startEvent.captured, {}, { distinct_id: 12 })]));
    assert.equal(response.status, 200);
    assert.deepEqual((await response.json()).results.map((r) => r.status), ['accepted', 'rejected']);
    assert.equal((await worker.rows()).length, 1);
  });

  test('more events than a request may hold is 413, as for a native batch', async () => {
    const response = await capture('/batch/', batch(Array.from({ length: 1001 }, () => message(startEvent.captured))));
    assert.equal(response.status, 413);
    assert.equal((await worker.rows()).length, 0);
  });
});
