// health.test.mjs: the dashboard's version-health panels as a maintainer meets them. scripts/dev
// serves the Worker with its own local D1, scripts/seed-demo fills it (checks, client reports and
// rejected shapes included), and headless Chromium logs in and reads what the panels draw, each
// compared with the stats API's own answer fetched here with the token. A route this Worker does
// not have yet (404) must be named by its panel instead; the test says which assertions ran.
// Every page must log no console error and ask no other origin.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { root, startDev } from '../../scripts/lib/dev-server.mjs';
import { launchChromium, openDashboard } from './browser.mjs';
import { compareShape, compareVersions } from '../../assets/dashboard/health.js';

const TOKEN = 'health-test-token';
const DAYS = 30;
const shots = process.env.PHONEHOME_SCREENSHOTS ?? join(root, 'build/screenshots');
const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
const from = daysAgo(DAYS - 1);
// Reports that count events or checks: the Include CI switch asks each with ci=include.
const CI_REPORTS = ['overview', 'events', 'breakdown', 'outcomes', 'rejections', 'checks'];
const REASONS = { offline: 'Offline', queue_full: 'Queue full', sampled: 'Sampled out', opted_out: 'Opted out', rejected: 'Rejected earlier' };

let dev;
let base;
let browser;
let schema;

// api() is a stats report as the API answers it, or null when this Worker has no such route.
async function api(report, params = {}) {
  const response = await fetch(`${base}/v1/stats/${report}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (response.status === 404) return null;
  assert.equal(response.status, 200, `${report}: ${await response.clone().text()}`);
  return response.json();
}

before(async () => {
  dev = await startDev({ env: { STATS_TOKEN: TOKEN }, label: 'health' });
  base = dev.url;
  const seeded = execFileSync(join(root, 'scripts/seed-demo'), ['--days', String(DAYS), '--scale', '0.4', '--url', base], { env: dev.env, encoding: 'utf8' });
  assert.match(seeded, /version health: [1-9]\d* checks, [1-9]\d* client-reported drops, [1-9]\d* rejected shapes/);
  schema = await (await fetch(`${base}/v1/schema`)).json();
  browser = await launchChromium();
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  dev?.stop();
});

// open() logs in on a new page at `query` and waits for the first drawing (browser.mjs).
const open = (options = {}) => openDashboard(browser, { base, token: TOKEN, ...options });

async function redraw(page, action) {
  const before = await page.evaluate(() => Number(document.body.dataset.render ?? 0));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.render ?? 0) > n, before, { timeout: 30_000 });
}

async function done(page, problems, shot) {
  if (shot) await page.screenshot({ path: join(shots, shot), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
}

const panelState = (page, id) => page.$eval(`#${id}`, (p) => ({ state: p.dataset.state, reason: p.dataset.reason ?? '' }));
const number = (text) => Number(text.replace(/,/g, '').split(' ')[0]);
// missing() asserts that a panel names the route this Worker lacks, and says so in the test's output.
async function missing(t, page, panel, route) {
  const { state, reason } = await panelState(page, panel);
  assert.equal(state, 'empty');
  assert.match(reason, new RegExp(`has no /v1/stats/${route} yet`));
  t.diagnostic(`${panel}: this Worker has no /v1/stats/${route}; only the panel's empty state was checked`);
}

// tableOf() reads a panel's table: its header and rows of cell texts.
const tableOf = (page, panel) => page.$eval(`#${panel} table`, (t) => ({
  head: [...t.querySelectorAll('thead th')].map((c) => c.textContent),
  rows: [...t.querySelectorAll('tbody tr')].map((r) => [...r.cells].map((c) => c.textContent)),
}));

async function hover(page, panel, fraction) {
  const box = await page.locator(`#${panel} .u-over`).boundingBox();
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
  return page.$eval(`#${panel} .u-legend`, (legend) => {
    const rows = [...legend.querySelectorAll('.u-series')].map((r) => [r.querySelector('.u-label')?.textContent, r.querySelector('.u-value')?.textContent]);
    return { day: rows[0][1].slice(0, 10), values: Object.fromEntries(rows.slice(1)) };
  });
}

const sum = (rows, key, value) => {
  const out = new Map();
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? 0) + value(r));
  return out;
};
const fieldsOf = (product, event) => new Map(schema.products.find((p) => p.product === product).events.find((e) => e.name === event).fields.map((f) => [f.name, f]));

test('versions are ordered newest first, pre-releases before their release, names that are no version last', () => {
  assert.deepEqual(['0.3.0', 'other', '1.10.0', '1.9.2', '1.10.0-rc.1', 'v0.4.0', ''].sort(compareVersions),
    ['1.10.0', '1.10.0-rc.1', '1.9.2', 'v0.4.0', '0.3.0', '', 'other']);
});

test('a shape is compared with the catalogue: a wrong type and a missing required field differ, null and undeclared keys do not', () => {
  const fields = fieldsOf('agentsonar', 'session');
  const keys = compareShape({ arch: 'null', install_id: 'string', os: 'number', surprise: 'bool', version: 'string' }, fields);
  const differs = keys.filter((k) => k.differs).map((k) => (k.missing ? `${k.key} missing` : `${k.key} ${k.type}`));
  const required = [...fields.values()].filter((f) => f.required && !['install_id', 'version'].includes(f.name)).map((f) => `${f.name} missing`);
  assert.deepEqual(differs, ['os number', ...required]);
  assert.equal(keys.find((k) => k.key === 'surprise').undeclared, true);
  // A folded shape ("…") is not whole: nothing is said to be missing from it.
  assert.deepEqual(compareShape({ '…': 'other' }, fields).filter((k) => k.differs), []);
});

test('checks per day and per version are the API\'s, beside event-based installs', async (t) => {
  const { page, problems } = await open({ query: `?product=agentsonar&from=${from}&to=${today()}` });
  const checks = await api('checks', { product: 'agentsonar', from, to: today() });
  if (!checks) {
    await missing(t, page, 'checks', 'checks');
    return done(page, problems);
  }
  assert.equal((await panelState(page, 'checks')).state, 'drawn');
  const cells = sum(checks.rows, (r) => `${r.day} ${r.version}`, (r) => r.checks);
  for (const fraction of [0.05, 0.5, 0.95]) {
    const shown = await hover(page, 'checks', fraction);
    for (const [version, text] of Object.entries(shown.values)) {
      assert.equal(number(text), cells.get(`${shown.day} ${version}`) ?? 0, `${version} on ${shown.day}`);
    }
  }
  const perVersion = sum(checks.rows, (r) => r.version, (r) => r.checks);
  const breakdown = await api('breakdown', { product: 'agentsonar', event: '*', dimension: 'version', from, to: today() });
  const { head, rows } = await tableOf(page, 'adoption');
  assert.deepEqual(head, ['Version', 'Checks a day', 'Checks from CI', 'Active installs a day', 'Events from CI']);
  for (const [version, perDay, , installs] of rows) {
    assert.equal(number(perDay), Math.round(((perVersion.get(version) ?? 0) / DAYS) * 100) / 100, `checks of ${version}`);
    const total = breakdown.totals.find((v) => v.value === version);
    assert.equal(number(installs), Math.round((total?.installs_mean ?? 0) * 100) / 100, `installs of ${version}`);
  }
  assert.ok(rows.length >= perVersion.size, 'every checked version has a row');
  const exported = JSON.parse(await download(page, '#checks [data-export="json"]'));
  assert.deepEqual(exported.rows, checks.rows.map((r) => ({ day: r.day, version: r.version, checks: r.checks, ci_checks: r.ci_checks })));
  await done(page, problems, 'health-agentsonar.png');
});

async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync(await file.path(), 'utf8');
}

test('drops SDKs reported, by reason and version, stand beside the server\'s rejections', async (t) => {
  const { page, problems } = await open({ query: `?product=axonflow&from=${from}&to=${today()}` });
  const reports = await api('client_reports', { product: 'axonflow', from, to: today() });
  const rejections = await api('rejections', { product: 'axonflow', from, to: today() });
  if (!reports) {
    const { reason } = await panelState(page, 'drops');
    t.diagnostic('drops: this Worker has no /v1/stats/client_reports; only the server\'s rejections were checked');
    if (reason) assert.match(reason, /has no \/v1\/stats\/client_reports yet/);
  }
  const label = (v) => (v === '' ? 'unknown' : v);
  const reported = sum(reports?.rows ?? [], (r) => label(r.version), (r) => r.count);
  const rejected = sum(rejections.rejections, (r) => label(r.version), (r) => r.count);
  const { head, rows } = await tableOf(page, 'drops');
  const at = (name) => head.indexOf(name);
  for (const row of rows) {
    const version = row[0];
    assert.equal(number(row[at('Reported, total')]), reported.get(version) ?? 0, `reported by ${version}`);
    assert.equal(number(row[at('Rejected by the server')]), rejected.get(version) ?? 0, `rejected of ${version}`);
    for (const r of reports?.rows.filter((x) => label(x.version) === version) ?? []) assert.ok(head.includes(REASONS[r.reason]), r.reason);
  }
  assert.deepEqual(new Set(rows.map((r) => r[0])), new Set([...reported.keys(), ...rejected.keys()].filter((v) => (reported.get(v) ?? 0) + (rejected.get(v) ?? 0) > 0)));
  if (reports) {
    // AxonFlow 7.0.2's queue overflowed: the reason its drops were counted under most.
    const byReason = sum(reports.rows.filter((r) => r.version === '7.0.2'), (r) => r.reason, (r) => r.count);
    assert.equal([...byReason].sort((a, b) => b[1] - a[1])[0][0], 'queue_full');
  }
  await done(page, problems);
});

test('a rejected shape says which key arrived with a type the catalogue does not accept', async (t) => {
  const { page, problems } = await open({ query: `?product=agentsonar&from=${from}&to=${today()}` });
  const shapes = await api('shapes', { product: 'agentsonar', from, to: today() });
  if (!shapes) {
    await missing(t, page, 'shapes', 'shapes');
    return done(page, problems);
  }
  const read = (s) => (typeof s === 'string' ? JSON.parse(s) : s);
  const wrong = shapes.rows.filter((r) => r.version === '0.3.0' && read(r.shape).os === 'number');
  assert.ok(wrong.length, `the seed's 0.3.0 sends os as a number: ${JSON.stringify(shapes.rows.slice(0, 3))}`);
  const finding = page.locator('#shapes ul.findings li[data-version="0.3.0"][data-key="os"]');
  assert.match(await finding.textContent(), new RegExp(`^0\\.3\\.0 sends os as a number \\(the catalogue declares enum: a string\\): ${wrong.reduce((n, r) => n + r.count, 0).toLocaleString('en-US')} session events? rejected$`));
  // Each row's keys are the shape's, and only os is highlighted.
  const drawn = await page.$$eval('#shapes tbody tr', (rows) => rows.map((r) => ({
    keys: [...r.querySelectorAll('li.key[data-key]')].map((k) => k.dataset.key),
    differs: [...r.querySelectorAll('li.differs')].map((k) => k.dataset.key ?? k.textContent),
    count: Number(r.cells[4].textContent.replace(/,/g, '')),
  })));
  assert.deepEqual(drawn.map((r) => r.count), shapes.rows.slice(0, 50).map((r) => r.count));
  assert.deepEqual(drawn.map((r) => r.keys), shapes.rows.slice(0, 50).map((r) => Object.keys(read(r.shape)).filter((k) => k !== '…' && k !== '<key>')));
  for (const [i, r] of drawn.entries()) {
    const shape = read(shapes.rows[i].shape);
    assert.deepEqual(r.differs, shape.os === 'number' ? ['os'] : [], JSON.stringify(shape));
  }
  assert.doesNotMatch(await page.textContent('#shapes'), /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/, 'no id or other value');
  await done(page, problems, 'health-shapes.png');
});

test('Include CI asks every counting report with ci=include, and is kept in the address and after a reload', async (t) => {
  const { page, problems, requests } = await open({ query: `?product=agentsonar&from=${from}&to=${today()}` });
  const asked = (report) => requests.filter((u) => new URL(u).pathname === `/v1/stats/${report}`).map((u) => new URL(u).searchParams.get('ci'));
  // Off by default: nothing asks for CI but the CI-share comparison of the version breakdown.
  for (const report of CI_REPORTS.filter((r) => r !== 'breakdown')) assert.ok(!asked(report).includes('include'), `${report} asked with ci=include while off`);
  assert.equal(await page.isChecked('#ci'), false);
  requests.length = 0;
  await redraw(page, () => page.check('#ci'));
  assert.match(page.url(), /[?&]ci=include/);
  for (const report of CI_REPORTS) {
    assert.ok(asked(report).length > 0, `${report} not asked`);
    assert.ok(asked(report).every((ci) => ci === 'include') || report === 'breakdown', `${report}: ${asked(report)}`);
  }
  const checks = await api('checks', { product: 'agentsonar', from, to: today(), ci: 'include' });
  if (checks) {
    const perVersion = sum(checks.rows, (r) => r.version, (r) => r.checks);
    const { rows } = await tableOf(page, 'adoption');
    for (const [version, perDay] of rows) assert.equal(number(perDay), Math.round(((perVersion.get(version) ?? 0) / DAYS) * 100) / 100, version);
  } else {
    t.diagnostic('checks: no /v1/stats/checks; the numbers with CI were not compared');
  }
  requests.length = 0;
  await page.reload();
  await page.waitForSelector('body[data-rendered]');
  assert.equal(await page.isChecked('#ci'), true);
  assert.ok(asked('overview').length && asked('overview').every((ci) => ci === 'include'));
  await done(page, problems, 'health-ci.png');
});

test('a product with no checks and no client reports says what to do', async (t) => {
  const { page, problems } = await open({ query: `?product=axon&from=${from}&to=${today()}` });
  const checks = await api('checks', { product: 'axon', from, to: today() });
  if (checks) {
    assert.deepEqual(checks.rows.filter((r) => r.checks > 0), []);
    assert.match((await panelState(page, 'checks')).reason, /^No checks yet: SDKs call GET \/v1\/axon\/check\?version=/);
  } else {
    await missing(t, page, 'checks', 'checks');
  }
  const reports = await api('client_reports', { product: 'axon', from, to: today() });
  if (reports) assert.match((await panelState(page, 'drops')).reason, /^No client reports yet: SDKs POST \/v1\/axon\/client_report/);
  const shapes = await api('shapes', { product: 'axon', from, to: today() });
  if (shapes) assert.match((await panelState(page, 'shapes')).reason, /^No rejected shapes from /);
  await done(page, problems);
});

test('the version-health panels fit a phone: nothing scrolls sideways or sticks out', async () => {
  const { page, problems } = await open({ width: 360, height: 800, query: `?product=agentsonar&from=${from}&to=${today()}` });
  const out = await page.evaluate(() => {
    const found = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) found.push(`the page scrolls sideways by ${doc.scrollWidth - doc.clientWidth}px`);
    for (const panel of document.querySelectorAll('#checks, #adoption, #drops, #shapes')) {
      const box = panel.getBoundingClientRect();
      for (const node of panel.querySelectorAll('h2, .note, .empty, li, td')) {
        const r = node.getBoundingClientRect();
        if (node.offsetParent && !node.closest('.scroll') && (r.left < box.left - 1 || r.right > box.right + 1)) found.push(`${panel.id}: "${node.textContent.slice(0, 40)}" sticks out`);
      }
    }
    return found;
  });
  assert.deepEqual(out, []);
  await done(page, problems, 'health-agentsonar-360.png');
});

test('a check and a client report sent now are on the page after Refresh', async (t) => {
  const { page, problems } = await open({ query: `?product=agentsonar&from=${from}&to=${today()}` });
  // Today's counts before: the seed may have written some, so "counted" means "grew".
  const countsNow = async () => {
    const checks = await api('checks', { product: 'agentsonar', from, to: today() });
    const reports = await api('client_reports', { product: 'agentsonar', from, to: today() });
    return {
      checks: checks?.rows.filter((r) => r.day === today() && r.version === '0.5.0').reduce((n, r) => n + r.checks, 0),
      offline: reports?.rows.filter((r) => r.day === today() && r.version === '0.5.0' && r.reason === 'offline').reduce((n, r) => n + r.count, 0),
    };
  };
  const before = await countsNow();
  const check = await fetch(`${base}/v1/agentsonar/check?version=0.5.0`);
  const report = await fetch(`${base}/v1/agentsonar/client_report`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: '0.5.0', dropped: { offline: 3 } }),
  });
  if (check.status === 404 || report.status === 404) {
    t.diagnostic(`this Worker answers the check ${check.status} and the client report ${report.status}: nothing live to compare`);
    return done(page, problems);
  }
  assert.equal(check.status, 200, await check.text());
  assert.equal(report.status, 200, await report.text());
  // Counts are written just after the answer: wait until the API has both, then Refresh.
  const counted = async () => {
    const now = await countsNow();
    return now.checks > before.checks && now.offline > before.offline;
  };
  for (let tries = 0; !(await counted()) && tries < 60; tries++) await new Promise((resolve) => setTimeout(resolve, 500));
  await redraw(page, () => page.click('#refresh'));
  const checks = await api('checks', { product: 'agentsonar', from, to: today() });
  const todays = checks.rows.find((r) => r.day === today() && r.version === '0.5.0');
  assert.ok(todays?.checks >= 1, JSON.stringify(todays));
  // Away from the plot, the legend shows the last day: today.
  const legend = await page.$eval('#checks .u-legend', (l) => Object.fromEntries([...l.querySelectorAll('.u-series')].map((r) => [r.querySelector('.u-label').textContent, r.querySelector('.u-value').textContent])));
  assert.match(legend.Day, new RegExp(`^${today()}`));
  assert.equal(number(legend['0.5.0']), todays.checks);
  const reports = await api('client_reports', { product: 'agentsonar', from, to: today() });
  const offline = reports.rows.filter((r) => r.version === '0.5.0' && r.reason === 'offline').reduce((n, r) => n + r.count, 0);
  const { head, rows } = await tableOf(page, 'drops');
  assert.equal(number(rows.find((r) => r[0] === '0.5.0')[head.indexOf('Offline')]), offline);
  await done(page, problems);
});
