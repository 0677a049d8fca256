// hostile.test.mjs: a sample of the hostile corpus (tests/vectors/hostile/) through the real
// worker: each gets its specific answer, never a 5xx, stores only what the vector accepts, and
// leaves the worker healthy: the next good event is accepted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { bodyOf } from '../vectors/parts.mjs';
import { SESSION, startWorker } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const hostile = JSON.parse(readFileSync(`${root}tests/vectors/hostile/hostile.json`, 'utf8'));
const STATUS = { ok: 200, all_rejected: 400, too_many_events: 413 };

// Every kind of case but the 230 truncations, plus every 25th truncation.
const sample = hostile.cases.filter((c, i) => !c.id.startsWith('hostile-truncated-') || i % 25 === 0);

describe('the hostile sample through the worker', () => {
  let worker;
  let health = 0;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('the sample covers the corpus', () => {
    assert.ok(hostile.cases.length >= 200);
    assert.ok(sample.length >= 60, `${sample.length} cases`);
  });

  for (const c of sample) {
    test(`${c.id}: ${c.comment}`, async () => {
      const path = c.product === '' ? '/v1/batch' : `/v1/${c.product}/${c.event}`;
      const body = bodyOf(c);
      // The worker's own limit comes first: a body over 1 MiB is 413 before the core sees it.
      const overLimit = body.length > 1024 * 1024;
      const response = await worker.post(path, new Uint8Array(body));
      const expected = overLimit ? 413 : STATUS[c.expect.outcome] ?? 400;
      assert.equal(response.status, expected, (await response.clone().text()).slice(0, 300));
      const answer = await response.json();
      if (!overLimit && c.expect.outcome !== 'ok' && c.expect.outcome !== 'all_rejected') {
        assert.equal(answer.error.code, c.expect.outcome);
      }
      const rows = await worker.rows();
      assert.equal(rows.length, overLimit ? 0 : c.expect.rows.length);
      if (!overLimit && rows.length === 1) {
        assert.equal(rows[0].properties, JSON.stringify(c.expect.rows[0].properties), 'stored inert, byte for byte');
      }
      // And the worker is healthy afterwards.
      health++;
      const good = await worker.post('/v1/agentsonar/session', { ...SESSION, session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${String(health).padStart(12, '0')}` });
      assert.equal(good.status, 200);
    });
  }
});
