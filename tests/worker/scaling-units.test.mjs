// scaling-units.test.mjs: the pure parts of queue mode and event routing (worker/queue.js,
// worker/stores.js), run directly in Node: the rule parser, row regrouping, message decoding and
// the retry backoff. Their behaviour in workerd is covered by queue.test.mjs and stores.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, retryDelaySeconds } from '../../worker/queue.js';
import { mergeChunks, packBySize, parseRoutes, routeOf, RoutesError, splitByStore, utf8Length } from '../../worker/stores.js';

test('EVENT_ROUTES: first match wins, anything unmatched goes to DB', () => {
  const routes = parseRoutes('product=axon|langflow -> EVENTS_A; month>=2027-01 & month<2027-07 -> EVENTS_2027H1; * -> EVENTS_REST');
  assert.equal(routeOf(routes, 'axon', Date.UTC(2027, 2, 1)), 'EVENTS_A');
  assert.equal(routeOf(routes, 'agentsonar', Date.UTC(2027, 0, 1)), 'EVENTS_2027H1');
  assert.equal(routeOf(routes, 'agentsonar', Date.UTC(2027, 6, 1) - 1), 'EVENTS_2027H1');
  assert.equal(routeOf(routes, 'agentsonar', Date.UTC(2027, 6, 1)), 'EVENTS_REST');
  assert.equal(routeOf(parseRoutes(''), 'axon', 0), 'DB');
  assert.equal(routeOf(parseRoutes('product=axon -> EVENTS_A'), 'langflow', 0), 'DB');
});

test('EVENT_ROUTES: a rule that cannot be read is refused, naming the rule', () => {
  for (const bad of ['axon -> EVENTS_A', 'product=axon => EVENTS_A', 'month>=2027-13 -> B', 'month>=27-01 -> B', 'product=Axon -> B', 'product=axon -> 9B']) {
    assert.throws(() => parseRoutes(bad), (error) => error instanceof RoutesError && error.message.includes(bad.split(' ')[0]), bad);
  }
});

test('splitByStore keeps every row once, with its request-wide index, in chunks under the limit', () => {
  const routes = parseRoutes('product=b -> EVENTS_B');
  const rows = Array.from({ length: 50 }, (_, i) => ({ event_id: `e${i}`, product: i % 3 ? 'a' : 'b', occurred_at: i, properties: 'é'.repeat(30) }));
  const chunks = [{ rowsJson: JSON.stringify(rows.slice(0, 20)), firstRow: 0 }, { rowsJson: JSON.stringify(rows.slice(20)), firstRow: 20 }];
  const split = splitByStore(chunks, routes, 400);
  assert.deepEqual([...split.keys()].sort(), ['DB', 'EVENTS_B']);
  const seen = [];
  for (const [binding, storeChunks] of split) {
    for (const chunk of storeChunks) {
      assert.ok(utf8Length(chunk.rowsJson) <= 400, `${utf8Length(chunk.rowsJson)} bytes`);
      JSON.parse(chunk.rowsJson).forEach((row, i) => {
        assert.equal(row.event_id, `e${chunk.rowIndexes[i]}`);
        assert.equal(binding, row.product === 'b' ? 'EVENTS_B' : 'DB');
        seen.push(chunk.rowIndexes[i]);
      });
    }
  }
  assert.deepEqual(seen.sort((x, y) => x - y), rows.map((_, i) => i));
  assert.equal(splitByStore(chunks, [])?.get('DB'), chunks, 'without routes the core\'s chunks pass untouched');
});

test('mergeChunks joins arrays up to the limit and skips empty ones', () => {
  const chunks = [[1, 2], [], [3], [4, 5, 6]].map((a) => ({ rowsJson: JSON.stringify(a) }));
  assert.deepEqual(mergeChunks(chunks, 1000).map((c) => JSON.parse(c.rowsJson)), [[1, 2, 3, 4, 5, 6]]);
  assert.deepEqual(mergeChunks(chunks, 8).map((c) => JSON.parse(c.rowsJson)), [[1, 2], [3], [4, 5, 6]]);
});

test('packBySize keeps order, sizes (with overhead) and item counts within bounds', () => {
  const size = (n) => n;
  assert.deepEqual(packBySize([3, 4, 2, 9, 1, 1, 1], size, 8), [[3, 4], [2], [9], [1, 1, 1]]);
  assert.deepEqual(packBySize([3, 4, 2], size, 8, { overhead: 2 }), [[3], [4, 2]]);
  assert.deepEqual(packBySize([1, 1, 1, 1, 1], size, 100, { maxItems: 2 }), [[1, 1], [1, 1], [1]]);
  assert.deepEqual(packBySize([], size, 8), []);
});

test('utf8Length counts UTF-8 bytes', () => {
  for (const text of ['', 'abc', 'é', '€', '😀', 'a\u0000b', '\ud800']) {
    assert.equal(utf8Length(text), Buffer.byteLength(text), JSON.stringify(text));
  }
});

test('decodeMessage reads phonehome messages and nothing else', () => {
  assert.deepEqual(decodeMessage('{"v":1,"kind":"rows","day":5}\n[{"a":1}]'), { kind: 'rows', day: 5, receipt: null, json: '[{"a":1}]' });
  assert.deepEqual(decodeMessage('{"v":1,"kind":"rejections","day":5,"receipt":"r"}\n[]').receipt, 'r');
  for (const bad of [undefined, 42, '', '[]', '{"v":2,"kind":"rows","day":5}\n[]', '{"v":1,"kind":"rows"}\n[]',
    '{"v":1,"kind":"rows","day":5}\n{}', '{"v":1,"kind":"rejections","day":5}\n[]', '{"v":1,"kind":"other","day":5}\n[]',
    '{"v":1,"day":5}\n[]', 'not json\n[]']) {
    assert.equal(decodeMessage(bad), null, String(bad));
  }
});

test('the retry delay doubles from the base and stops at the cap', () => {
  const backoff = { base: 10, cap: 3600 };
  assert.deepEqual([1, 2, 3, 4, 9, 10, 30].map((a) => retryDelaySeconds(a, backoff)), [10, 20, 40, 80, 2560, 3600, 3600]);
  assert.equal(retryDelaySeconds(5, { base: 0, cap: 3600 }), 0);
});
