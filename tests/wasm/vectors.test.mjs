// vectors.test.mjs: every shared vector through a Wasm build must give the native result, byte for
// byte. The native runner (unit-vectors.cpp) checks the results against the expectations; this
// proves the Wasm module computes exactly the same thing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { loadCore } from './load.mjs';

const dumpTool = process.env.PHONEHOME_VECTOR_DUMP;
const build = process.env.PHONEHOME_WASM_BUILD ?? 'wasm';

test(`every vector gives the native result byte for byte (${build})`, async () => {
  assert.ok(dumpTool, 'PHONEHOME_VECTOR_DUMP must name the native vector_dump tool');
  const lines = execFileSync(dumpTool, { maxBuffer: 1 << 30 }).toString().trim().split('\n');
  const cases = lines.map((line) => JSON.parse(line));
  assert.ok(cases.length >= 500, `only ${cases.length} vectors found`);

  const core = await loadCore();
  const mismatches = [];
  for (const c of cases) {
    const body = Buffer.from(c.body_hex, 'hex');
    const result = core.ingest({
      product: c.product, event: c.event, body, receivedAt: c.received_at, sentAt: c.sent_at, nonce: [c.nonce_high, c.nonce_low],
      valuesAreText: c.values_are_text,
    });
    assert.ok(result.outcome);
    const raw = Buffer.from(core.lastResult()).toString('hex');
    if (raw !== c.result_hex) mismatches.push(c.id);
  }
  assert.deepEqual(mismatches, [], `Wasm and native disagree on: ${mismatches.join(', ')}`);
});
