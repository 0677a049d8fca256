// catalogue-load.test.mjs: the core's check of a compiled catalogue through a Wasm build: every
// vector of tests/catalogue/load-vectors.json is refused with exactly its message (the
// native suite runs the same), and a refused load leaves the module answering misconfigured until
// a good catalogue is loaded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { documentOf, vectors } from '../catalogue/load-vectors.mjs';
import { loadCore, referenceCatalogueJson } from './load.mjs';

test('every vector is refused with its message, and the base loads', async () => {
  const core = await loadCore();
  assert.ok(vectors.vectors.length >= 40);
  for (const vector of vectors.vectors) {
    assert.equal(core.loadCatalogue(vector.text ?? JSON.stringify(documentOf(vector))) ?? '', vector.expect, vector.id);
  }
});

test('a refused load leaves no catalogue: ingest answers misconfigured until a good one loads', async () => {
  const core = await loadCore();
  const body = new TextEncoder().encode('{}');
  const ingest = () => core.ingest({ product: 'agentsonar', event: 'session', body, receivedAt: 1795240900000 }).outcome;
  assert.notEqual(ingest(), 'misconfigured');
  assert.equal(core.loadCatalogue('{"products":[]}'), 'products: must be a non-empty list of products');
  assert.equal(ingest(), 'misconfigured');
  assert.equal(core.loadCatalogue(referenceCatalogueJson()), null);
  assert.notEqual(ingest(), 'misconfigured');
});

test('a module with no catalogue loaded answers misconfigured', async () => {
  const core = await loadCore(undefined, '{"products":[]}').catch((error) => error);
  assert.equal(core.name, 'CatalogueError');
  assert.equal(core.message, 'products: must be a non-empty list of products');
});
