// settings.test.mjs: NEEDS THE h-core MODULE (the core that knows `enabled`, `sample_rate`,
// `min_version` and `version_check`; until it is merged a catalogue with those keys is refused and
// the Worker falls back to the compiled catalogue, so these verdicts cannot appear).
//
// Remote SDK settings enforced by the server, through the real Worker in workerd and a real local
// D1: a setting put through the admin API reaches the core's catalogue (settings-overlay.js) and
// the events of the next request get `disabled`, `sampled_out` or `version_unsupported`; cleared,
// they are accepted again. A product with `version_check` gets the check's answer in its ingest
// responses. The event and its body come from the catalogue and reference payloads the test runs with.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { referenceVectorsFile, startWorker, testCatalogue, waitFor } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const catalogue = testCatalogue();
const reference = JSON.parse(readFileSync(referenceVectorsFile, 'utf8'));

// An accepted reference payload whose event has a version column, and that version.
const versionField = (product, event) => catalogue.products.find((p) => p.product === product)
  ?.events.find((e) => e.name === event)?.fields.find((f) => f.column === 'version');
const sample = reference.cases.find((c) => c.expect?.results?.length === 1 && c.expect.results[0].status === 'accepted'
  && typeof c.body === 'object' && !Array.isArray(c.body) && typeof c.body[versionField(c.product, c.event)?.name] === 'string');
const { product, event, body } = sample;
const version = body[versionField(product, event).name];

describe('remote settings, enforced (needs the h-core module)', () => {
  let worker;
  before(async () => { worker = await startWorker({ vars: { STATS_TOKEN: TOKEN } }); });
  after(async () => { await worker?.close(); });
  beforeEach(async () => {
    await worker.clear();
    await worker.execute('DELETE FROM remote_settings');
  });

  const put = async (settings) => {
    const response = await worker.fetch(`/v1/admin/${product}/settings`, { method: 'PUT', headers, body: JSON.stringify(settings) });
    assert.equal(response.status, 200, await response.text());
  };
  // Each event is new (dedup): a fresh copy of the body with a new id where the event has one.
  let serial = 0;
  const fresh = () => {
    const copy = structuredClone(body);
    for (const f of catalogue.products.find((p) => p.product === product).events.find((e) => e.name === event).fields) {
      if ((f.column === 'session_id' || f.column === 'install_id') && f.kind === 'uuid') copy[f.name] = `00000000-0000-4000-8000-${(++serial).toString(16).padStart(12, '0')}`;
    }
    return copy;
  };
  const send = async () => {
    const response = await worker.post(`/v1/${product}/${event}`, fresh());
    return { status: response.status, answer: await response.json() };
  };
  const codeCount = async (code) => (await worker.rows(`SELECT coalesce(sum(count), 0) AS n FROM rejections_daily WHERE code = '${code}'`))[0].n;

  test('enabled false: answered disabled (200), stored nowhere, counted; cleared: accepted', async () => {
    await put({ events: { [event]: { enabled: false } } });
    const { status, answer } = await send();
    assert.equal(status, 200);
    assert.deepEqual(answer.results, [{ index: 0, status: 'disabled' }]);
    await waitFor(async () => (await codeCount('disabled')) === 1, { what: 'the disabled event counted' });
    assert.deepEqual(await worker.rows('SELECT event_id FROM events'), []);
    await put({ events: { [event]: { enabled: null } } });
    assert.equal((await send()).answer.results[0].status, 'accepted');
  });

  test('the product switched off turns off every event of it', async () => {
    await put({ enabled: false });
    assert.equal((await send()).answer.results[0].status, 'disabled');
  });

  test('the lowest sample rate (this install is not in its sample): sampled_out (200), counted; rate 1: accepted', async () => {
    await put({ sample_rate: 0.001 });
    const { status, answer } = await send();
    assert.equal(status, 200);
    assert.deepEqual(answer.results, [{ index: 0, status: 'sampled_out' }]);
    await waitFor(async () => (await codeCount('sampled_out')) === 1, { what: 'the sampled-out event counted' });
    await put({ sample_rate: 1 });
    assert.equal((await send()).answer.results[0].status, 'accepted');
    const [row] = await worker.rows('SELECT sample_rate FROM events');
    assert.equal(row.sample_rate, null, 'kept at rate 1: no rate stored');
  });

  test('a kept sampled event stores its rate', async () => {
    await put({ sample_rate: 1 - Number.EPSILON });
    assert.equal((await send()).answer.results[0].status, 'accepted');
    const [row] = await worker.rows('SELECT sample_rate FROM events');
    assert.equal(row.sample_rate, 1 - Number.EPSILON);
  });

  test('min_version above the event\'s version: rejected version_unsupported, naming the minimum', async () => {
    await put({ min_version: '999.0.0' });
    const { status, answer } = await send();
    assert.equal(status, 400);
    assert.equal(answer.results[0].status, 'rejected');
    assert.equal(answer.results[0].code ?? answer.results[0].error?.code, 'version_unsupported');
    assert.match(JSON.stringify(answer.results[0]), /999\.0\.0/);
    await put({ min_version: version.replace(/^v/, '').split(/[-+]/)[0] });
    assert.equal((await send()).answer.results[0].status, 'accepted', 'its own version is supported');
  });
});

describe('version_check: the check in every ingest response (needs the h-core module)', () => {
  let worker;
  before(async () => {
    const withCheck = { ...catalogue, products: catalogue.products.map((p) => (p.product === product ? { ...p, version_check: true } : p)) };
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN }, catalogue: withCheck });
    const response = await worker.fetch(`/v1/admin/${product}/release`, { method: 'PUT', headers, body: JSON.stringify({ latest: '999.0.0' }) });
    assert.equal(response.status, 200);
  });
  after(async () => { await worker?.close(); });

  test('with X-Client-Version: the full answer; without: latest and settings only; checks are not counted', async () => {
    const full = await (await worker.post(`/v1/${product}/${event}`, body, { 'content-type': 'application/json', 'x-client-version': '1.0.0' })).json();
    assert.equal(full.results.length, 1);
    assert.equal(full.check.latest, '999.0.0');
    assert.equal(full.check.outdated, true);
    assert.deepEqual(full.check.advisories, []);
    assert.equal(full.check.settings.supported, true);
    const bare = await (await worker.post(`/v1/${product}/${event}`, body)).json();
    assert.equal(bare.check.latest, '999.0.0');
    assert.equal('outdated' in bare.check, false);
    assert.equal('advisories' in bare.check, false);
    assert.deepEqual(await worker.rows('SELECT * FROM checks_daily'), []);
  });
});
