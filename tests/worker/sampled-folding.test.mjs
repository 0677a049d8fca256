// sampled-folding.test.mjs: small groups are folded on what was really stored, not on the counts
// scaled for sampling (docs/INSIGHTS.md, "Sampled events"), through the real Worker and a real local
// D1. One install kept at rate 0.1 counts 10 installs in the answers, but it is one install: with
// MIN_GROUP_SIZE 5 its value must be "other", on the breakdown and on the public page, for finished
// days (rollup_daily's kept_events and kept_installs) and today (the live counts) alike, and for
// products measured in events. Five installs kept at 0.1 are five: shown, with their scaled count.
//
// The raw rows are written straight into D1 with their sample_rate, as the core stores them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorker, testCatalogue } from './harness.mjs';

const DAY = 86_400_000;
const TOKEN = 'test-stats-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const today = Math.floor(Date.now() / DAY);
const weekOf = (day) => day - ((((day + 3) % 7) + 7) % 7);
// A finished day of the last finished week: the public page shows finished weeks only.
const lastWeekDay = weekOf(today) - 3;
const dateOf = (day) => new Date(day * DAY).toISOString().slice(0, 10);
const MIN_GROUP_SIZE = 5;
const RATE = 0.1;
const EVENTS_PER_INSTALL = 2;

// Per os value: how many installs (events, for a product without install ids) sent it, and at what
// rate they were kept. windows alone is large only once scaled; freebsd is small unsampled, so two
// values are folded and "other" never stands for one (fold.js keepMost()).
const GROUPS = [
  { os: 'linux', units: 2 * MIN_GROUP_SIZE, rate: null, shown: true },
  { os: 'darwin', units: MIN_GROUP_SIZE, rate: RATE, shown: true },
  { os: 'windows', units: 1, rate: RATE, shown: false },
  { os: 'freebsd', units: MIN_GROUP_SIZE - 3, rate: null, shown: false },
];
const weight = (rate) => 1 / (rate ?? 1);
// The scaled count the answers show: installs (or events) each counting 1/rate.
const scaled = (g) => Math.round(g.units * weight(g.rate));

let serial = 0;
function row({ product, event, install, day, os, rate }) {
  const at = day * DAY + 60_000 + serial;
  return {
    event_id: `sf${String(serial++).padStart(8, '0')}`, product, event, install_id: install, session_id: install && `${install}-s`,
    version: '1.0.0', os, arch: 'x86_64', runtime: 'python', runtime_version: '3.12', occurred_at: at, received_at: at,
    time_source: 'client', properties: '{}', ci: null, sample_rate: rate,
  };
}

// population() is, on `day`, agentsonar installs (EVENTS_PER_INSTALL events each) and axonflow
// events (no install id), per GROUPS.
function population(day) {
  const rows = [];
  for (const g of GROUPS) {
    for (let i = 0; i < g.units; i++) {
      for (let k = 0; k < EVENTS_PER_INSTALL; k++) rows.push(row({ product: 'agentsonar', event: 'session', install: `sf-${day}-${g.os}-${i}`, day, os: g.os, rate: g.rate }));
      rows.push(row({ product: 'axonflow', event: 'sdk_init', install: null, day, os: g.os, rate: g.rate }));
    }
  }
  return rows;
}

async function insertRows(worker, rows) {
  const columns = ['event_id', 'product', 'event', 'install_id', 'session_id', 'version', 'os', 'arch', 'runtime', 'runtime_version',
    'occurred_at', 'received_at', 'time_source', 'properties', 'ci', 'sample_rate'];
  await worker.execute(`INSERT INTO events (${columns.join(', ')}, day)
    SELECT ${columns.map((c) => `json_extract(value, '$.${c}')`).join(', ')}, json_extract(value, '$.occurred_at') / 86400000
    FROM json_each(?1)`, [JSON.stringify(rows)]);
}

async function stats(worker, path) {
  const response = await worker.fetch(path, { headers: auth });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
}

// What a product's breakdown by os must show: the GROUPS shown under their names with their scaled
// count, largest first, the others summed into "other", last.
function expectedTotals(measure) {
  const count = (g) => (measure === 'installs' ? scaled(g) : Math.round(g.units * weight(g.rate)));
  const shown = GROUPS.filter((g) => g.shown).map((g) => [g.os, count(g)]).sort((a, b) => b[1] - a[1]);
  return [...shown, ['other', GROUPS.filter((g) => !g.shown).reduce((n, g) => n + count(g), 0)]];
}

// The repository catalogue less any ci column, and the same with agentsonar's session declaring one
// (then folding reads the no-CI rows: cells.js decisionCells()).
function catalogueOf(withCi) {
  const catalogue = structuredClone(testCatalogue());
  for (const p of catalogue.products) for (const e of p.events) e.fields = e.fields.filter((f) => f.column !== 'ci');
  if (withCi) {
    catalogue.products.find((p) => p.product === 'agentsonar').events.find((e) => e.name === 'session').fields.push({
      name: 'ci', kind: 'enum', required: false, column: 'ci', description: 'The CI the SDK runs in, or none.',
      values: ['none', 'github_actions', 'unknown'], unknown: 'reject',
    });
  }
  return catalogue;
}

for (const withCi of [false, true]) {
  describe(`folding of sampled values (${withCi ? 'a product with a ci column' : 'no ci column'})`, () => {
    let worker;
    const raw = [...population(lastWeekDay), ...population(today)];

    before(async () => {
      worker = await startWorker({
        catalogue: catalogueOf(withCi),
        vars: { STATS_TOKEN: TOKEN, MAINTENANCE_QUERY_LIMIT: '1000', MIN_GROUP_SIZE: String(MIN_GROUP_SIZE), PUBLIC_STATS: 'os' },
      });
      await insertRows(worker, raw);
      const response = await worker.fetch(`/v1/stats/rollup?from=${dateOf(lastWeekDay)}&to=${dateOf(lastWeekDay)}`, { method: 'POST', headers: auth });
      assert.equal(response.status, 200, await response.clone().text());
    });
    after(() => worker?.close());

    test('rollup cells of sampled events keep their unscaled counts; other cells keep NULL', async () => {
      const cells = [];
      const expected = [];
      for (const product of ['agentsonar', 'axonflow']) {
        // Only agentsonar declares the ci column: its default view is the no-CI table.
        const table = withCi && product === 'agentsonar' ? 'rollup_daily_no_ci' : 'rollup_daily';
        cells.push(...await worker.rows(`SELECT product, value, events, installs, kept_events, kept_installs FROM ${table}
          WHERE day = ${lastWeekDay} AND product = '${product}' AND event = '*' AND dimension = 'os' ORDER BY value`));
        const perUnit = product === 'agentsonar' ? EVENTS_PER_INSTALL : 1;
        for (const g of [...GROUPS].sort((a, b) => (a.os < b.os ? -1 : 1))) {
          const installs = product === 'agentsonar' ? g.units : 0;
          const sampled = g.rate !== null;
          expected.push({
            product, value: g.os, events: Math.round(g.units * perUnit * weight(g.rate)), installs: Math.round(installs * weight(g.rate)),
            kept_events: sampled ? g.units * perUnit : null, kept_installs: sampled ? installs : null,
          });
        }
      }
      assert.deepEqual(cells, expected);
    });

    for (const [name, day] of [['a finished day', lastWeekDay], ['today', today]]) {
      test(`the breakdown folds a value one sampled install sent, and shows five (${name})`, async () => {
        for (const [product, measure] of [['agentsonar', 'installs'], ['axonflow', 'events']]) {
          const answer = await stats(worker, `/v1/stats/breakdown?product=${product}&dimension=os&from=${dateOf(day)}&to=${dateOf(day)}`);
          assert.equal(answer.folding.measure, measure);
          const size = (t) => (measure === 'installs' ? t.installs_peak : t.events);
          assert.deepEqual(answer.totals.map((t) => [t.value, size(t)]), expectedTotals(measure), `${product} on ${dateOf(day)}`);
        }
      });
    }

    test('the public page folds it too', async () => {
      for (const [product, measure] of [['agentsonar', 'installs'], ['axonflow', 'events']]) {
        const response = await worker.fetch(`/v1/public/stats?product=${product}`);
        assert.equal(response.status, 200);
        const page = await response.json();
        const week = page.dimensions.find((d) => d.dimension === 'os').weeks.find((w) => w.week === dateOf(weekOf(lastWeekDay)));
        const key = measure === 'installs' ? 'installs_peak' : 'events';
        assert.deepEqual(week.values.map((v) => [v.value, v[key]]), expectedTotals(measure), product);
      }
    });
  });
}
