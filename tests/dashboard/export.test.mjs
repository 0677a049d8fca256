// export.test.mjs: the dashboard's pure parts in Node, without a browser: CSV as RFC 4180 writes
// it, JSON holding the same rows, file names, and the UTC day arithmetic the range controls use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, fileName, toCsv, toJson } from '../../assets/dashboard/export.js';
import { addDays, change, compact, dayList, daysIn, isDay, moment, previousPeriod, shortDate } from '../../assets/dashboard/format.js';

test('CSV fields are quoted only when RFC 4180 asks, quotes doubled', () => {
  assert.equal(csvField('0.5.0'), '0.5.0');
  assert.equal(csvField(12), '12');
  assert.equal(csvField(0), '0');
  assert.equal(csvField(null), '');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\r'), '"cr\r"');
  assert.equal(csvField(' spaced '), ' spaced ', 'spaces are data, kept as they are');
});

test('a text a spreadsheet would run as a formula stays text; numbers stay numbers', () => {
  for (const text of ['=cmd|\' /C calc\'!A0', '@SUM(1+1)', '+1+2', '-2+3', '\tx', '\rx']) {
    assert.ok(csvField(text).replace(/^"/, '').startsWith("'"), JSON.stringify(text));
  }
  assert.equal(csvField('=HYPERLINK("https://evil.example/","x")'), '"\'=HYPERLINK(""https://evil.example/"",""x"")"');
  assert.equal(csvField(-3), '-3');
  assert.equal(csvField('1.0.0-rc1'), '1.0.0-rc1');
});

test('CSV has a header row and CRLF line ends, columns in the order given', () => {
  const csv = toCsv(['day', 'value', 'events'], [
    { day: '2026-11-30', value: 'component (all versions)', events: 3, extra: 'not exported' },
    { day: '2026-12-01', value: 'a,"b"', events: 0 },
  ]);
  assert.equal(csv, 'day,value,events\r\n2026-11-30,component (all versions),3\r\n2026-12-01,"a,""b""",0\r\n');
  assert.equal(toCsv(['day'], []), 'day\r\n', 'no rows: the header alone');
});

test('JSON holds the same rows as the CSV, with the query and the API addresses', () => {
  const rows = [{ day: '2026-11-30', events: 3, installs: 1 }, { day: '2026-12-01', events: 0 }];
  const doc = JSON.parse(toJson({ title: 'Events per day', query: { product: 'p' }, sources: ['/v1/stats/overview?product=p'] }, ['day', 'events', 'installs'], rows));
  assert.deepEqual(doc, {
    title: 'Events per day', query: { product: 'p' }, sources: ['/v1/stats/overview?product=p'], columns: ['day', 'events', 'installs'],
    rows: [{ day: '2026-11-30', events: 3, installs: 1 }, { day: '2026-12-01', events: 0, installs: null }],
  });
});

test('file names say product, chart and range, with nothing a file system minds', () => {
  assert.equal(fileName('overview', { product: 'agentsonar', from: '2026-11-02', to: '2026-12-01' }, 'csv'), 'phonehome-agentsonar-overview-2026-11-02-2026-12-01.csv');
  assert.equal(fileName('top', { product: 'a/b c', from: 'x', to: 'y' }, 'json'), 'phonehome-a_b_c-top-x-y.json');
});

test('UTC days: lists, lengths, the previous period of the same length', () => {
  assert.deepEqual(dayList('2024-02-27', '2024-03-01'), ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  assert.equal(daysIn('2026-11-02', '2026-12-01'), 30);
  assert.deepEqual(previousPeriod('2026-11-02', '2026-12-01'), { from: '2026-10-03', to: '2026-11-01' });
  assert.deepEqual(previousPeriod('2026-12-01', '2026-12-01'), { from: '2026-11-30', to: '2026-11-30' });
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(isDay('2024-02-29'), true);
  assert.equal(isDay('2023-02-29'), false, 'not rolled over into March');
  assert.equal(isDay('2024-2-3'), false);
  assert.equal(shortDate('2026-11-02'), '2 Nov');
  assert.equal(shortDate('2026-11-02', true), '2 Nov 2026');
});

test('numbers: compact axis values, changes in words, times in ms or ISO 8601', () => {
  assert.deepEqual([0, 5, 950, 12_345, 1_200_000, 0.25].map(compact), ['0', '5', '950', '12.35k', '1.2M', '0.25']);
  assert.equal(change(110, 100), '+10.0%');
  assert.equal(change(90, 100), '−10.0%');
  assert.equal(change(5, 0), 'up from 0');
  assert.equal(change(0, 0), 'no change');
  assert.equal(change(5, undefined), null);
  assert.equal(moment('2026-12-01T02:57:59.602Z'), Date.UTC(2026, 11, 1, 2, 57, 59, 602));
  assert.equal(moment(1_700_000_000_000), 1_700_000_000_000);
  assert.equal(moment(null), null);
  assert.equal(moment('not a time'), null);
});
