// settings-overlay.test.mjs: worker/settings-overlay.js alone (plain node --test, no workerd; the
// catalogue is the bundle's, PHONEHOME_WORKER_BUNDLE): with no remote settings the catalogue the
// core loads is byte for byte today's, and rows land on the product or event they name, nowhere else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveSettings, overlay, PRODUCT_WIDE } from '../../worker/settings-overlay.js';
import { testCatalogue } from './harness.mjs';

const catalogue = testCatalogue();
const text = JSON.stringify(catalogue);
const [first, ...others] = catalogue.products;
const [event] = first.events;
const row = (product, eventName, values) => ({ product, event: eventName, enabled: null, sample_rate: null, min_version: null, ...values });

test('no rows, rows with nothing set, rows of unknown products or events: the same text', () => {
  assert.equal(overlay(catalogue, []), catalogue);
  for (const rows of [[row(first.product, PRODUCT_WIDE, {})], [row('no-such-product', PRODUCT_WIDE, { enabled: 0 })],
    [row(first.product, 'no-such-event', { sample_rate: 0.5 })]]) {
    assert.equal(JSON.stringify(overlay(catalogue, rows)), text);
  }
});

test('a product row sets the product\'s keys, an event row the event\'s; other products are untouched', () => {
  const merged = overlay(catalogue, [
    row(first.product, PRODUCT_WIDE, { sample_rate: 0.5, min_version: '1.2.0' }),
    row(first.product, event.name, { enabled: 0 }),
  ]);
  const product = merged.products[0];
  assert.equal(product.sample_rate, 0.5);
  assert.equal(product.min_version, '1.2.0');
  assert.equal(product.enabled, first.enabled, 'a key not set keeps the catalogue\'s value');
  assert.equal(product.events[0].enabled, false, 'SQLite\'s 0 is false');
  for (const [i, other] of product.events.slice(1).entries()) assert.equal(other, first.events[i + 1]);
  for (const [i, other] of others.entries()) assert.equal(merged.products[i + 1], other);
  assert.equal(JSON.stringify(catalogue), text, 'the compiled catalogue is never changed');
});

test('effectiveSettings lists only the events that differ from their product', () => {
  const merged = overlay(catalogue, [row(first.product, PRODUCT_WIDE, { sample_rate: 0.5 }), row(first.product, event.name, { enabled: 0 })]);
  const settings = effectiveSettings(merged.products[0]);
  assert.equal(settings.sample_rate, 0.5);
  assert.deepEqual(Object.keys(settings.events), [event.name]);
  assert.deepEqual(settings.events[event.name], { enabled: false, sample_rate: 0.5, min_version: settings.min_version });
});
