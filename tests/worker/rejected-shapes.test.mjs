// rejected-shapes.test.mjs: rejected events are counted by shape in rejected_shapes_daily (keys and
// JSON types, never a value; docs/SCRUBBING.md, "Rejected-event shapes"), at most
// MAX_REJECTED_SHAPES shapes per day, product and event, the rest under OTHER_SHAPE, with the
// versions rejections_daily keeps, deleted by maintenance with rejections_daily's rows: in direct
// mode and in queue mode, through the real worker in workerd and a real local D1. The event and
// its fields come from the catalogue the tests run with.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MAX_REJECTED_SHAPES as CAP, OTHER_SHAPE } from '../../worker/storage.js';
import { consumerIdle, startWorker, testCatalogue, waitFor } from './harness.mjs';

// The first event with a declared top-level string field (one with an alias if any has one), and
// the field feeding its version column, if it has one.
function pickEvent() {
  const candidates = [];
  for (const product of testCatalogue().products) {
    for (const event of product.events) {
      const strings = event.fields.filter((f) => f.kind === 'string');
      const field = strings.find((f) => f.aliases?.length) ?? strings[0];
      if (field) candidates.push({ product: product.product, event: event.name, field, version: event.fields.find((f) => f.column === 'version') });
    }
  }
  assert.ok(candidates.length > 0, 'the catalogue declares a string field');
  return candidates.find((c) => c.field.aliases?.length) ?? candidates[0];
}
const target = pickEvent();
const route = `/v1/${target.product}/${target.event}`;

// Every value carries this mark; no row of the table may hold it.
const MARK = 'zqvalue';
let serial = 0;
// An event whose string field is sent as a number (under its alias when it has one), with keys a
// shape must never keep as sent, one it may, and `extra` keys.
function wrongEvent(extra = {}) {
  const n = ++serial;
  return {
    [target.field.aliases?.[0] ?? target.field.name]: 12345 + n,
    ...(target.version ? { [target.version.name]: '1.2.3' } : {}),
    AKIAIOSFODNN7EXAMPLE: `${MARK}-secret-${n}`,
    'jane.doe@example.com': `${MARK}-mail-${n}`,
    zq_extra: `${MARK}-extra-${n}`,
    zq_nested: { zq_inner: `${MARK}-inner-${n}` },
    ...extra,
  };
}
const expectedShape = {
  '<key>': 'string',
  [target.field.name]: 'number',
  ...(target.version ? { [target.version.name]: 'string' } : {}),
  zq_extra: 'string',
  zq_nested: 'object',
};
// Letters only: an undeclared key of digits could read as a phone number and be refused.
const letters = (n) => { let s = ''; do { s = String.fromCharCode(97 + (n % 26)) + s; n = Math.floor(n / 26); } while (n > 0); return s; };

const shapeRows = (worker) => worker.rows('SELECT day, product, event, version, code, shape, count FROM rejected_shapes_daily ORDER BY shape, version');
const total = async (worker, table) => (await worker.rows(`SELECT coalesce(sum(count), 0) AS n FROM ${table}`))[0].n;

for (const mode of ['direct', 'queue']) {
  describe(`${mode} mode: ${target.product}/${target.event} with ${target.field.name} sent as a number`, () => {
    const queued = mode === 'queue';
    let worker;
    before(async () => {
      worker = await startWorker(queued ? { vars: { QUEUE_RETRY_BASE_SECONDS: '0' }, queue: { maxBatchTimeout: 0.05 } } : {});
    });
    after(async () => { await worker?.close(); });
    beforeEach(async () => {
      if (queued) await consumerIdle(worker);
      await worker.clear();
      await worker.execute('DELETE FROM rejected_shapes_daily');
    });

    // counted() waits until `n` rejected events are in both tables, then checks no more were.
    async function counted(n) {
      await waitFor(async () => (await total(worker, 'rejected_shapes_daily')) >= n && (await total(worker, 'rejections_daily')) >= n,
        { what: `${n} rejected events counted` });
      if (queued) await consumerIdle(worker);
      assert.equal(await total(worker, 'rejections_daily'), n);
      assert.equal(await total(worker, 'rejected_shapes_daily'), n);
    }

    async function post(events) {
      const response = await worker.post(route, events);
      const answer = await response.json();
      assert.equal(response.status, 400, JSON.stringify(answer).slice(0, 300));
      for (const result of answer.results) assert.equal(result.code, 'wrong_type');
    }

    test('keys under their canonical names with their JSON types; secret-shaped keys and values never stored', async () => {
      await post([wrongEvent(), wrongEvent()]);
      await counted(2);
      const rows = await shapeRows(worker);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      const [row] = rows;
      assert.deepEqual({ product: row.product, event: row.event, code: row.code, count: row.count },
        { product: target.product, event: target.event, code: 'wrong_type', count: 2 });
      assert.equal(row.version, target.version ? '1.2.3' : '');
      const shape = JSON.parse(row.shape);
      assert.deepEqual(shape, expectedShape);
      assert.deepEqual(Object.keys(shape), Object.keys(shape).sort(), 'keys sorted');
      const everything = JSON.stringify(await worker.rows('SELECT * FROM rejected_shapes_daily'));
      for (const secret of [MARK, 'AKIA', 'example.com', 'jane', 'zq_inner', '12346']) {
        assert.ok(!everything.includes(secret), `${secret} stored: ${everything}`);
      }
    });

    test(`at most ${CAP} shapes per day, product and event; the rest under ${OTHER_SHAPE}, totals exact`, async () => {
      const events = Array.from({ length: CAP + 10 }, (_, i) => wrongEvent({ [`zq_cap_${letters(i)}`]: 1 }));
      await post(events);
      await counted(events.length);
      const rows = await shapeRows(worker);
      const kept = rows.filter((r) => r.shape !== OTHER_SHAPE);
      assert.equal(new Set(kept.map((r) => r.shape)).size, CAP);
      assert.equal(rows.find((r) => r.shape === OTHER_SHAPE)?.count, 10);
      for (const r of kept) assert.equal(r.count, 1);

      // Later: a kept shape keeps counting on its row, a new one goes to the other row.
      const keptKey = Object.keys(JSON.parse(kept[0].shape)).find((k) => k.startsWith('zq_cap_'));
      await post([wrongEvent({ [keptKey]: 1 }), wrongEvent({ zq_cap_new: 1 })]);
      await counted(events.length + 2);
      const later = await shapeRows(worker);
      assert.equal(later.find((r) => r.shape === kept[0].shape).count, 2);
      assert.equal(later.find((r) => r.shape === OTHER_SHAPE).count, 11);
      assert.equal(new Set(later.map((r) => r.shape)).size, CAP + 1);
    });

    test('versions are the ones rejections_daily keeps; an event that is no object counts without a shape', async () => {
      const versioned = target.version
        ? Array.from({ length: 3 }, (_, i) => wrongEvent({ [target.version.name]: `2.0.${i}` }))
        : [wrongEvent()];
      const response = await worker.post(route, [...versioned, 5]);
      assert.equal(response.status, 400);
      await response.arrayBuffer();
      await waitFor(async () => (await total(worker, 'rejections_daily')) >= versioned.length + 1 && (await total(worker, 'rejected_shapes_daily')) >= versioned.length,
        { what: 'the rejections counted' });
      if (queued) await consumerIdle(worker);
      const keys = (rows) => rows.map((r) => `${r.day}/${r.product}/${r.event}/${r.code}/${r.version}`).sort();
      const shapes = await shapeRows(worker);
      const rejections = await worker.rows("SELECT day, product, event, code, version FROM rejections_daily WHERE code != 'not_an_object'");
      assert.deepEqual(keys(shapes), keys(rejections));
      assert.equal((await worker.rows("SELECT count(*) AS n FROM rejections_daily WHERE code = 'not_an_object'"))[0].n, 1);
    });

    if (!queued) {
      test('maintenance deletes shape rows with the rejection counts of the same days', async () => {
        await post([wrongEvent()]);
        await counted(1);
        const [{ day }] = await shapeRows(worker);
        const old = 1; // 1970-01-02: older than any retention
        for (const table of ['rejections_daily', 'rejected_shapes_daily']) {
          const columns = table === 'rejections_daily' ? 'day, product, event, code, version, count' : 'day, product, event, code, version, shape, count';
          const values = table === 'rejections_daily' ? "?1, 'p', 'e', 'wrong_type', '', 1" : "?1, 'p', 'e', 'wrong_type', '', '{}', 1";
          await worker.execute(`INSERT INTO ${table} (${columns}) VALUES (${values})`, [old]);
        }
        const result = await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date() });
        assert.equal(result.outcome, 'ok');
        assert.deepEqual((await worker.rows('SELECT DISTINCT day FROM rejections_daily')).map((r) => r.day), [day]);
        assert.deepEqual((await worker.rows('SELECT DISTINCT day FROM rejected_shapes_daily')).map((r) => r.day), [day]);
      });
    }
  });
}
