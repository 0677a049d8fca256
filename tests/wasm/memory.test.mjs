// memory.test.mjs: one core instance serves 100,000 requests of every kind (valid, rejected,
// malformed, batches, envelopes, megabyte bodies) and its memory does not grow after warm-up:
// nothing leaks per request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCore } from './load.mjs';

const encoder = new TextEncoder();
const session = (i) => JSON.stringify({
  install_id: '8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d', session_id: `a1b2c3d4-e5f6-4a7b-8c9d-${String(i % 1e12).padStart(12, '0')}`,
  version: '0.4.0', python: '3.12', os: 'darwin', arch: 'arm64', adapter: 'crewai', timestamp: 1745891234.5,
});

// The kinds of request, cycled: the big ones are rare, as they would be.
const KINDS = [
  (i) => ['agentsonar', 'session', session(i)],
  (i) => ['agentsonar', 'session', `[${Array.from({ length: 50 }, (_, j) => session(i * 50 + j)).join(',')}]`],
  (i) => ['', '', `{"sent_at":1795240900000,"events":[{"product":"langflow","event":"run","Success":false,"ErrorMessage":"boom at /home/u${i}/x.py"}]}`],
  () => ['agentsonar', 'session', '{"install_id":"nope","version":"1"}'],
  () => ['agentsonar', 'session', '{"install_id":'],
  () => ['nosuch', 'event', '{}'],
  (i) => ['axolotl', 'error', JSON.stringify({ run_id: '5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5', error_type: `E${i}`, message: 'x'.repeat(3000) })],
];
const BIG = ['langflow', 'component', `{"Name":"a","Success":true,"ErrorMessage":"${'y'.repeat(1 << 20)}"}`];

test('memory stays flat across 100,000 requests in one instance', async () => {
  const core = await loadCore();
  const bigBody = encoder.encode(BIG[2]);
  const run = (i) => {
    const [product, event, body] = i % 5_000 === 0 ? BIG : KINDS[i % KINDS.length](i);
    const result = core.ingest({ product, event, body: typeof body === 'string' ? encoder.encode(body) : bigBody, receivedAt: 1795240900000 + i });
    assert.ok(result.outcome.length > 0);
  };
  // Warm-up: every kind, and the megabyte body three times (the allocator settles after the
  // second: a step, not a slope).
  for (let i = 0; i < 12_000; i++) run(i);
  const warm = core.memory.buffer.byteLength;
  for (let i = 12_000; i < 100_000; i++) run(i);
  assert.equal(core.memory.buffer.byteLength, warm, `memory grew from ${warm} to ${core.memory.buffer.byteLength} bytes`);
  assert.ok(warm < 32 * 1024 * 1024, `the warm core holds ${warm} bytes`);
});
