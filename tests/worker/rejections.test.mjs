// rejections.test.mjs: rejection counts stay bounded whatever versions a sender invents
// (docs/INSIGHTS.md). Per day, product, event and code at most MAX_REJECTION_VERSIONS versions
// keep rows of their own and the rest count under version '', so the table and the stats answer
// stay small and the totals stay exact: in direct mode and in queue mode, through the real worker
// in workerd and a real local D1. Every count is derived from the cap and the report's row limit,
// never from today's values.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MAX_REJECTION_ROWS } from '../../worker/stats.js';
import { MAX_REJECTION_VERSIONS as CAP } from '../../worker/storage.js';
import { consumerIdle, SESSION, startWorker, waitFor } from './harness.mjs';

const DAY = 86_400_000;
const TOKEN = 'test-stats-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const hex = (n) => n.toString(16).padStart(12, '0');
const today = () => Math.floor(Date.now() / DAY);
const dayText = (day) => new Date(day * DAY).toISOString().slice(0, 10);

let serial = 0;
// An agentsonar session event, new each time (its own session id).
const session = (extra = {}) => ({ ...SESSION, session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${hex(++serial)}`, ...extra });
// `n` events rejected as `code` (invalid_uuid or invalid_timestamp), each carrying `version`: the
// version rule passes, so it is counted under it.
const BREAK = { invalid_uuid: { install_id: 'not-a-uuid' }, invalid_timestamp: { timestamp: 'not a time' } };
const rejected = (version, n = 1, code = 'invalid_uuid') => Array.from({ length: n }, () => session({ version, ...BREAK[code] }));
// `count` versions never sent before, as a flood would invent them ("1.0.0-flood.17").
const freshVersions = (count) => Array.from({ length: count }, () => `1.0.0-flood.${++serial}`);
const flood = (count, code) => freshVersions(count).flatMap((version) => rejected(version, 1, code));

const post = (worker, events) => worker.post('/v1/agentsonar/session', events);

// keys() is rejections_daily per day, product, event and code: its rows, the events counted, the
// versions with rows of their own, and the count under ''.
const keys = (worker) => worker.rows(`SELECT day, product, event, code, count(*) AS rows, sum(count) AS n,
  sum(version != '') AS versions, sum(CASE WHEN version = '' THEN count ELSE 0 END) AS unknown
  FROM rejections_daily GROUP BY day, product, event, code ORDER BY code`);
const countOf = async (worker, version) => (await worker.rows(`SELECT coalesce(sum(count), 0) AS n FROM rejections_daily WHERE version = '${version}'`))[0].n;

// counted() waits until `n` rejected events are counted (direct mode counts them after answering,
// queue mode once the consumer ran), then checks no more were.
async function counted(worker, n, queued) {
  const total = async () => (await worker.rows('SELECT coalesce(sum(count), 0) AS n FROM rejections_daily'))[0].n;
  await waitFor(async () => (await total()) >= n, { what: `${n} rejected events counted` });
  if (queued) await consumerIdle(worker);
  assert.equal(await total(), n, 'every rejected event counted once');
}

async function stats(worker, params) {
  const response = await worker.fetch(`/v1/stats/rejections?${new URLSearchParams({ product: 'agentsonar', ...params })}`, { headers: auth });
  const text = await response.text();
  assert.equal(response.status, 200, text.slice(0, 300));
  return { text, answer: JSON.parse(text) };
}

for (const mode of ['direct', 'queue']) {
  describe(`${mode} mode: at most ${CAP} versions per day, product, event and code`, () => {
    const queued = mode === 'queue';
    let worker;
    before(async () => {
      worker = await startWorker(queued
        ? { vars: { STATS_TOKEN: TOKEN, QUEUE_RETRY_BASE_SECONDS: '0' }, queue: { maxBatchTimeout: 0.05 } }
        : { vars: { STATS_TOKEN: TOKEN } });
    });
    after(async () => { await worker?.close(); });
    beforeEach(async () => {
      if (queued) await consumerIdle(worker);
      await worker.clear();
    });

    test(`one request of cap + 50 new versions: as many as the cap keep rows of their own, the largest counts first; the rest count under ''`, async () => {
      // Three versions with more events each, named to sort last: they still get rows of their own.
      const heavy = ['9.9.9-zz.1', '9.9.9-zz.2', '9.9.9-zz.3'];
      const events = [...flood(CAP + 50 - heavy.length), ...heavy.flatMap((v) => rejected(v, 3))];
      const response = await post(worker, events);
      assert.equal(response.status, 400, 'every event rejected');
      assert.equal((await response.json()).error.code, 'all_rejected');
      await counted(worker, events.length, queued);
      const [key, ...others] = await keys(worker);
      assert.deepEqual(others, []);
      assert.deepEqual({ rows: key.rows, versions: key.versions, n: key.n, unknown: key.unknown },
        { rows: CAP + 1, versions: CAP, n: events.length, unknown: 50 }, 'the 50 versions past the cap count under ""');
      for (const version of heavy) assert.equal(await countOf(worker, version), 3, version);
    });

    test('requests one after another and at once never take a key past cap + 1 rows; stored versions keep counting on their own rows', async () => {
      // Stored first: all but three of the cap's versions, two events each.
      const early = freshVersions(CAP - 3);
      let sent = 0;
      const send = async (events) => {
        const response = await post(worker, events);
        await response.arrayBuffer();
        sent += events.filter((e) => e.install_id === 'not-a-uuid').length;
        return response.status;
      };
      assert.equal(await send(early.flatMap((v) => rejected(v, 2))), 400);
      await counted(worker, sent, queued);
      // Four floods at once, then one after another, each of cap + 50 new versions.
      const statuses = await Promise.all(Array.from({ length: 4 }, () => send(flood(CAP + 50))));
      assert.deepEqual(statuses, [400, 400, 400, 400]);
      for (let i = 0; i < 3; i++) assert.equal(await send(flood(CAP + 50)), 400);
      // Past the cap: the early versions, with accepted events beside them (a request that stores
      // rows counts its rejections in the same transaction), and yet more new versions.
      const accepted = [session(), session()];
      assert.equal(await send([...accepted, ...early.flatMap((v) => rejected(v)), ...flood(CAP + 50)]), 200);
      await counted(worker, sent, queued);
      const [key, ...others] = await keys(worker);
      assert.deepEqual(others, []);
      assert.equal(key.rows, CAP + 1, 'the cap, and the row of unknown versions');
      assert.equal(key.n, sent);
      for (const version of early) assert.equal(await countOf(worker, version), 3, `${version} kept its row`);
      assert.equal((await worker.rows('SELECT count(*) AS n FROM events'))[0].n, accepted.length);
    });

    test('the stats answer stays small: at most cap + 1 rows per day, event and code, every event counted', async () => {
      let sent = 0;
      for (let i = 0; i < 3; i++) {
        for (const code of Object.keys(BREAK)) {
          const events = flood(CAP + 50, code);
          sent += events.length;
          await (await post(worker, events)).arrayBuffer();
        }
      }
      await counted(worker, sent, queued);
      const perKey = await keys(worker);
      assert.deepEqual(perKey.map((k) => [k.code, k.rows]), Object.keys(BREAK).sort().map((code) => [code, CAP + 1]));
      const { text, answer } = await stats(worker, { to: dayText(today()) });
      assert.equal(answer.truncated, false);
      assert.ok(answer.rejections.length <= Object.keys(BREAK).length * (CAP + 1), `${answer.rejections.length} rows`);
      assert.equal(answer.rejections.reduce((n, r) => n + r.count, 0), sent);
      // A row is a day, an event, a code, a version of ours (under 20 characters) and a count; the
      // rules explain each event's codes from the catalogue, whatever was sent.
      const rows = JSON.stringify(answer.rejections).length;
      assert.ok(rows < 200 + answer.rejections.length * 120, `${rows} characters of rows`);
      assert.ok(text.length - rows < 20_000, `${text.length - rows} characters besides the rows`);
    });

    if (queued) {
      test('messages of one batch with cap + 50 new versions each, one of them twice: cap + 1 rows, each message counted once', async () => {
        // Written by the consumer in one transaction, most likely in one statement: the bound must
        // hold across the messages' entries too.
        const message = (receipt, versions) => `{"v":1,"kind":"rejections","day":${today()},"receipt":"${receipt}"}\n${JSON.stringify(
          versions.map((version) => ({ product: 'agentsonar', event: 'session', code: 'invalid_uuid', version, count: 2 })))}`;
        const bodies = Array.from({ length: 4 }, (_, i) => message(`flood-${i}`, freshVersions(CAP + 50)));
        await worker.sendToQueue([...bodies, bodies[0]]);
        await counted(worker, bodies.length * (CAP + 50) * 2, true);
        const [key] = await keys(worker);
        assert.equal(key.rows, CAP + 1);
        assert.deepEqual(await worker.deadLetters(), []);
      });
    }
  });
}

describe('the rejections report', () => {
  let worker;
  before(async () => { worker = await startWorker({ vars: { STATS_TOKEN: TOKEN } }); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test(`folds versions stored before the cap the same way: the ${CAP} largest counts by name, the rest under '', totals kept`, async () => {
    // Three times the cap of versions on one day, event and code, version i counted i + 1 times,
    // and 7 already unknown: as a database flooded before the cap holds them. Langflow: a product
    // without install ids, whose rejected versions fold on their own counts (the named ones here
    // are well over MIN_GROUP_SIZE).
    const versions = 3 * CAP;
    await worker.execute(`WITH RECURSIVE v(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM v WHERE i + 1 < ?2)
      INSERT INTO rejections_daily (day, product, event, code, version, count)
      SELECT ?1, 'langflow', 'run', 'invalid_uuid', '1.0.' || i, i + 1 FROM v
      UNION ALL SELECT ?1, 'langflow', 'run', 'invalid_uuid', '', 7`, [today(), versions]);
    const { answer } = await stats(worker, { product: 'langflow', to: dayText(today()) });
    const total = 7 + (versions * (versions + 1)) / 2;
    assert.equal(answer.rejections.length, CAP + 1);
    assert.equal(answer.rejections.reduce((n, r) => n + r.count, 0), total);
    const named = answer.rejections.filter((r) => r.version !== 'unknown').map((r) => r.count).sort((a, b) => a - b);
    assert.deepEqual(named, Array.from({ length: CAP }, (_, i) => versions - CAP + 1 + i), 'the largest counts keep their names');
  });

  test(`answers at most ${MAX_REJECTION_ROWS} rows, the most recent, in order, and says it left some out`, async () => {
    // One row per day and code over the longest range, a few more rows than the limit in all.
    const days = 400;
    const codes = Math.ceil((MAX_REJECTION_ROWS + 1) / days);
    const last = today();
    // (D1 binds numbers as reals: the day is divided as integers.)
    await worker.execute(`WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i + 1 < ?2 * ?3)
      INSERT INTO rejections_daily (day, product, event, code, version, count)
      SELECT ?1 - i / CAST(?3 AS INTEGER), 'agentsonar', 'session', 'code_' || printf('%04d', i % ?3), '', 1 FROM r`, [last, days, codes]);
    const { answer } = await stats(worker, { from: dayText(last - days + 1), to: dayText(last) });
    assert.equal(answer.truncated, true);
    assert.equal(answer.rejections.length, MAX_REJECTION_ROWS);
    const order = (r) => `${r.day}|${r.code}`;
    assert.deepEqual(answer.rejections.map(order), answer.rejections.map(order).sort(), 'oldest first');
    assert.equal(answer.rejections.at(-1).day, dayText(last));
    assert.equal(answer.rejections.filter((r) => r.day === dayText(last)).length, codes, 'the last day whole');
    const dropped = days * codes - MAX_REJECTION_ROWS;
    assert.equal(answer.rejections[0].day, dayText(last - days + 1 + Math.floor(dropped / codes)), 'the oldest rows left out');
  });
});
