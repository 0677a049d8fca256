// same-verdicts.test.mjs: the two checks of a catalogue are held to the same verdicts. The source
// checker (cli/catalogue.mjs, which names files and fields for maintainers) and the core's own check
// of the compiled form (ph_load_catalogue) must refuse exactly the same defects: each vector of
// load-vectors.json that changes the base is written out as source files (the compiled form of a
// product is a valid product file) and must be refused by the source checker exactly when the core
// refuses it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadCatalogue } from '../../cli/catalogue.mjs';
import { documentOf, vectors } from './load-vectors.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'phonehome-same-verdicts-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

// asSources() writes a compiled document as a catalogue folder: one file per product, named by it
// (a second product of the same name gets a file of its own, which the source checker refuses too).
function asSources(doc, dir) {
  mkdirSync(join(dir, 'products'), { recursive: true });
  writeFileSync(join(dir, 'presets.json'), JSON.stringify({ presets: {} }));
  const used = new Set();
  for (const product of Array.isArray(doc.products) ? doc.products : []) {
    let name = typeof product?.product === 'string' ? product.product : 'unnamed';
    while (used.has(name)) name += '-again';
    used.add(name);
    writeFileSync(join(dir, 'products', `${name}.json`), JSON.stringify(product));
  }
}

test('the source checker refuses exactly what the core refuses', () => {
  const mutations = vectors.vectors.filter((v) => v.text === undefined);
  assert.ok(mutations.length >= 40);
  const disagreements = [];
  mutations.forEach((vector, i) => {
    const dir = join(scratch, String(i));
    const doc = documentOf(vector);
    // Only a whole document's own members are the core's (the source form has no top level).
    if (Object.keys(doc).some((k) => k !== 'products')) return;
    asSources(doc, dir);
    const { problems } = loadCatalogue(dir);
    const coreRefuses = vector.expect !== '';
    if ((problems.length > 0) !== coreRefuses) {
      disagreements.push(`${vector.id}: core ${coreRefuses ? `refuses (${vector.expect})` : 'accepts'}, source checker ${problems.length ? `refuses (${problems[0]})` : 'accepts'}`);
    }
  });
  assert.deepEqual(disagreements, []);
});
