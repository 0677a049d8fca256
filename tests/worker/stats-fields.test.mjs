// stats-fields.test.mjs: the stats API past the built-in counts, through workerd and a real local
// D1: the catalogue's own fields (dimensions, measures, top values), today counted live, folding
// that no two answers can undo, rejection codes explained by the catalogue, and the optional
// public page. The Worker runs with the repository's catalogue, in which the test marks its own
// measure and top fields, so it depends on no one's choice of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { bucketValue, measureBucket } from '../../worker/fields.js';
import { MAX_VALUES, OVERFLOW } from '../../worker/rollup.js';
import { APPLIES } from '../../worker/rules.js';
import { referenceVectorsFile, startWorker, testCatalogue } from './harness.mjs';
import { insertRaw } from './raw-rows.mjs';

const TOKEN = 'stats-fields-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY);
const dayText = (day) => new Date(day * DAY).toISOString().slice(0, 10);
const mondayOf = (day) => day - ((((day + 3) % 7) + 7) % 7);

// The catalogue under test: the repository's, with langflow run.seconds a measure and axolotl
// error.error_type a top field, whatever the repository marks.
function markedCatalogue() {
  const catalogue = structuredClone(testCatalogue());
  const field = (product, event, name) => catalogue.products.find((p) => p.product === product).events.find((e) => e.name === event).fields.find((f) => f.name === name);
  field('langflow', 'run', 'seconds').stats = 'measure';
  field('axolotl', 'error', 'error_type').stats = 'top';
  return catalogue;
}

let serial = 0;
function row({ product, event, install = null, session = null, day, version = '1.0.0', os = 'linux', properties = {} }) {
  const at = day * DAY + 3_600_000 + (serial % 1000);
  return {
    event_id: `f${String(serial++).padStart(8, '0')}`, product, event, install_id: install, session_id: session, version, os, arch: 'x86_64',
    runtime: 'python', runtime_version: '3.12', occurred_at: at, received_at: at, time_source: 'client', properties: JSON.stringify(properties),
  };
}

async function stats(worker, report, params) {
  const response = await worker.fetch(`/v1/stats/${report}?${new URLSearchParams(params)}`, { headers: auth });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

async function rollUp(worker, from, to) {
  for (let start = from; start <= to; start += 20) {
    const response = await worker.fetch(`/v1/stats/rollup?from=${dayText(start)}&to=${dayText(Math.min(to, start + 19))}`, { method: 'POST', headers: auth });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual((await response.json()).pending_days, []);
  }
}

// The nearest-rank percentile of raw values: the smallest with at least p of them at or below it.
function exactPercentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

describe("the catalogue's fields, today live, folding", () => {
  let worker;
  const catalogue = markedCatalogue();
  const seconds = { '1.4.0': [], '1.5.0': [] };
  const yesterday = today - 1;

  before(async () => {
    worker = await startWorker({ catalogue, vars: { STATS_TOKEN: TOKEN, MAINTENANCE_QUERY_LIMIT: '1000' } });
    const rows = [];
    // Langflow runs: 1.5.0 slower than 1.4.0; one run each of 0.1.0 and 0.2.0 (folded together:
    // langflow has no install ids, so groups are events, and one event is under five).
    for (let i = 0; i < 200; i++) {
      const version = i % 2 ? '1.5.0' : '1.4.0';
      const value = (version === '1.5.0' ? 3 : 1) * (0.5 + ((i * 37) % 100) / 10);
      seconds[version].push(value);
      rows.push(row({ product: 'langflow', event: 'run', day: yesterday, version, properties: { seconds: value, success: i % 5 !== 0, client_type: i % 3 ? 'oss' : 'desktop', is_webhook: i % 4 === 0 } }));
    }
    for (const version of ['0.1.0', '0.2.0']) {
      rows.push(row({ product: 'langflow', event: 'run', day: yesterday, version, properties: { seconds: 99, success: true, client_type: 'oss' } }));
    }
    // Axolotl errors: two common types, and two sent once (folded together).
    for (let i = 0; i < 30; i++) {
      rows.push(row({ product: 'axolotl', event: 'error', session: `s-${i}`, day: yesterday, version: i % 2 ? '0.9.0' : '0.8.0', properties: { error_type: i % 3 ? 'ValueError' : 'torch.OutOfMemoryError' } }));
    }
    for (const type of ['RareError', 'OtherRareError']) {
      rows.push(row({ product: 'axolotl', event: 'error', session: `rare-${type}`, day: yesterday, version: '0.9.0', properties: { error_type: type } }));
    }
    await insertRaw(worker, rows);
    await rollUp(worker, yesterday, yesterday);
  });
  after(async () => { await worker?.close(); });

  test('GET /v1/stats/fields lists what the catalogue marks, nested fields by path', async () => {
    for (const product of catalogue.products) {
      const answer = await stats(worker, 'fields', { product: product.product });
      const expected = { dimension: new Set(), measure: new Set(), top: new Set() };
      const walk = (event, fields, prefix) => fields.forEach((f) => (f.kind === 'object' ? walk(event, f.fields, `${prefix}${f.name}.`)
        : f.stats && expected[f.stats].add(f.stats === 'dimension' ? `${prefix}${f.name}` : `${event}:${prefix}${f.name}`)));
      for (const e of product.events) walk(e.name, e.fields, '');
      assert.deepEqual(new Set(answer.dimensions.filter((d) => !d.builtin).map((d) => d.name)), expected.dimension, product.product);
      assert.deepEqual(new Set(answer.measures.map((m) => `${m.event}:${m.name}`)), expected.measure, product.product);
      assert.deepEqual(new Set(answer.top.map((m) => `${m.event}:${m.name}`)), expected.top, product.product);
      assert.deepEqual(answer.dimensions.filter((d) => d.builtin).map((d) => d.name), ['version', 'os', 'arch', 'runtime', 'runtime_version']);
    }
  });

  test('a catalogue dimension is a breakdown like the built-in ones', async () => {
    const answer = await stats(worker, 'breakdown', { product: 'langflow', event: 'run', dimension: 'client_type', from: dayText(yesterday), to: dayText(yesterday) });
    const counts = Object.fromEntries(answer.totals.map((t) => [t.value, t.events]));
    assert.deepEqual(counts, { oss: 135, desktop: 67 }, 'one run in three from desktop, and the two old ones from oss');
    const webhook = await stats(worker, 'breakdown', { product: 'langflow', event: 'run', dimension: 'is_webhook', from: dayText(yesterday), to: dayText(yesterday) });
    // A bool reads true or false; the two old runs sent none (unknown: two events, folded with
    // the smallest kept value).
    assert.deepEqual(Object.fromEntries(webhook.totals.map((t) => [t.value, t.events])), { false: 150, other: 52 });
  });

  test('measures: p50, p90 and p99 per day and per version, within the buckets\' relative error', async () => {
    const answer = await stats(worker, 'measures', { product: 'langflow', event: 'run', field: 'seconds', from: dayText(yesterday), to: dayText(yesterday) });
    const tolerance = answer.relative_error + 0.01; // and three significant digits
    const close = (got, want, what) => assert.ok(Math.abs(got - want) <= tolerance * want, `${what}: ${got} vs exact ${want}`);
    const all = [...seconds['1.4.0'], ...seconds['1.5.0'], 99, 99];
    const [day] = answer.per_day;
    assert.equal(day.count, all.length);
    for (const p of ['p50', 'p90', 'p99']) close(day[p], exactPercentile(all, Number(p.slice(1)) / 100), `day ${p}`);
    const byVersion = Object.fromEntries(answer.per_version.map((v) => [v.version, v]));
    for (const version of ['1.4.0', '1.5.0']) {
      assert.equal(byVersion[version].count, 100);
      for (const p of ['p50', 'p90', 'p99']) close(byVersion[version][p], exactPercentile(seconds[version], Number(p.slice(1)) / 100), `${version} ${p}`);
    }
    assert.ok(byVersion['1.5.0'].p50 > 2 * byVersion['1.4.0'].p50, '1.5.0 is the slow one');
    assert.deepEqual(Object.keys(byVersion).sort(), ['1.4.0', '1.5.0', 'other'], 'the two old runs are folded together');
  });

  test('the bucket arithmetic: every value is within the stated error of what its bucket stands for', () => {
    for (const v of [0, 0.001, 0.5, 1, 1.05, 2, 37.5, 1000, 86_400_000, 1e15, 1e18]) {
      const back = bucketValue(measureBucket(v));
      assert.ok(Math.abs(back - v) <= 0.0489 * v, `${v} → ${back}`);
    }
    // Clamped: a sender cannot spread a measure over thousands of buckets.
    assert.equal(measureBucket(1e-300), measureBucket(0.001));
    assert.equal(measureBucket(1e300), measureBucket(1e18));
  });

  test('a flood of invented versions keeps a day to MAX_VALUES rows per dimension, the rest in one overflow row', async () => {
    const flooded = await startWorker({ catalogue, vars: { STATS_TOKEN: TOKEN, MAINTENANCE_QUERY_LIMIT: '45' } });
    try {
      const day = today - 2;
      const rows = Array.from({ length: MAX_VALUES + 300 }, (_, i) => row({ product: 'langflow', event: 'run', day, version: `1.0.${i}`, properties: { seconds: i / 7 } }));
      await insertRaw(flooded, rows);
      await rollUp(flooded, day, day);
      const versions = await flooded.rows(`SELECT count(*) AS n, sum(value = '${OVERFLOW}') AS overflow, sum(events) AS events FROM rollup_daily
        WHERE day = ${day} AND product = 'langflow' AND event = 'run' AND dimension = 'version'`);
      assert.deepEqual(versions[0], { n: MAX_VALUES, overflow: 1, events: rows.length }, 'every event is still counted');
      const measures = await stats(flooded, 'measures', { product: 'langflow', event: 'run', field: 'seconds', from: dayText(day), to: dayText(day) });
      assert.equal(measures.per_day[0].count + measures.overflow_events, rows.length);
      assert.ok(!measures.per_version.some((v) => v.version.startsWith('1.0.')), 'one event per version: all folded');
    } finally {
      await flooded.close();
    }
  });

  test('top values per version, folded by value and by version', async () => {
    const answer = await stats(worker, 'top', { product: 'axolotl', field: 'error_type', from: dayText(yesterday), to: dayText(yesterday) });
    assert.equal(answer.event, 'error', 'the only event carrying error_type');
    const overall = Object.fromEntries(answer.values.map((v) => [v.value, v.events]));
    assert.deepEqual(overall, { ValueError: 20, 'torch.OutOfMemoryError': 10, other: 2 }, 'the two sent once are folded');
    assert.ok(!JSON.stringify(answer).includes('RareError'));
    const versions = answer.per_version.map((v) => v.version).sort();
    assert.deepEqual(versions, ['0.8.0', '0.9.0']);
  });

  test('field reports refuse what the catalogue does not declare', async () => {
    for (const [report, params] of [
      ['measures', { product: 'langflow', field: 'nosuch' }],
      ['measures', { product: 'langflow', event: 'version', field: 'seconds' }],
      ['top', { product: 'axolotl', field: 'seconds' }],
      ['breakdown', { product: 'langflow', dimension: 'measure:seconds' }],
      ['breakdown', { product: 'langflow', dimension: "client_type' OR 1=1 --" }],
    ]) {
      const response = await worker.fetch(`/v1/stats/${report}?${new URLSearchParams(params)}`, { headers: auth });
      assert.equal(response.status, 400, `${report} ${JSON.stringify(params)}`);
      assert.equal((await response.json()).error.code, 'invalid_stats_request');
    }
  });

  test('today is counted live: an event posted now is in the next answer', async () => {
    const overview = async () => (await stats(worker, 'overview', { product: 'axolotl', from: dayText(today), to: dayText(today) }));
    const before = await overview();
    assert.equal(before.live.day, dayText(today));
    assert.equal(before.live.partial, false);
    const { body } = JSON.parse(readFileSync(referenceVectorsFile, 'utf8')).cases.find((c) => c.id === 'axolotl-error-reference');
    const response = await worker.post('/v1/axolotl/error', { ...body, run_id: crypto.randomUUID() });
    assert.equal(response.status, 200, await response.clone().text());
    // Counted again once this isolate stored events and the last count is a few seconds old.
    let afterPost;
    for (let tries = 0; tries < 40; tries++) {
      afterPost = await overview();
      if (afterPost.days[0].events > before.days[0].events) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(afterPost.days[0].events, before.days[0].events + 1, JSON.stringify([before, afterPost]));
    assert.equal(afterPost.live.events_total, before.live.events_total + 1);
    assert.ok(afterPost.last_rollup, 'the last rollup time is stated');
  });

  test('rejection meanings are status.def\'s words, read from the core', async () => {
    const def = readFileSync(new URL('../../wasm/include/phonehome/status.def', import.meta.url), 'utf8');
    const codes = Object.fromEntries([...def.matchAll(/PH_STATUS\((\w+),\s+event,\s+\d+,\s+"([^"]+)"\)/g)].map((m) => [m[1], m[2]]));
    assert.ok(Object.keys(codes).length > 10, 'status.def read');
    // rules.js keeps which fields each code comes from: every one an event code of status.def.
    for (const code of Object.keys(APPLIES)) assert.ok(code in codes, `rules.js explains ${code}, which status.def does not list`);
    const sent = await worker.fetch('/v1/agentsonar/session', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: '0.4.0', session_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' }),
    });
    assert.equal(sent.status, 400, await sent.text());
    let answer;
    for (let tries = 0; tries < 40; tries++) {
      answer = await stats(worker, 'rejections', { product: 'agentsonar', from: dayText(today), to: dayText(today) });
      if (answer.rules.session?.missing_field) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(answer.rules.session?.missing_field?.meaning, codes.missing_field, JSON.stringify(answer.rules));
  });
});

describe('folding is the same in every answer', () => {
  let worker;
  // Two whole weeks before this one. Per day: version A on 10 installs, B on 6, C on 2, D on 1 in
  // the first week; in the second, D is gone (only C is small: the smallest kept, B, joins it).
  const first = mondayOf(today) - 14;
  const installsOn = (week) => ({ A: 10, B: 6, C: 2, ...(week === 0 ? { D: 1 } : {}) });

  before(async () => {
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN, MAINTENANCE_QUERY_LIMIT: '1000', PUBLIC_STATS: 'version,os' } });
    const rows = [];
    for (let d = 0; d < 14; d++) {
      const day = first + d;
      for (const [version, installs] of Object.entries(installsOn(Math.floor(d / 7)))) {
        for (let i = 0; i < installs; i++) {
          rows.push(row({ product: 'agentsonar', event: 'session', install: `${version}-${i}`, session: `${version}-${i}-${day}`, day, version, os: i % 2 ? 'linux' : 'darwin' }));
        }
      }
    }
    await insertRaw(worker, rows);
    await rollUp(worker, first, first + 13);
  });
  after(async () => { await worker?.close(); });

  test('every range and event filter shows the same values on each day; C and D never by name', async () => {
    const shown = new Map(); // day → JSON of its values and counts, from the first answer that had it
    for (let from = first; from < first + 14; from += 3) {
      for (let to = from; to < first + 14; to += 4) {
        for (const event of ['*', 'session']) {
          const answer = await stats(worker, 'breakdown', { product: 'agentsonar', event, dimension: 'version', from: dayText(from), to: dayText(to) });
          assert.ok(!answer.values.includes('C') && !answer.values.includes('D'), JSON.stringify(answer.values));
          const byDay = new Map();
          for (const r of answer.days) byDay.set(r.day, { ...(byDay.get(r.day) ?? {}), [r.value]: r.installs });
          for (const [day, values] of byDay) {
            const text = JSON.stringify(Object.fromEntries(Object.entries(values).sort()));
            if (!shown.has(day)) shown.set(day, text);
            assert.equal(text, shown.get(day), `day ${day} answered differently for ${dayText(from)}..${dayText(to)} ${event}`);
          }
        }
      }
    }
    // What the days show: "other" is never one version alone.
    assert.equal(shown.get(dayText(first)), JSON.stringify({ A: 10, B: 6, other: 3 }));
    assert.equal(shown.get(dayText(first + 7)), JSON.stringify({ A: 10, other: 8 }), 'C alone would be other: B joins it');
  });

  test('no difference of two answers is a folded value: other over a range is the sum of its days', async () => {
    // Subtracting a range from a longer one leaves whole days, and each day's "other" is at least
    // two versions; a second dimension sums to the same total without splitting "other".
    const week = await stats(worker, 'breakdown', { product: 'agentsonar', dimension: 'version', from: dayText(first), to: dayText(first + 6) });
    const longer = await stats(worker, 'breakdown', { product: 'agentsonar', dimension: 'version', from: dayText(first), to: dayText(first + 7) });
    const other = (answer) => answer.totals.find((t) => t.value === 'other').events;
    assert.equal(other(longer) - other(week), 8, 'the eighth day\'s other: B and C together');
    const os = await stats(worker, 'breakdown', { product: 'agentsonar', dimension: 'os', from: dayText(first), to: dayText(first + 6) });
    const sum = (answer) => answer.totals.reduce((n, t) => n + t.events, 0);
    assert.equal(sum(os), sum(week));
  });

  test('the public page: no token, cacheable, folded the same way; off without PUBLIC_STATS', async () => {
    const response = await worker.fetch('/v1/public/stats?product=agentsonar');
    assert.equal(response.status, 200, await response.clone().text());
    assert.match(response.headers.get('cache-control'), /^public, max-age=\d+/);
    const answer = await response.json();
    assert.deepEqual(answer.dimensions.map((d) => d.dimension), ['version', 'os']);
    const versions = answer.dimensions[0].weeks;
    assert.deepEqual(versions.find((w) => w.week === dayText(first)).values, [{ value: 'A', installs_peak: 10 }, { value: 'B', installs_peak: 6 }, { value: 'other', installs_peak: 3 }]);
    assert.ok(!JSON.stringify(answer).includes('"C"'));
    // One answer per product for an hour, whatever else the query holds: D1 is not asked again.
    await insertRaw(worker, Array.from({ length: 6 }, (_, i) => row({ product: 'agentsonar', event: 'session', install: `late-${i}`, day: first, version: 'E' })));
    await rollUp(worker, first, first);
    const again = await worker.fetch('/v1/public/stats?product=agentsonar&nocache=1');
    assert.deepEqual(await again.json(), answer);
    const off = await startWorker({ vars: { STATS_TOKEN: TOKEN } });
    try {
      assert.equal((await off.fetch('/v1/public/stats?product=agentsonar')).status, 404);
      assert.equal((await off.fetch('/public/')).status, 404);
    } finally {
      await off.close();
    }
    assert.equal((await worker.fetch('/v1/public/stats?product=nosuch')).status, 400);
    assert.equal((await worker.fetch('/v1/public/stats?product=agentsonar', { method: 'POST', body: '{}' })).status, 405);
  });
});
