// robustness.test.mjs: a trap inside the core (forced in the test-only build of preset
// wasm-trap) is answered 500 without internals; the instance is replaced and the next request
// succeeds.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SESSION, startWorker } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const trapBuild = process.env.PHONEHOME_WASM_TRAP ?? `${root}build/wasm-trap/phonehome.wasm`;

describe('a trap in the core', () => {
  let worker;
  before(async () => {
    assert.ok(existsSync(trapBuild), `${trapBuild} is built by preset wasm-trap (scripts/test builds it)`);
    worker = await startWorker({ wasm: trapBuild });
  });
  after(async () => { await worker?.close(); });

  test('is a 500 without internals, and the next request is served by a fresh instance', async () => {
    assert.equal((await worker.post('/v1/agentsonar/session', SESSION)).status, 200, 'the trap build serves normally');
    for (let round = 0; round < 3; round++) {
      const trapped = await worker.post('/v1/__trap__/x', '{}');
      assert.equal(trapped.status, 500);
      const text = await trapped.text();
      assert.deepEqual(JSON.parse(text), { error: { code: 'internal_error', message: 'the request could not be processed' } });
      assert.doesNotMatch(text, /unreachable|RuntimeError|wasm|stack/i);
      const next = await worker.post('/v1/agentsonar/session', { ...SESSION, session_id: `a1b2c3d4-e5f6-4a7b-8c9d-00000000000${round}` });
      assert.equal(next.status, 200, 'the next request succeeds');
      assert.equal((await next.json()).results[0].status, 'accepted');
    }
    assert.equal((await worker.rows()).length, 4);
  });
});
