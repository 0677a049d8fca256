// stats-dates.test.mjs: the date parameters of the stats API (from, to) through the real worker.
// A day that does not exist is 400 invalid_date, with the parameter and the reason named, on every
// report that reads dates and on POST /v1/stats/rollup; never rolled over into the next month.
// Real days, leap days included, read exactly the day they name.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorker } from './harness.mjs';

const TOKEN = 'test-stats-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const day = (text) => Date.parse(`${text}T00:00:00Z`) / 86_400_000;

// Each invalid value with a part of the message it must get.
const INVALID = [
  ['2024-02-30', 'has no day 30: February 2024 has 29 days'],
  ['2023-02-29', 'February 2023 has 28 days'],
  ['2100-02-29', 'February 2100 has 28 days'],
  ['2024-04-31', 'April 2024 has 30 days'],
  ['2024-01-32', 'January 2024 has 31 days'],
  ['2024-01-00', 'has no day 00'],
  ['2024-13-01', 'has no month 13'],
  ['2024-00-10', 'has no month 00'],
  ['2024-2-3', 'YYYY-MM-DD'],
  ['24-02-03', 'YYYY-MM-DD'],
  ['2024/02/03', 'YYYY-MM-DD'],
  ['20240203', 'YYYY-MM-DD'],
  ['2024-02-03T00:00:00Z', 'YYYY-MM-DD'],
  ['2024-02-03x', 'YYYY-MM-DD'],
  ['2024-02-03 ', 'YYYY-MM-DD'],
  [' 2024-02-03', 'YYYY-MM-DD'],
  ['2024-02-03\n', 'YYYY-MM-DD'],
  ['2024-02-03\u0000', 'YYYY-MM-DD'],
  ['+2024-02-03', 'YYYY-MM-DD'],
  ['-2024-02-03', 'YYYY-MM-DD'],
  ['10000-01-01', 'YYYY-MM-DD'],
  ['\u0662\u0660\u0662\u0664-\u0660\u0662-\u0660\u0663', 'YYYY-MM-DD'], // Arabic-Indic digits
  ['２０２４-０２-０３', 'YYYY-MM-DD'], // fullwidth digits
  ['', 'YYYY-MM-DD'],
  ['today', 'YYYY-MM-DD'],
  ['1e3', 'YYYY-MM-DD'],
  ['0000-01-01', 'is before 1970-01-01'],
  ['1969-12-31', 'is before 1970-01-01'],
  ['1900-02-29', 'is before 1970-01-01'],
];

describe('stats date parameters', () => {
  let worker;
  before(async () => {
    worker = await startWorker({ vars: { STATS_TOKEN: TOKEN } });
    // Rollups around the leap day of 2024, and on the first and last days a date can name.
    const rows = ['2024-02-28', '2024-02-29', '2024-03-01', '1970-01-01', '9999-12-31'].map((text, i) => ({
      sql: `INSERT INTO rollup_daily (day, product, event, dimension, value, events, installs, sessions, new_installs, successes, failures)
        VALUES (?1, 'agentsonar', '*', 'all', '', ?2, 0, 0, 0, 0, 0)`,
      params: [day(text), i + 1],
    }));
    for (const { sql, params } of rows) await worker.execute(sql, params);
  });
  after(async () => { await worker?.close(); });

  async function get(report, params, init = { headers: auth }) {
    const response = await worker.fetch(`/v1/stats/${report}?${new URLSearchParams(params)}`, init);
    return { status: response.status, answer: await response.json() };
  }

  for (const [value, reason] of INVALID) {
    test(`from=${JSON.stringify(value)} is 400 invalid_date`, async () => {
      const { status, answer } = await get('overview', { product: 'agentsonar', from: value, to: '2024-03-01' });
      assert.equal(status, 400, JSON.stringify(answer));
      assert.equal(answer.error.code, 'invalid_date');
      assert.ok(answer.error.message.startsWith('from '), answer.error.message);
      assert.ok(answer.error.message.includes(reason), answer.error.message);
    });
  }

  test('to is checked the same way, alone or with a good from', async () => {
    for (const params of [{ to: '2024-02-30' }, { from: '2024-02-01', to: '2024-02-30' }, { to: '2024-2-30' }]) {
      const { status, answer } = await get('overview', { product: 'agentsonar', ...params });
      assert.equal(status, 400);
      assert.equal(answer.error.code, 'invalid_date');
      assert.ok(answer.error.message.startsWith('to '), answer.error.message);
    }
  });

  test('every report that reads dates refuses an impossible one', async () => {
    for (const report of ['overview', 'events', 'breakdown', 'outcomes', 'rejections']) {
      const { status, answer } = await get(report, { product: 'agentsonar', from: '2024-02-30' });
      assert.equal(status, 400, report);
      assert.equal(answer.error.code, 'invalid_date', report);
    }
  });

  test('POST /v1/stats/rollup refuses an impossible day, and rolls up a real one', async () => {
    for (const query of ['from=2024-02-30&to=2024-03-01', 'from=2024-03-01&to=2024-13-01', 'from=2024-02-3&to=2024-02-04']) {
      const response = await worker.fetch(`/v1/stats/rollup?${query}`, { method: 'POST', headers: auth });
      assert.equal(response.status, 400, query);
      assert.equal((await response.json()).error.code, 'invalid_date', query);
    }
    const leap = await worker.fetch('/v1/stats/rollup?from=2024-02-29&to=2024-02-29', { method: 'POST', headers: auth });
    assert.equal(leap.status, 200);
    // Retention deleted that day's raw events long ago: its rollup is left alone.
    const answer = await leap.json();
    assert.equal(answer.rolled_up_days, 0);
    assert.deepEqual(answer.pending_days, []);
  });

  test('a leap day reads exactly that day', async () => {
    const { status, answer } = await get('overview', { product: 'agentsonar', from: '2024-02-29', to: '2024-02-29' });
    assert.equal(status, 200);
    assert.deepEqual([answer.from, answer.to], ['2024-02-29', '2024-02-29']);
    assert.deepEqual(answer.days.map((d) => [d.day, d.events]), [['2024-02-29', 2]]);
    const around = await get('overview', { product: 'agentsonar', from: '2024-02-28', to: '2024-03-01' });
    assert.deepEqual(around.answer.days.map((d) => d.day), ['2024-02-28', '2024-02-29', '2024-03-01']);
  });

  test('the first and the last day a date can name', async () => {
    const first = await get('overview', { product: 'agentsonar', from: '1970-01-01', to: '1970-01-01' });
    assert.equal(first.status, 200);
    assert.deepEqual(first.answer.days.map((d) => [d.day, d.events]), [['1970-01-01', 4]]);
    // Every day of the range is answered, days without events as zeros.
    // from defaults to 29 days before to.
    const last = await get('overview', { product: 'agentsonar', to: '9999-12-31' });
    assert.equal(last.status, 200);
    assert.deepEqual([last.answer.from, last.answer.to], ['9999-12-02', '9999-12-31']);
    assert.equal(last.answer.days.length, 30);
    assert.deepEqual(last.answer.days.filter((d) => d.events).map((d) => [d.day, d.events]), [['9999-12-31', 5]]);
  });

  test('leap years by the Gregorian rule: 2000 has a February 29, 2100 does not', async () => {
    assert.equal((await get('overview', { product: 'agentsonar', from: '2000-02-29', to: '2000-03-01' })).status, 200);
    assert.equal((await get('overview', { product: 'agentsonar', from: '2100-02-29', to: '2100-03-01' })).status, 400);
  });

  test('the other stats checks keep their code', async () => {
    const after = await get('overview', { product: 'agentsonar', from: '2024-03-01', to: '2024-02-29' });
    assert.equal(after.status, 400);
    assert.equal(after.answer.error.code, 'invalid_stats_request');
    const long = await get('overview', { product: 'agentsonar', from: '1970-01-01', to: '9999-12-31' });
    assert.equal(long.answer.error.code, 'invalid_stats_request');
    // The token is checked before the dates.
    const anonymous = await get('overview', { product: 'agentsonar', from: '2024-02-30' }, {});
    assert.equal(anonymous.status, 401);
  });
});
