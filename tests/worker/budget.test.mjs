// budget.test.mjs: the daily write budget and each install's share of it (docs/PROTOCOL.md, "The
// daily budget"; docs/RELIABILITY.md), through the real worker in workerd and a real local D1, in
// direct mode and in queue mode. Every count is derived from the settings each worker is given
// and from the core's own per-request limit, never from today's defaults.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { instantiateCore } from '../../worker/core.js';
import { installKey, murmur3 } from '../../worker/storage.js';
import { consumerIdle, SESSION, startWorker, testCatalogue, waitFor } from './harness.mjs';

// The most events one request may carry, from the bundle's own module.
async function maxEventsPerRequest() {
  const dir = process.env.PHONEHOME_WORKER_BUNDLE;
  const wasm = readdirSync(dir).find((f) => f.endsWith('.wasm'));
  const core = await instantiateCore(new WebAssembly.Module(readFileSync(join(dir, wasm))));
  return core.limits.max_events_per_request;
}
const BATCH = await maxEventsPerRequest();

const hex = (n) => n.toString(16).padStart(12, '0');
const installId = (n) => `8a4f3b29-6a1e-4b5c-9d2f-${hex(n)}`;
let sessions = 0;
// session() is a new event (a distinct session id) of install n.
const session = (install) => ({ ...SESSION, install_id: installId(install), session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${hex(++sessions)}` });
const sessionsOf = (install, count) => Array.from({ length: count }, () => session(install));
// A request whose every event is rejected: nothing to store.
const invalid = (count) => Array.from({ length: count }, () => ({ ...session(0), install_id: 'not-a-uuid' }));
const today = () => Math.floor(Date.now() / 86_400_000);

async function count(worker, sql) {
  return (await worker.rows(sql))[0].n;
}
const storedEvents = (worker) => count(worker, 'SELECT count(*) AS n FROM events');
const budgetUsed = (worker) => count(worker, 'SELECT coalesce(sum(rows), 0) AS n FROM write_budget');
async function setBudgetUsed(worker, rows) {
  await worker.execute('INSERT INTO write_budget (day, rows) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET rows = excluded.rows', [today(), rows]);
}

// refused() checks an answer that stored nothing and says to come back at midnight UTC.
async function refused(response, status, code) {
  const body = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  const retryAfter = Number(response.headers.get('retry-after'));
  const secondsLeftToday = Math.ceil(((today() + 1) * 86_400_000 - Date.now()) / 1000);
  assert.ok(retryAfter > 0 && retryAfter <= secondsLeftToday + 1, `Retry-After ${retryAfter} is the rest of the day`);
}

async function accepted(response, n) {
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.equal(body.results.filter((r) => r.status === 'accepted').length, n);
}

const post = (worker, events) => worker.post('/v1/agentsonar/session', events);

test('install counters are keyed by MurmurHash3 (x86, 32-bit), twice: the published vectors', () => {
  const bytes = (text) => new TextEncoder().encode(text);
  for (const [text, seed, hash] of [['', 0, 0], ['', 1, 0x514e28b7], ['test', 0, 0xba6bd213], ['Hello, world!', 1234, 0xfaf6cdb3],
    ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723], ['a', 0x9747b28c, 0x7fa09ea6], ['aa', 0x9747b28c, 0x5d211726],
    ['aaa', 0x9747b28c, 0x283e0130], ['aaaa', 0x9747b28c, 0x5a97808a]]) {
    assert.equal(murmur3(bytes(text), seed), hash, `${JSON.stringify(text)}, seed ${seed}`);
  }
  assert.match(installKey(installId(1)), /^[0-9a-f]{16}$/);
  assert.notEqual(installKey(installId(1)), installKey(installId(2)));
});

test('the core keys installs as the Worker does (forget and queued rows use the Worker\'s key)', async () => {
  const dir = process.env.PHONEHOME_WORKER_BUNDLE;
  const module = new WebAssembly.Module(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.wasm')))));
  const core = await instantiateCore(module, JSON.stringify(testCatalogue()));
  const ids = [installId(1), installId(2), '8A4F3B29-6A1E-4B5C-9D2F-0E1F2A3B4C5D'];
  const result = core.ingest({ product: 'agentsonar', event: 'session', body: new TextEncoder().encode(JSON.stringify(ids.map((id) => ({ ...session(0), install_id: id })))), receivedAt: Date.now(), withInstalls: true });
  assert.equal(result.rowCount, ids.length);
  const stored = JSON.parse(result.chunks[0].rowsJson).map((row) => row.install_id);
  assert.deepEqual(JSON.parse(result.rowInstallsJson).map(([, key]) => key), stored.map(installKey));
  assert.deepEqual(JSON.parse(result.installCountsJson), Object.fromEntries(stored.map((id) => [installKey(id), 1])));
});

describe('direct mode: a request that does not fit is refused alone', () => {
  // The numbers: two full batches fit, a third does not; each batch is one install at
  // exactly its share. The cache lasts longer than the test, so a 200 after a refusal proves the
  // refusal was not cached.
  const budget = 2 * BATCH + Math.floor(BATCH / 2);
  let worker;
  before(async () => {
    worker = await startWorker({ vars: { DAILY_WRITE_BUDGET: String(budget), DAILY_INSTALL_SHARE: String(BATCH), BUDGET_RECHECK_SECONDS: '600' } });
  });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('two full batches, a third that does not fit (429, alone), then one event (200), then all-invalid (400 with verdicts)', async () => {
    await accepted(await post(worker, sessionsOf(1, BATCH)), BATCH);
    await accepted(await post(worker, sessionsOf(2, BATCH)), BATCH);
    await refused(await post(worker, sessionsOf(3, BATCH)), 429, 'daily_budget_low');
    assert.equal(await storedEvents(worker), 2 * BATCH, 'nothing of the third batch was stored');
    assert.equal(await budgetUsed(worker), 2 * BATCH);

    await accepted(await post(worker, [session(4)]), 1);
    assert.equal(await storedEvents(worker), 2 * BATCH + 1);

    const rejected = await post(worker, invalid(2));
    assert.equal(rejected.status, 400);
    const body = await rejected.json();
    assert.equal(body.error.code, 'all_rejected');
    assert.deepEqual(body.results.map((r) => r.code), ['invalid_uuid', 'invalid_uuid']);
    assert.equal(await budgetUsed(worker), 2 * BATCH + 1, 'the budget counts stored rows only');
  });

  test('fully spent: 503 daily_budget_spent until midnight UTC; a request with nothing to store still gets its verdicts', async () => {
    await setBudgetUsed(worker, budget - 1);
    await accepted(await post(worker, [session(5)]), 1); // the last row of the day
    await refused(await post(worker, [session(5)]), 503, 'daily_budget_spent');
    const rejected = await post(worker, invalid(1));
    assert.equal(rejected.status, 400);
    assert.equal((await rejected.json()).results[0].code, 'invalid_uuid');
    assert.equal(await storedEvents(worker), 1);
  });

  test('a request larger than a whole day, or than one install\'s share, is 413: no day could take it', async () => {
    const small = await startWorker({ vars: { DAILY_WRITE_BUDGET: String(BATCH - 1) } });
    try {
      const over = await post(small, Array.from({ length: BATCH }, (_, n) => session(100 + n)));
      assert.equal(over.status, 413);
      assert.equal((await over.json()).error.code, 'over_daily_budget');
    } finally {
      await small.close();
    }
    const shared = await startWorker({ vars: { DAILY_WRITE_BUDGET: String(budget), DAILY_INSTALL_SHARE: String(BATCH - 1) } });
    try {
      const over = await post(shared, sessionsOf(6, BATCH));
      assert.equal(over.status, 413);
      assert.equal((await over.json()).error.code, 'over_install_share');
      assert.equal(await storedEvents(shared), 0);
      const relay = Array.from({ length: BATCH }, (_, n) => session(100 + n));
      await accepted(await post(shared, relay), BATCH); // as many events, of many installs: it fits
    } finally {
      await shared.close();
    }
  });
});

describe('direct mode: "spent" is cached only as D1 said it, and re-checked', () => {
  const budget = 10;
  const recheckSeconds = 2;
  let worker;
  before(async () => {
    worker = await startWorker({ vars: { DAILY_WRITE_BUDGET: String(budget), BUDGET_RECHECK_SECONDS: String(recheckSeconds) } });
  });
  after(async () => { await worker?.close(); });

  test('an isolate that saw the budget spent asks D1 again after BUDGET_RECHECK_SECONDS, and then stores', async () => {
    await setBudgetUsed(worker, budget);
    const spentAt = Date.now();
    await refused(await post(worker, [session(7)]), 503, 'daily_budget_spent');
    // Room appears in D1 (an operator lowers the count, or a store gives rows back).
    await setBudgetUsed(worker, budget - 1);
    const cached = await post(worker, [session(7)]);
    if (Date.now() - spentAt < recheckSeconds * 1000) await refused(cached, 503, 'daily_budget_spent');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, spentAt + recheckSeconds * 1000 - Date.now()) + 100));
    await accepted(await post(worker, [session(7)]), 1);
    assert.equal(await budgetUsed(worker), budget);
  });
});

describe('direct mode: each install\'s share', () => {
  const share = 5;
  const budget = 20 * share;
  const [A, B, C] = [11, 12, 13];
  let worker;
  before(async () => {
    worker = await startWorker({ vars: { DAILY_WRITE_BUDGET: String(budget), DAILY_INSTALL_SHARE: String(share) } });
  });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('an install past its share is refused (429) while another is accepted; a mixed request is refused whole', async () => {
    await accepted(await post(worker, sessionsOf(A, share - 1)), share - 1);
    await accepted(await post(worker, [session(A)]), 1);
    await refused(await post(worker, [session(A)]), 429, 'install_share_spent');
    await accepted(await post(worker, [session(B)]), 1);
    // One request of two installs, one of them spent: nothing of it is stored, B's event included.
    await refused(await post(worker, [session(B), session(A)]), 429, 'install_share_spent');
    assert.equal(await storedEvents(worker), share + 1);
    assert.equal(await count(worker, `SELECT count(*) AS n FROM events WHERE install_id = '${installId(B)}'`), 1);
    // Rows without an install id (langflow's) count against the budget alone.
    const runs = Array.from({ length: share + 1 }, () => ({ product: 'langflow', event: 'shutdown', TimeRunning: 60 }));
    assert.equal((await worker.post('/v1/batch', { events: runs })).status, 200);
    assert.equal(await budgetUsed(worker), 2 * share + 2);
  });

  test('the counters count rows really inserted, under a hash of the install id, never the id', async () => {
    const events = sessionsOf(A, 2);
    await accepted(await post(worker, events), 2);
    const again = await (await post(worker, [...events, session(A)])).json();
    assert.deepEqual(again.results.map((r) => r.status), ['duplicate', 'duplicate', 'accepted']);
    const counters = await worker.rows('SELECT day, install, rows FROM install_writes');
    assert.deepEqual(counters, [{ day: today(), install: installKey(installId(A)), rows: 3 }], 'a retry costs its install nothing');
    assert.equal(await budgetUsed(worker), 3, 'nor the budget');
    assert.match(counters[0].install, /^[0-9a-f]{16}$/);
    assert.ok(!JSON.stringify(counters).includes(installId(A).slice(-12)), 'no part of the id is stored');
  });

  test('POST /v1/forget deletes the install\'s counters with its events', async () => {
    await accepted(await post(worker, [session(A)]), 1);
    await accepted(await post(worker, [session(B)]), 1);
    await worker.execute('INSERT INTO install_writes (day, install, rows) VALUES (?1, ?2, 1)', [today() - 1, installKey(installId(A))]);
    const response = await worker.post('/v1/forget', { install_id: installId(A).toUpperCase() });
    assert.deepEqual(await response.json(), { deleted: 1 });
    assert.deepEqual((await worker.rows('SELECT install FROM install_writes')).map((r) => r.install), [installKey(installId(B))]);
  });

  test('the daily maintenance deletes the counters of finished days', async () => {
    await accepted(await post(worker, [session(C)]), 1);
    for (const day of [today() - 1, today() - 30]) {
      await worker.execute('INSERT INTO install_writes (day, install, rows) VALUES (?1, ?2, 3)', [day, installKey(installId(C))]);
    }
    const result = await (await worker.mf.getWorker()).scheduled({ scheduledTime: new Date() });
    assert.equal(result.outcome, 'ok');
    await waitFor(async () => (await count(worker, 'SELECT count(*) AS n FROM install_writes')) === 1, { what: 'the old counters to go' });
    assert.deepEqual(await worker.rows('SELECT day, rows FROM install_writes'), [{ day: today(), rows: 1 }]);
  });
});

describe('queue mode: the producer refuses against a reading of D1; the consumer counts', () => {
  const share = 5;
  const budget = 20 * share;
  const recheckSeconds = 1;
  const [A, B] = [21, 22];
  let worker;
  before(async () => {
    worker = await startWorker({
      vars: { DAILY_WRITE_BUDGET: String(budget), DAILY_INSTALL_SHARE: String(share), BUDGET_RECHECK_SECONDS: String(recheckSeconds), QUEUE_RETRY_BASE_SECONDS: '0' },
      queue: { maxBatchTimeout: 0.05 },
    });
  });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await consumerIdle(worker); await worker.clear(); });

  // refusedOnceRead() posts until the producer's reading catches up with D1 (it is taken in the
  // background, at most every recheckSeconds): the first answers may still be those of the last
  // reading.
  async function refusedOnceRead(events, status, code) {
    const response = await waitFor(async () => {
      const answer = await post(worker, events());
      if (answer.status === status) return answer;
      await answer.body?.cancel();
      return null;
    }, { ms: 20_000, what: `a ${status} ${code}` });
    await refused(response, status, code);
  }

  test('an install at its share is refused (429) while another is accepted', async () => {
    assert.equal((await post(worker, sessionsOf(A, share))).status, 200);
    await waitFor(async () => (await count(worker, 'SELECT coalesce(sum(rows), 0) AS n FROM install_writes')) === share, { what: 'the consumer to count A\'s rows' });
    await refusedOnceRead(() => [session(A)], 429, 'install_share_spent');
    await accepted(await post(worker, [session(B)]), 1);
    const over = await post(worker, sessionsOf(B, share + 1));
    assert.equal(over.status, 413, 'one request larger than a share is refused at once');
    assert.equal((await over.json()).error.code, 'over_install_share');
  });

  test('a spent budget is 503 once read; a request with nothing to store still gets its verdicts; room in D1 is seen again', async () => {
    await setBudgetUsed(worker, budget);
    await refusedOnceRead(() => [session(B)], 503, 'daily_budget_spent');
    const rejected = await post(worker, invalid(1));
    assert.equal(rejected.status, 400);
    assert.equal((await rejected.json()).results[0].code, 'invalid_uuid');
    await setBudgetUsed(worker, budget - 1);
    await refusedOnceRead(() => [session(B), session(B)], 429, 'daily_budget_low');
    await waitFor(async () => (await post(worker, [session(B)])).status === 200, { ms: 20_000, what: 'the room to be read' });
  });
});
