// health-stats.test.mjs: GET /v1/stats/shapes through the real Worker in workerd and a real
// local D1 (rows written straight into rejected_shapes_daily, which the core's rejections fill):
// summed over the range, largest first, at most MAX_SHAPE_ROWS, the event filter checked. The
// checks and client_reports reports are tested with their routes (check.test.mjs,
// client-reports.test.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_SHAPE_ROWS } from '../../worker/health-stats.js';
import { startWorker, testCatalogue } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const catalogue = testCatalogue();
const declared = catalogue.products[0];
const [event] = declared.events;
const today = Math.floor(Date.now() / 86_400_000);

describe('GET /v1/stats/shapes', () => {
  let worker;
  before(async () => { worker = await startWorker({ vars: { STATS_TOKEN: TOKEN } }); });
  after(async () => { await worker?.close(); });

  const insert = (day, version, code, shape, count) => worker.execute(
    'INSERT INTO rejected_shapes_daily (day, product, event, version, code, shape, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)',
    [day, declared.product, event.name, version, code, JSON.stringify(shape), count]);
  const shapes = async (query) => {
    const response = await worker.fetch(`/v1/stats/shapes?${new URLSearchParams({ product: declared.product, ...query })}`, { headers: auth });
    const text = await response.text();
    return { status: response.status, answer: response.status === 200 ? JSON.parse(text) : text };
  };

  test('summed over the range, largest first, shapes as objects', async () => {
    await insert(today, '0.3.0', 'invalid_type', { python: 'number' }, 4);
    await insert(today - 1, '0.3.0', 'invalid_type', { python: 'number' }, 3);
    await insert(today, '0.4.0', 'missing_field', { version: 'string' }, 5);
    await insert(today - 40, '0.2.0', 'missing_field', { old: 'string' }, 100);
    const { status, answer } = await shapes({});
    assert.equal(status, 200);
    assert.deepEqual(answer.rows, [
      { event: event.name, version: '0.3.0', code: 'invalid_type', shape: { python: 'number' }, count: 7 },
      { event: event.name, version: '0.4.0', code: 'missing_field', shape: { version: 'string' }, count: 5 },
    ]);
    assert.equal(answer.truncated, false);
    assert.equal((await shapes({ event: event.name })).answer.rows.length, 2);
  });

  test(`at most ${MAX_SHAPE_ROWS} rows, truncated says so`, async () => {
    const statements = Array.from({ length: MAX_SHAPE_ROWS + 1 }, (_, i) => insert(today, '9.9.9', 'invalid_type', { [`k${i}`]: 'string' }, 1));
    await Promise.all(statements);
    const { answer } = await shapes({});
    assert.equal(answer.rows.length, MAX_SHAPE_ROWS);
    assert.equal(answer.truncated, true);
  });

  test('bad parameters are 400; no token is 401', async () => {
    assert.equal((await shapes({ event: 'no-such-event' })).status, 400);
    assert.equal((await shapes({ product: 'no-such-product' })).status, 400);
    assert.equal((await shapes({ from: '2026-02-30' })).status, 400);
    assert.equal((await worker.fetch(`/v1/stats/shapes?product=${declared.product}`)).status, 401);
  });
});
