// remote-settings.test.mjs: the catalogue's remote settings enforced by the core, through the real
// Worker in workerd and a real local D1 (docs/PROTOCOL.md, "Verdicts"). The fixture
// (tests/fixtures/catalogue-settings, with the shipped presets) turns one event off, sets a minimum
// version on another, samples a third at 0.5, and gives each a ci field. Every expectation is
// derived from the fixture's own settings and the contract's sampling rule.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadCatalogue, publicCatalogue } from '../../cli/catalogue.mjs';
import { installKey } from '../../worker/storage.js';
import { startWorker, waitFor } from './harness.mjs';

const fromHere = (path) => fileURLToPath(new URL(path, import.meta.url));

// The fixture's products with the shipped presets.json (the ci preset among them).
function settingsCatalogue() {
  const dir = mkdtempSync(join(tmpdir(), 'phonehome-settings-'));
  try {
    cpSync(fromHere('../fixtures/catalogue-settings'), dir, { recursive: true });
    copyFileSync(fromHere('../../catalogue/presets.json'), join(dir, 'presets.json'));
    const { products, problems } = loadCatalogue(dir);
    assert.deepEqual(problems, []);
    return publicCatalogue(products);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CATALOGUE = settingsCatalogue();
const eventOf = (name) => CATALOGUE.products[0].events.find((e) => e.name === name);
const MIN_VERSION = eventOf('start').min_version;
const RATE = eventOf('tick').sample_rate;

// kept() is the contract's rule: an install is kept iff its install key (the same one
// install_writes uses) read as a 64-bit number is below rate × 2^64.
const kept = (install, rate) => BigInt(`0x${installKey(install)}`) < BigInt(Math.floor(rate * 2 ** 64));

// counts() is rejections_daily's total per code.
async function counts(worker) {
  const rows = await worker.rows('SELECT code, sum(count) AS n FROM rejections_daily GROUP BY code ORDER BY code');
  return Object.fromEntries(rows.map((r) => [r.code, r.n]));
}

describe('remote settings in the catalogue, enforced by the core', () => {
  let worker;
  before(async () => { worker = await startWorker({ catalogue: CATALOGUE }); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => { await worker.clear(); });

  test('the fixture sets what this test relies on', () => {
    assert.equal(eventOf('legacy').enabled, false);
    assert.equal(typeof MIN_VERSION, 'string');
    assert.ok(RATE > 0 && RATE < 1);
  });

  test('a disabled event is answered disabled with 200, stored nowhere, counted under disabled', async () => {
    const events = [{ install_id: 'a', version: '1.0.0' }, { install_id: 'b', version: '2.0.0', ci: 'github' }];
    const response = await worker.post('/v1/tool/legacy', events);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { results: events.map((_, index) => ({ index, status: 'disabled' })) });
    await waitFor(async () => (await counts(worker)).disabled === events.length, { what: 'the disabled events counted' });
    assert.deepEqual(await worker.rows('SELECT version, count FROM rejections_daily ORDER BY version'),
      [{ version: '1.0.0', count: 1 }, { version: '2.0.0', count: 1 }]);
    assert.equal((await worker.rows('SELECT count(*) AS n FROM events'))[0].n, 0);
  });

  test('a version below min_version is rejected version_unsupported (400), one at or above it stored', async () => {
    const below = await worker.post('/v1/tool/start', { install_id: 'a', version: '1.2.0-rc.1' });
    assert.equal(below.status, 400);
    const answer = await below.json();
    assert.equal(answer.error.code, 'all_rejected');
    assert.deepEqual(answer.results, [{ index: 0, status: 'rejected', code: 'version_unsupported', path: 'version',
      message: `version 1.2.0-rc.1 is below the minimum version ${MIN_VERSION} this event accepts` }]);
    await waitFor(async () => (await counts(worker)).version_unsupported === 1, { what: 'the rejection counted' });

    const events = [{ install_id: 'a', version: MIN_VERSION, ci: 'GitLab_CI' }, { install_id: 'b' }, { install_id: 'c', version: '1.1.9' }];
    const mixed = await worker.post('/v1/tool/start', events);
    assert.equal(mixed.status, 200);
    assert.deepEqual((await mixed.json()).results.map((r) => r.code ?? r.status), ['accepted', 'accepted', 'version_unsupported']);
    assert.deepEqual(await worker.rows('SELECT install_id, version, ci, sample_rate FROM events ORDER BY install_id'), [
      { install_id: 'a', version: MIN_VERSION, ci: 'gitlab', sample_rate: null },
      { install_id: 'b', version: null, ci: null, sample_rate: null },  // no version: nothing to compare
    ]);
    assert.equal((await counts(worker)).version_unsupported, 2);
  });

  test('sampling keeps whole installs by the contract\'s hash, stores the rate, counts the rest sampled_out', async () => {
    const installs = Array.from({ length: 60 }, (_, i) => `install-${i}`);
    const keptInstalls = installs.filter((id) => kept(id, RATE));
    // The fixture's rate must split these installs, or the test proves nothing.
    assert.ok(keptInstalls.length > 0 && keptInstalls.length < installs.length);
    // Two events per install, in one request: an install is in or out as a whole.
    const events = installs.flatMap((id, i) => [{ install_id: id, version: '1.0.0', in_ci: i % 2 === 0 }, { install_id: id, version: '1.0.0' }]);
    const response = await worker.post('/v1/tool/tick', events);
    assert.equal(response.status, 200);
    const { results } = await response.json();
    results.forEach((verdict, index) => {
      assert.equal(verdict.status, kept(events[index].install_id, RATE) ? 'accepted' : 'sampled_out', events[index].install_id);
    });
    const rows = await worker.rows('SELECT install_id, ci, sample_rate FROM events ORDER BY install_id');
    assert.equal(rows.length, 2 * keptInstalls.length);
    assert.deepEqual(new Set(rows.map((r) => r.install_id)), new Set(keptInstalls));
    for (const row of rows) assert.equal(row.sample_rate, RATE);
    const ci = rows.filter((r) => r.ci !== null).map((r) => r.ci);
    assert.ok(ci.every((value) => value === 'unknown' || value === 'none'), ci.join());
    await waitFor(async () => (await counts(worker)).sampled_out === 2 * (installs.length - keptInstalls.length),
      { what: 'the sampled-out events counted' });

    // A retry is decided the same; a request of only sampled-out events is still 200.
    const out = installs.find((id) => !kept(id, RATE));
    const again = await worker.post('/v1/tool/tick', { install_id: out, version: '1.0.0' });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { results: [{ index: 0, status: 'sampled_out' }] });
  });

  test('a bool ci field stores unknown for true and none for false; an enum its canonical value', async () => {
    const keptInstall = Array.from({ length: 50 }, (_, i) => `ci-${i}`).find((id) => kept(id, RATE));
    assert.equal((await worker.post('/v1/tool/tick', [{ install_id: keptInstall, in_ci: true }, { install_id: keptInstall, in_ci: false }])).status, 200);
    assert.equal((await worker.post('/v1/tool/start', { install_id: 'x', version: MIN_VERSION, ci: 'true' })).status, 200);
    assert.deepEqual((await worker.rows('SELECT event, ci FROM events ORDER BY event, ci')).map((r) => `${r.event}:${r.ci}`),
      ['start:unknown', 'tick:none', 'tick:unknown']);
  });
});
