// catalogue.test.mjs: GET / and GET /v1/schema list exactly what the catalogue files declare:
// every product, event and field, with its description, and nothing else.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCatalogue } from '../../cli/catalogue.mjs';
import { startWorker, catalogueDir, referenceVectorsFile, testCatalogue } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const { products, problems } = loadCatalogue(catalogueDir);

// Every field of the catalogue files as product-event-path, with its description.
function declaredFields() {
  const fields = new Map();
  const walk = (product, event, list, prefix) => {
    for (const f of list) {
      fields.set(`${product}-${event}-${prefix}${f.name}`, f.description);
      if (f.fields) walk(product, event, f.fields, `${prefix}${f.name}.`);
    }
  };
  for (const p of products) for (const e of p.events) walk(p.product, e.name, e.fields, '');
  return fields;
}

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

describe('catalogue pages', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });

  test('the catalogue files load without problems', () => {
    assert.deepEqual(problems, []);
    // One product per file: the count comes from the folder, not from today's catalogue.
    assert.equal(products.length, readdirSync(join(catalogueDir, 'products')).filter((f) => f.endsWith('.json')).length);
  });

  test('GET / lists exactly the declared fields, each with its description', async () => {
    const response = await worker.fetch('/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    const html = await response.text();
    assert.doesNotMatch(html, /<script/i, 'the page works without JavaScript');
    const declared = declaredFields();
    const rows = [...html.matchAll(/<tr id="field-([^"]+)">([\s\S]*?)<\/tr>/g)];
    assert.deepEqual(rows.map((m) => m[1]).sort(), [...declared.keys()].sort());
    for (const [, id, row] of rows) assert.ok(row.includes(escapeHtml(declared.get(id))), `description of ${id}`);
    for (const p of products) {
      assert.ok(html.includes(`id="product-${p.product}"`), p.product);
      for (const line of p.opt_out) assert.ok(html.includes(escapeHtml(line)), `opt-out of ${p.product}`);
      for (const e of p.events) assert.ok(html.includes(`id="event-${p.product}-${e.name}"`), `${p.product}/${e.name}`);
    }
    assert.match(html, /DO_NOT_TRACK=1/);
    assert.match(html, /90 days/);
    assert.match(html, /IP addresses/);
  });

  test('GET /v1/schema holds the same products, events and fields, and the core limits', async () => {
    const response = await worker.fetch('/v1/schema');
    assert.equal(response.status, 200);
    const schema = await response.json();
    assert.equal(schema.retention_days, 90);
    assert.equal(schema.limits.max_events_per_request, 1000);
    assert.equal(schema.limits.max_nesting_depth, 32);
    const served = new Map();
    const walk = (product, event, list, prefix) => {
      for (const f of list) {
        served.set(`${product}-${event}-${prefix}${f.name}`, f.description);
        if (f.fields) walk(product, event, f.fields, `${prefix}${f.name}.`);
      }
    };
    for (const p of schema.products) for (const e of p.events) walk(p.product, e.name, e.fields, '');
    assert.deepEqual(served, declaredFields());
  });

  test('both pages name the core and the catalogue that check the data, by SHA-256', async () => {
    const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
    const core = sha256(readFileSync(join(root, 'dist/phonehome.wasm')));
    const catalogue = sha256(JSON.stringify(testCatalogue()));
    const { code } = await (await worker.fetch('/v1/schema')).json();
    assert.equal(code.core_sha256, core);
    assert.equal(code.catalogue_sha256, catalogue);
    const html = await (await worker.fetch('/')).text();
    assert.ok(html.includes(core) && html.includes(catalogue));
  });

  test('the pages refuse writes', async () => {
    assert.equal((await worker.fetch('/', { method: 'POST' })).status, 405);
    assert.equal((await worker.fetch('/v1/schema', { method: 'DELETE' })).status, 405);
  });
});
