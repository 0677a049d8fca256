// queue.test.mjs: queue mode (docs/SCALING.md) in real workerd, with Miniflare's Queues and a real
// local D1, configured from wrangler.toml's own queue block. Faults in D1 come from
// fault-entry.mjs: a busy D1 that refuses writes past a limit, writes that fail, and writes that
// commit but whose answer is lost.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { runLoad, summaryLine } from '../../scripts/lib/load.mjs';
import { enableQueueMode } from '../../scripts/lib/wrangler-config.mjs';
import { MAX_REJECTION_VERSIONS } from '../../worker/storage.js';
import { consumerIdle, SESSION, startWorker, waitFor } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const hex = (n) => n.toString(16).padStart(12, '0');
const session = (n, extra = {}) => ({ ...SESSION, session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${hex(n)}`, ...extra });
// Queue tests retry at once unless they test the backoff; batches wait 50 ms, not wrangler.toml's 5 s.
const FAST = { vars: { STATS_TOKEN: TOKEN, QUEUE_RETRY_BASE_SECONDS: '0' }, queue: { maxBatchTimeout: 0.05 } };

async function count(worker, where = '1') {
  return (await worker.rows(`SELECT count(*) AS n, count(DISTINCT session_id) AS sessions FROM events WHERE ${where}`))[0];
}

// landed() waits until the events table holds `n` rows matching `where`, then checks none is there twice.
async function landed(worker, n, where = '1', ms = 60_000) {
  const seen = await waitFor(async () => {
    const c = await count(worker, where);
    return c.n >= n && c;
  }, { ms, what: `${n} rows in D1` });
  assert.equal(seen.n, n, 'no more rows than events');
  assert.equal(seen.sessions, n, 'each event once');
}

describe('wrangler.toml', () => {
  test('direct mode is the default, and queue mode is its commented block switched on', () => {
    const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
    assert.doesNotMatch(toml, /^\[\[queues\./m, 'no queue is bound by default');
    const queued = enableQueueMode(toml);
    assert.match(queued, /^\[\[queues\.producers\]\]\nbinding = "INGEST_QUEUE"/m);
    assert.match(queued, /^dead_letter_queue = "phonehome-ingest-dlq"$/m);
    const removed = toml.split('\n').filter((line) => !queued.split('\n').includes(line));
    assert.ok(removed.every((line) => line.startsWith('#')), `only comment lines change: ${removed}`);
  });
});

describe('queue mode', () => {
  let worker;
  before(async () => { worker = await startWorker({ ...FAST, faults: true }); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.setFault('none'); await worker.clear(); });

  test('answers 200 once queued; the consumer stores the same rows direct mode stores', async () => {
    const direct = await startWorker();
    try {
      const requests = [
        ['/v1/agentsonar/session', session(1)],
        ['/v1/agentsonar/session', [session(2), session(3, { version: '??' }), session(4)]],
        ['/v1/batch', { events: [{ product: 'agentsonar', event: 'session', ...session(5) }] }],
      ];
      for (const [path, body] of requests) {
        const [queued, stored] = [await worker.post(path, body), await direct.post(path, body)];
        assert.equal(queued.status, stored.status);
        assert.deepEqual(await queued.json(), await stored.json(), `same answer for ${path}`);
      }
      await landed(worker, 4);
      const columns = 'event_id, product, event, install_id, session_id, version, os, arch, runtime, runtime_version, occurred_at, time_source, properties';
      const sql = `SELECT ${columns} FROM events ORDER BY event_id`;
      assert.deepEqual(await worker.rows(sql), await direct.rows(sql));
      const rejections = 'SELECT product, event, code, version, count FROM rejections_daily ORDER BY code';
      assert.deepEqual(await worker.rows(rejections), await direct.rows(rejections));
      assert.equal((await worker.rows('SELECT sum(rows) AS n FROM write_budget'))[0].n, 4, 'the budget counts the rows written');
    } finally {
      await direct.close();
    }
  });

  test('a burst larger than a busy D1 takes: 503s in direct mode, every event stored in queue mode', async () => {
    // D1 refuses a write while another is under way, as a saturated D1 answers "overloaded".
    const burst = { requests: 300, concurrency: 24, batchSize: 20, seconds: 120, maxRetryWaitMs: 20 };
    const direct = await startWorker({ faults: true, port: 0 });
    let directRun;
    try {
      await direct.setFault('overload', { limit: 1 });
      directRun = await runLoad({ url: direct.url.href, ...burst });
      console.log(`direct: ${summaryLine(directRun)}`);
    } finally {
      await direct.close();
    }
    assert.ok((directRun.status[503] ?? 0) > 0, 'direct mode turned part of the burst away');

    const queued = await startWorker({ ...FAST, faults: true, port: 0 });
    try {
      await queued.setFault('overload', { limit: 1 });
      const run = await runLoad({ url: queued.url.href, ...burst });
      console.log(`queue:  ${summaryLine(run)}`);
      assert.deepEqual(Object.keys(run.status).filter((s) => s >= 500 || s === 'network'), [], 'no 503: queue mode took the whole burst at once');
      assert.equal(run.retries, 0);
      await landed(queued, run.acknowledged.size, run.runSessions);
    } finally {
      await queued.close();
    }
  });

  test('consumer failures mid-batch: after redelivery, exactly one row per event, rejections counted once', async () => {
    // 1000-event requests of ~400-byte rows: each is five messages of up to 96 KiB, and a batch of
    // 100 messages is written in several transactions, one in three of which fails before or after
    // it commits.
    await worker.setFault('sequence', { steps: 'ok,fail,commit-then-fail' });
    const run = await runLoad({ url: worker.url.href, requests: 24, concurrency: 4, batchSize: 1000, mix: 'batch', invalidEvery: 500 });
    console.log(summaryLine(run));
    assert.deepEqual(Object.keys(run.status), ['200']);
    await landed(worker, run.acknowledged.size, run.runSessions, 120_000);
    await worker.setFault('none');
    await consumerIdle(worker);
    assert.equal((await count(worker, run.runSessions)).n, run.acknowledged.size, 'still one row per event');
    const [rejected] = await worker.rows('SELECT sum(count) AS n FROM rejections_daily');
    assert.equal(rejected.n, run.rejected, 'each rejection counted once, redelivered or not');
    const [budget] = await worker.rows('SELECT sum(rows) AS n FROM write_budget');
    assert.equal(budget.n, run.acknowledged.size, 'the budget counts each row once');
    const report = await (await worker.fetch('/v1/stats/ingest', { headers: auth })).json();
    assert.equal(report.mode, 'queue');
    const redelivered = report.queue.minutes.reduce((n, m) => n + m.redelivered, 0);
    assert.ok(redelivered > 0, 'some messages were written on a later attempt');
    assert.deepEqual(await worker.deadLetters(), [], 'nothing gave up');
  });

  test('a message D1 refuses on its own is isolated: the rest of its batch lands, it is dead-lettered', async () => {
    const day = Math.floor(Date.now() / 86_400_000);
    const row = (id) => ({ event_id: id, product: 'agentsonar', event: 'session', occurred_at: 1, received_at: 1, time_source: 'client', properties: '{}' });
    const message = (rows) => `{"v":1,"kind":"rows","day":${day}}\n${JSON.stringify(rows)}`;
    const poison = `{"v":1,"kind":"rows","day":${day}}\n[{"event_id":"poison"}]`; // no product: NOT NULL fails
    await worker.sendToQueue([message([row('good-1')]), message([row('good-2')]), poison, message([row('good-3'), row('good-4')]), 'not ours']);
    const letters = await waitFor(async () => { const l = await worker.deadLetters(); return l.length >= 2 && l; }, { what: 'dead letters' });
    assert.deepEqual(letters.sort(), [poison, 'not ours'].sort());
    assert.deepEqual((await worker.rows('SELECT event_id FROM events ORDER BY event_id')).map((r) => r.event_id), ['good-1', 'good-2', 'good-3', 'good-4']);
  });

  test('a request with many rejection counts queues them apart from its rows, and counts each once', async () => {
    // 600 rejected events with 600 versions: 60 KB of counts beside 400 rows of ~400 bytes.
    const events = [
      ...Array.from({ length: 400 }, (_, n) => session(1000 + n)),
      ...Array.from({ length: 600 }, (_, n) => session(2000 + n, { version: `1.${n}.0`, session_id: 'not-a-uuid' })),
    ];
    const answer = await worker.post('/v1/agentsonar/session', events);
    assert.equal(answer.status, 200, await answer.clone().text());
    await landed(worker, 400);
    await consumerIdle(worker);
    const [rejected] = await worker.rows('SELECT sum(count) AS n, count(*) AS versions FROM rejections_daily');
    // Every rejection counted once; versions past the cap are counted under '' (storage.js).
    assert.deepEqual({ ...rejected }, { n: 600, versions: MAX_REJECTION_VERSIONS + 1 });
  });

  test('GET /v1/stats/ingest reports the consumer\'s lag and backlog per minute', async () => {
    for (let n = 10; n < 20; n++) assert.equal((await worker.post('/v1/agentsonar/session', session(n))).status, 200);
    await landed(worker, 10);
    const report = await (await worker.fetch('/v1/stats/ingest', { headers: auth })).json();
    assert.equal(report.mode, 'queue');
    assert.deepEqual(report.stores.map((s) => s.binding), ['DB']);
    const messages = report.queue.minutes.reduce((n, m) => n + m.messages, 0);
    assert.equal(messages, 10, JSON.stringify(report.queue.minutes));
    for (const m of report.queue.minutes) {
      assert.ok(m.max_lag_ms >= m.mean_lag_ms && m.mean_lag_ms >= 0, JSON.stringify(m));
      assert.ok(Number.isInteger(m.backlog), 'the queue reported its backlog');
    }
    assert.ok(Date.parse(report.queue.last_write) > Date.now() - 120_000);
    assert.equal((await worker.fetch('/v1/stats/ingest')).status, 401, 'the token is required');
  });
});

describe('queue mode with D1 down', () => {
  let worker;
  before(async () => {
    worker = await startWorker({
      faults: true, vars: { QUEUE_RETRY_BASE_SECONDS: '1' }, queue: { maxBatchTimeout: 0.05, maxRetries: 2 },
    });
  });
  after(async () => { await worker?.close(); });

  test('ingest keeps answering; messages are retried with backoff, then dead-lettered whole', async () => {
    await worker.setFault('fail');
    const started = Date.now();
    const events = Array.from({ length: 30 }, (_, n) => session(100 + n));
    const ip = '203.0.113.77';
    const response = await worker.post('/v1/agentsonar/session', [...events, session(199, { version: '??' })],
      { 'content-type': 'application/json', 'cf-connecting-ip': ip, 'x-forwarded-for': ip, 'x-real-ip': ip });
    assert.equal(response.status, 200, 'D1 being down does not reach the client');
    assert.equal((await worker.post('/v1/agentsonar/session', session(200))).status, 200);
    const letters = await waitFor(async () => {
      const list = await worker.deadLetters();
      return list.length >= 3 && list;
    }, { ms: 30_000, what: 'the dead-letter queue' });
    // Three attempts, 1 s then 2 s apart, before giving up.
    assert.ok(Date.now() - started >= 2900, `dead-lettered after ${Date.now() - started} ms`);
    assert.equal((await count(worker)).n, 0);
    assert.ok(letters.every((body) => !body.includes(ip) && !body.includes('203.0.113')), 'no IP address in a queued message');
    const rowLetters = letters.filter((body) => body.startsWith('{"v":1,"kind":"rows"'));
    assert.equal(letters.length - rowLetters.length, 1, 'the rejection counts were dead-lettered too');
    const sessions = rowLetters.flatMap((body) => JSON.parse(body.slice(body.indexOf('\n') + 1)).map((row) => row.session_id));
    assert.deepEqual(sessions.sort(), [...events, session(200)].map((e) => e.session_id).sort(),
      'the dead-letter queue holds every acknowledged event');

    // Once D1 is back, dead letters sent to the queue again (or consumed by this Worker) land once,
    // even sent twice over: in one batch, and again in another.
    await worker.setFault('none');
    await worker.sendToQueue([...letters, ...letters]);
    await landed(worker, sessions.length);
    await worker.sendToQueue(letters);
    await consumerIdle(worker);
    assert.equal((await count(worker)).n, sessions.length);
    const [rejected] = await worker.rows('SELECT sum(count) AS n FROM rejections_daily');
    assert.equal(rejected.n, 1, 'the rejected event is counted once, however often its message came');
  });
});
