// misconfigured.test.mjs: a Worker created with a catalogue the core refuses (a compiled catalogue
// edited by hand, or something that is not one) answers every request 500 misconfigured, stores
// nothing, and says in its log what is wrong, once. Then the same Worker code with a good
// catalogue works: the refusal is the catalogue's, not the code's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startWorker, testCatalogue } from './harness.mjs';

const good = testCatalogue();
const product = good.products[0];
const event = product.events[0];

// A defect only the core's own check can see: the catalogue's JSON is well-formed, its first
// integer or number field (any product) has min above max.
function withDefect() {
  const broken = structuredClone(good);
  for (const p of broken.products) {
    for (const e of p.events) {
      const field = e.fields.find((f) => f.kind === 'integer' || f.kind === 'number');
      if (field) {
        [field.min, field.max] = [field.max, field.min - 1];
        return { broken, where: `${p.product}`, field: field.name };
      }
    }
  }
  throw new Error('the catalogue has no integer or number field to break');
}

async function withLog(catalogue, body) {
  const lines = [];
  const log = (stdout, stderr) => {
    for (const stream of [stdout, stderr]) stream.on('data', (chunk) => lines.push(...chunk.toString().split('\n')));
  };
  const worker = await startWorker({ catalogue, log });
  try {
    await body(worker);
  } finally {
    await worker.close();
  }
  return lines;
}

async function assertMisconfigured(response) {
  assert.equal(response.status, 500);
  const { error } = await response.json();
  assert.equal(error.code, 'misconfigured');
}

describe('a Worker with a catalogue the core refuses', () => {
  test('answers 500 misconfigured to every route, stores nothing, and logs the problem once', async () => {
    const { broken, where, field } = withDefect();
    const lines = await withLog(broken, async (worker) => {
      for (let i = 0; i < 3; i++) await assertMisconfigured(await worker.post(`/v1/${product.product}/${event.name}`, {}));
      await assertMisconfigured(await worker.post('/v1/batch', { events: [] }));
      await assertMisconfigured(await worker.fetch('/'));
      await assertMisconfigured(await worker.fetch('/v1/schema'));
      assert.deepEqual(await worker.rows(), []);
    });
    const problems = lines.filter((line) => line.includes('phonehome: misconfigured'));
    assert.equal(problems.length, 1, lines.join('\n'));
    assert.ok(problems[0].includes(where) && problems[0].includes(field), problems[0]);
  });

  test('something that is not a compiled catalogue is refused the same way', async () => {
    const lines = await withLog({ product: 'not-a-catalogue' }, async (worker) => {
      await assertMisconfigured(await worker.post(`/v1/${product.product}/${event.name}`, {}));
    });
    assert.ok(lines.some((line) => line.includes('phonehome: misconfigured') && line.includes('phonehome build')), lines.join('\n'));
  });

  test('the same code with the good catalogue answers normally', async () => {
    const worker = await startWorker({ catalogue: good });
    try {
      const response = await worker.fetch('/v1/schema');
      assert.equal(response.status, 200);
      assert.deepEqual((await response.json()).products.map((p) => p.product), good.products.map((p) => p.product));
    } finally {
      await worker.close();
    }
  });
});
