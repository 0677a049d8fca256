// add-product.test.mjs: README's "Add a reference product", done as it says, end to end: a copy of
// catalogue/ with one more product file (tests/fixtures/catalogue-custom's acme), its exact payload
// and expected row added to a copy of the reference payloads, `phonehome build` and `phonehome
// check`, then the catalogue-driven Worker tests (the pages list exactly what is declared; every
// event's reference payload is stored as its expected row) run on that copy, in real workerd with a
// real local D1. Nothing in them may count today's products.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'phonehome-add-product-'));
const catalogueDir = join(scratch, 'catalogue');
const compiled = join(scratch, 'catalogue.json');
const referenceFile = join(scratch, 'reference.json');
const addedCase = JSON.parse(readFileSync(join(root, 'tests/fixtures/add-product/reference-case.json'), 'utf8'));

function run(command, args, env = {}) {
  // NODE_TEST_CONTEXT would make a nested `node --test` skip its files.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...inherited, ...env }, timeout: 600_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('adding a product as README says', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('1. the product file and 2. its reference payload', () => {
    cpSync(join(root, 'catalogue'), catalogueDir, { recursive: true });
    copyFileSync(join(root, 'tests/fixtures/catalogue-custom/products/acme.json'), join(catalogueDir, 'products/acme.json'));
    const reference = JSON.parse(readFileSync(join(root, 'tests/vectors/catalogue/reference.json'), 'utf8'));
    assert.ok(!reference.cases.some((c) => c.product === addedCase.product), 'the fixture product is new to the catalogue');
    reference.cases.push(addedCase);
    reference.case_count = reference.cases.length;
    writeFileSync(referenceFile, JSON.stringify(reference, null, 1));
  });

  test('3. phonehome build checks and compiles it; phonehome check accepts its payload', () => {
    const build = run('node', ['bin/phonehome.mjs', 'build', '--catalogue', catalogueDir, '--out', compiled]);
    assert.equal(build.status, 0, build.output);
    const products = JSON.parse(readFileSync(compiled, 'utf8')).products.map((p) => p.product);
    assert.ok(products.includes(addedCase.product), products.join(', '));
    const payload = join(scratch, 'payload.json');
    writeFileSync(payload, JSON.stringify(addedCase.body));
    const check = run('node', ['bin/phonehome.mjs', 'check', '--catalogue', catalogueDir, '--product', addedCase.product, '--event', addedCase.event, payload]);
    assert.equal(check.status, 0, check.output);
  });

  test('4. the catalogue-driven Worker tests pass with it', () => {
    const suite = ['tests/worker/catalogue.test.mjs', 'tests/worker/reference.test.mjs'];
    const result = run('node', ['--test', ...suite], {
      PHONEHOME_CATALOGUE_DIR: catalogueDir,
      PHONEHOME_REFERENCE_VECTORS: referenceFile,
      PHONEHOME_WORKER_CATALOGUE: compiled,
    });
    assert.equal(result.status, 0, result.output.slice(-4000));
    // The added product's own case ran, and passed.
    assert.match(result.output, new RegExp(`ok \\d+ - ${addedCase.product}/${addedCase.event} is stored as its expected row`));
  });
});
