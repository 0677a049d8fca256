// dashboard.test.mjs: the maintainer dashboard as a maintainer meets it. scripts/dev serves the
// Worker with its own local D1, scripts/seed-demo fills it, and headless Chromium (Debian's,
// driven by playwright-core) logs in with the token and reads what the page draws: the value the
// cursor's legend shows, titles, tables, exported files. Each is compared with the stats API's
// own answer, fetched here with the token. Every page runs under the Content-Security-Policy the
// Worker serves it with (no inline script or style, nothing from elsewhere), and must log no
// console error, which a violation would be, and ask no other origin. Screenshots go to
// PHONEHOME_SCREENSHOTS (default build/screenshots).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { root, startDev } from '../../scripts/lib/dev-server.mjs';
import { launchChromium, openDashboard } from './browser.mjs';

const TOKEN = 'dashboard-test-token';
const shots = process.env.PHONEHOME_SCREENSHOTS ?? join(root, 'build/screenshots');
const DAY = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n) => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

let dev;
let base;
let browser;
let liveBefore;

async function api(report, params = {}) {
  const response = await fetch(`${base}/v1/stats/${report}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 200, `${report}: ${await response.clone().text()}`);
  return response.json();
}

// postSession() posts one AgentSonar session now, as the SDK would (the reference payload, fresh
// ids, no timestamp: the event is today's).
async function postSession() {
  const body = { install_id: randomUUID(), session_id: randomUUID(), version: '0.5.0', python: '3.12', os: 'darwin', arch: 'arm64', adapter: 'crewai' };
  const response = await fetch(`${base}/v1/agentsonar/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json();
  assert.ok(response.ok && answer.results[0].status === 'accepted', JSON.stringify(answer));
}

before(async () => {
  dev = await startDev({ env: { STATS_TOKEN: TOKEN, PUBLIC_STATS: 'version,os,adapter' }, label: 'dashboard' });
  base = dev.url;
  const seeded = execFileSync(join(root, 'scripts/seed-demo'), ['--scale', '0.4', '--url', base], { env: dev.env, encoding: 'utf8' });
  assert.match(seeded, /summary: \d+ events generated over 120 days/);
  // The seed writes no event today: the one posted here is today's first, counted live.
  liveBefore = (await api('overview', { product: 'agentsonar', from: today(), to: today() })).days[0].events;
  await postSession();
  browser = await launchChromium();
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  dev?.stop();
});

// open() logs in on a new page at `query` and waits for the first drawing (browser.mjs); the page
// must be served under a strict Content-Security-Policy.
async function open(options = {}) {
  const { page, problems, response } = await openDashboard(browser, { base, token: TOKEN, ...options });
  strict(response.headers()['content-security-policy']);
  return { page, problems };
}

// strict() checks that a page's Content-Security-Policy allows nothing inline and nothing from
// another origin: the page is written for exactly that.
function strict(policy) {
  assert.ok(policy, 'the page is served without a Content-Security-Policy');
  const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
  assert.equal(directives['default-src'], "'none'", policy);
  for (const name of ['script-src', 'style-src', 'connect-src']) assert.equal(directives[name], "'self'", policy);
}

// redraw() does `action` and waits until the page has drawn again.
async function redraw(page, action) {
  const before = await page.evaluate(() => Number(document.body.dataset.render ?? 0));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.render ?? 0) > n, before, { timeout: 30_000 });
}

async function done(page, problems, shot) {
  if (shot) await page.screenshot({ path: join(shots, shot), fullPage: true });
  if (problems.some((p) => p.includes('ERR_CONNECTION_REFUSED'))) assert.fail(`scripts/dev stopped answering:\n${dev.logTail()}`);
  assert.deepEqual(problems, []);
  await page.close();
}

// hover() moves the mouse over a chart at `fraction` of its width and reads the legend: the day,
// and each series' value as written.
async function hover(page, panel, fraction) {
  const box = await page.locator(`#${panel} .u-over`).boundingBox();
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
  return page.$eval(`#${panel} .u-legend`, (legend) => {
    const rows = [...legend.querySelectorAll('.u-series')].map((r) => [r.querySelector('.u-label')?.textContent, r.querySelector('.u-value')?.textContent]);
    return { day: rows[0][1].slice(0, 10), dayText: rows[0][1], values: Object.fromEntries(rows.slice(1)) };
  });
}
const number = (text) => Number(text.replace(/,/g, '').split(' ')[0]);

// parseCsv() reads RFC 4180 text into rows of fields.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += c;
  }
  return rows;
}

async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

test('a wrong token is refused on the page itself', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/dashboard/`);
  await page.fill('#token', 'not-the-token');
  await page.click('#login-form button');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  assert.match(await page.textContent('#login-error'), /refused/);
  assert.equal(await page.isHidden('#dashboard'), true);
  await page.close();
});

test('the token is asked once: a reload opens the dashboard from localStorage', async () => {
  const { page, problems } = await open();
  await page.reload();
  await page.waitForSelector('body[data-rendered]');
  assert.equal(await page.isHidden('#login'), true);
  assert.equal(await page.isVisible('#dashboard'), true);
  await done(page, problems);
});

test('every panel of a seeded product is drawn or says why it is empty', async () => {
  const { page, problems } = await open({ query: `?product=agentsonar&from=${daysAgo(119)}&to=${today()}` });
  const panels = await page.$$eval('.panel[id]', (all) => Object.fromEntries(all.map((p) => [p.id, { state: p.dataset.state, reason: p.dataset.reason ?? '' }])));
  for (const id of ['overview', 'breakdown', 'totals', 'events', 'rejections']) assert.equal(panels[id].state, 'drawn', `${id}: ${JSON.stringify(panels[id])}`);
  // AgentSonar declares no success field, measure or top field: each panel says so.
  assert.match(panels.outcomes.reason, /no success or failure: none has a success field/);
  assert.match(panels.measures.reason, /declares no measure/);
  assert.match(panels.top.reason, /declares no top-values field/);
  for (const chart of await page.$$eval('.chart', (all) => all.map((c) => ({ id: c.dataset.chart, points: Number(c.dataset.points) })))) {
    assert.ok(chart.points > 0, `${chart.id} draws nothing`);
  }
  await done(page, problems, 'dashboard-agentsonar.png');
});

test('hovering a day shows exactly the value the API answered for it, in every count', async () => {
  const from = daysAgo(29);
  const { page, problems } = await open({ query: `?product=agentsonar&from=${from}&to=${today()}` });
  const answer = await api('overview', { product: 'agentsonar', from, to: today() });
  const byDay = new Map(answer.days.map((d) => [d.day, d]));
  for (const [measure, label] of [['events', 'events'], ['installs', 'active installs'], ['sessions', 'sessions']]) {
    if (measure !== 'events') await redraw(page, () => page.check(`#measure input[value="${measure}"]`));
    for (const fraction of [0.02, 0.3, 0.55, 0.8, 0.999]) {
      const shown = await hover(page, 'overview', fraction);
      assert.ok(byDay.has(shown.day), `the legend names ${shown.dayText}`);
      assert.equal(number(shown.values[label]), byDay.get(shown.day)[measure], `${measure} on ${shown.day}`);
    }
  }
  // The breakdown's lines too: each value's count on the hovered day.
  const breakdown = await api('breakdown', { product: 'agentsonar', dimension: 'version', from, to: today() });
  const shown = await hover(page, 'breakdown', 0.7);
  const drawn = Object.keys(shown.values);
  assert.deepEqual(drawn, breakdown.values.slice(0, drawn.length));
  for (const value of drawn) {
    const row = breakdown.days.find((r) => r.day === shown.day && r.value === value);
    assert.equal(number(shown.values[value]), row?.sessions ?? 0, `${value} on ${shown.day}`);
  }
  await done(page, problems);
});

test('titles say what is drawn: events, active installs or sessions', async () => {
  const { page, problems } = await open({ query: '?product=agentsonar' });
  const titles = () => page.$$eval('#overview h2, #breakdown h2, #totals h2', (all) => all.map((h) => h.textContent));
  assert.deepEqual(await titles(), ['Events per day', 'Events per day by version', 'Events by version over the range']);
  await redraw(page, () => page.check('#measure input[value="installs"]'));
  assert.deepEqual(await titles(), ['Active installs per day', 'Active installs per day by version', 'Active installs by version, mean a day']);
  await redraw(page, () => page.check('#measure input[value="sessions"]'));
  assert.deepEqual(await titles(), ['Sessions per day', 'Sessions per day by version', 'Sessions by version over the range']);
  assert.doesNotMatch((await titles()).join(' '), /install/i);
  // A product without install ids cannot be switched to installs at all.
  await redraw(page, () => page.selectOption('#product', 'langflow'));
  assert.equal(await page.isDisabled('#measure input[value="installs"]'), true);
  assert.doesNotMatch((await titles()).join(' '), /install/i);
  await done(page, problems);
});

test('presets, the previous period and the event filter ask the API what the page shows', async () => {
  const { page, problems } = await open({ query: '?product=langflow' });
  await redraw(page, () => page.click('[data-days="7"]'));
  assert.equal(await page.inputValue('#from'), daysAgo(6));
  assert.equal(await page.inputValue('#to'), today());
  assert.equal(await page.$$eval('#overview details.alt tbody tr', (rows) => rows.length), 7);
  await redraw(page, () => page.check('#compare'));
  const previous = await api('overview', { product: 'langflow', from: daysAgo(13), to: daysAgo(7) });
  const shown = await hover(page, 'overview', 0.5);
  const [value, , day] = shown.values['previous 7 days'].split(' ');
  assert.equal(day, daysAgo(10), 'day 4 of 7 lines up with day 4 of the previous 7');
  assert.equal(number(value), previous.days.find((d) => d.day === day).events);
  const total = previous.days.reduce((s, d) => s + d.events, 0);
  assert.match(await page.textContent('#card-events small'), new RegExp(`vs the previous 7 days \\(${total.toLocaleString('en-US')}\\)|previous 7 days had none`));
  await redraw(page, () => page.selectOption('#event', 'run'));
  assert.match(page.url(), /event=run/);
  const runs = await api('overview', { product: 'langflow', event: 'run', from: daysAgo(6), to: today() });
  assert.equal(number(await page.textContent('#card-events b')), runs.days.reduce((s, d) => s + d.events, 0));
  await done(page, problems, 'dashboard-langflow-7-days.png');
});

test('the catalogue\'s fields: dimensions to pick, measures and top values as the API answers them', async () => {
  const from = daysAgo(89);
  const { page, problems } = await open({ query: `?product=axolotl&from=${from}&to=${today()}` });
  const fields = await api('fields', { product: 'axolotl' });
  assert.deepEqual(await page.$$eval('#dimension option', (all) => all.map((o) => o.value)), fields.dimensions.map((d) => d.name));
  await redraw(page, () => page.selectOption('#dimension', 'accelerator_type'));
  assert.equal(await page.textContent('#breakdown h2'), 'Events per day by accelerator type');
  const measure = fields.measures[0];
  const measures = await api('measures', { product: 'axolotl', event: measure.event, field: measure.name, from, to: today() });
  assert.equal(await page.textContent('#measures h2'), `${measure.name}: p50, p90 and p99 per day`);
  const perVersion = await page.$$eval('#measures-version tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  // A percentile of too few values is null in the API and no number on the page.
  const percentile = (text) => (/\d/.test(text) ? number(text) : null);
  assert.deepEqual(perVersion.map((r) => [r[0], number(r[1]), percentile(r[2]), percentile(r[3]), percentile(r[4])]),
    measures.per_version.map((v) => [v.version, v.count, v.p50, v.p90, v.p99]));
  const topField = fields.top[0];
  const top = await api('top', { product: 'axolotl', event: topField.event, field: topField.name, from, to: today() });
  assert.deepEqual(await page.$$eval('#top .bars li', (all) => all.map((li) => [li.querySelector('.bar-label').textContent, li.querySelector('.bar-value').textContent])),
    top.values.map((v) => [v.value, v.events.toLocaleString('en-US')]));
  await done(page, problems, 'dashboard-axolotl.png');
});

test('every export is the data fetched: CSV with a header row, JSON with the same rows', async () => {
  const from = daysAgo(29);
  const { page, problems } = await open({ query: `?product=agentsonar&from=${from}&to=${today()}` });
  const overview = await api('overview', { product: 'agentsonar', from, to: today() });
  const csv = await download(page, '#overview [data-export="csv"]');
  assert.equal(csv.name, `phonehome-agentsonar-overview-${from}-${today()}.csv`);
  assert.match(csv.text, /\r\n$/);
  const [header, ...rows] = parseCsv(csv.text);
  assert.deepEqual(header, ['period', 'day', 'events', 'installs', 'new_installs', 'sessions', 'successes', 'failures']);
  assert.deepEqual(rows, overview.days.map((d) => ['current', ...header.slice(1).map((c) => String(d[c]))]));
  const breakdown = await api('breakdown', { product: 'agentsonar', dimension: 'version', from, to: today() });
  const json = JSON.parse((await download(page, '#breakdown [data-export="json"]')).text);
  assert.equal(json.title, 'Events per day by version');
  assert.deepEqual(json.rows, breakdown.days);
  assert.deepEqual(json.sources, [`/v1/stats/breakdown?product=agentsonar&event=*&from=${from}&to=${today()}&dimension=version`]);
  const totals = JSON.parse((await download(page, '#totals [data-export="json"]')).text);
  assert.deepEqual(totals.rows, breakdown.totals);
  await done(page, problems);
});

test('"other" is explained by the folding rule of the answer drawn, and the drawing keeps it', async () => {
  const from = daysAgo(62);
  const { page, problems } = await open({ query: `?product=agentsonar&from=${from}&to=${today()}&measure=installs&dimension=adapter` });
  const answer = await api('breakdown', { product: 'agentsonar', dimension: 'adapter', from, to: today() });
  const { measure, min_group_size: minimum, unit } = answer.folding;
  assert.deepEqual([measure, unit], ['installs', 'week']);
  const rule = await page.textContent('#folding-rule');
  assert.match(rule, new RegExp(`in a UTC week \\(Monday to Sunday\\), a value is shown under its own name only if at least ${minimum} installs sent it on one day of that week`));
  // The lines drawn are the answer's values, "other" among them exactly when the answer has it.
  const drawn = await page.$$eval('#breakdown .u-legend .u-series .u-label', (all) => all.slice(1).map((l) => l.textContent));
  assert.deepEqual(drawn, answer.values.slice(0, drawn.length));
  assert.equal(drawn.includes('other'), answer.values.includes('other'));
  // As drawn (the chart's table): in every whole week of the range, a value shown under its own
  // name had at least `minimum` installs on one of its days.
  const table = await page.$$eval('#breakdown details.alt tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  const [head, ...rows] = table;
  const weeks = new Map();
  for (const row of rows) {
    const day = row[0].slice(0, 10);
    const monday = new Date(Date.parse(day) - ((new Date(day).getUTCDay() + 6) % 7) * DAY).toISOString().slice(0, 10);
    if (!weeks.has(monday)) weeks.set(monday, []);
    weeks.get(monday).push(row);
  }
  let checked = 0;
  for (const [monday, days] of weeks) {
    if (days.length < 7 || days.some((d) => d[0].includes('today'))) continue;
    head.slice(1).forEach((value, i) => {
      if (value === 'other') return;
      const counts = days.map((d) => number(d[i + 1]));
      if (counts.some((n) => n > 0)) {
        assert.ok(Math.max(...counts) >= minimum, `${value} is named in the week of ${monday} with at most ${Math.max(...counts)} installs a day`);
        checked++;
      }
    });
  }
  assert.ok(checked > 10, `only ${checked} week and value pairs checked`);
  await done(page, problems);
});

test('rejected events link each code to its catalogue rule and show what the fields expect, never event data', async () => {
  const from = daysAgo(119);
  const { page, problems } = await open({ query: `?product=agentsonar&from=${from}&to=${today()}` });
  const answer = await api('rejections', { product: 'agentsonar', from, to: today() });
  const rule = answer.rules.session.wrong_type;
  const link = page.locator('#rejections tbody tr', { hasText: 'wrong_type' }).first();
  assert.equal(await link.locator('a', { hasText: 'wrong_type' }).getAttribute('href'), new URL(rule.link, base).href);
  await link.locator('summary').click();
  const fields = await link.locator('ul.fields li').allTextContents();
  assert.deepEqual(fields, rule.fields.map((f) => `${f.field}: ${f.expects}`));
  const count = answer.rejections.filter((r) => r.code === 'wrong_type').reduce((s, r) => s + r.count, 0);
  const counts = await page.$$eval('#rejections tbody tr', (rows) => rows.map((r) => Number(r.cells[4].textContent.replace(/,/g, ''))));
  assert.equal(counts.reduce((a, b) => a + b, 0), count);
  assert.doesNotMatch(await page.textContent('#rejections'), /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/, 'no install id, session id or other event data');
  await done(page, problems);
});

test('an event posted now is on the page: today is live, and Refresh brings the next one', async () => {
  // The API counts today live, at most 60 s old, recounted within seconds of a new event.
  const deadline = Date.now() + 75_000;
  let todayNow;
  do {
    todayNow = (await api('overview', { product: 'agentsonar', from: today(), to: today() })).days[0].events;
    if (todayNow > liveBefore) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } while (Date.now() < deadline);
  assert.ok(todayNow > liveBefore, `the event posted at the start is not counted (${todayNow})`);
  const { page, problems } = await open({ query: '?product=agentsonar' });
  await redraw(page, () => page.click('[data-days="7"]'));
  const idle = await page.$eval('#overview .u-legend', (l) => [...l.querySelectorAll('.u-value')].map((v) => v.textContent));
  assert.match(idle[0], new RegExp(`^${today()} \\(today`));
  assert.equal(number(idle[1]), todayNow);
  assert.match(await page.textContent('#status'), new RegExp(`Today \\(${today()}, UTC\\) is live: [\\d,]+ of its [\\d,]+ events so far \\(all products\\) counted`));
  assert.match(await page.textContent('#status'), /Finished days were last rolled up at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  await postSession();
  const shownAfter = async () => number(await page.$eval('#overview .u-legend .u-series:nth-child(2) .u-value', (v) => v.textContent));
  const until = Date.now() + 75_000;
  while (await shownAfter() <= todayNow && Date.now() < until) {
    await redraw(page, () => page.click('#refresh'));
    if (await shownAfter() <= todayNow) await page.waitForTimeout(1000);
  }
  assert.equal(await shownAfter(), todayNow + 1, 'Refresh shows the event posted a moment ago');
  await done(page, problems, 'dashboard-today-live.png');
});

test('every chart has a text alternative: a one-sentence summary and a table of its values', async () => {
  const { page, problems } = await open({ query: '?product=langflow' });
  const charts = await page.$$eval('.chart', (all) => all.map((c) => ({
    id: c.dataset.chart,
    label: c.querySelector('[role="img"]')?.getAttribute('aria-label') ?? '',
    title: c.closest('.panel').querySelector('h2').textContent,
    rows: c.parentElement.querySelectorAll('details.alt tbody tr').length,
  })));
  assert.ok(charts.length >= 3, JSON.stringify(charts));
  for (const chart of charts) {
    assert.ok(chart.label.startsWith(`${chart.title}, `), `${chart.id}: ${chart.label}`);
    assert.match(chart.label, /highest [\d,.]+/);
    assert.equal(chart.rows, 30, `${chart.id}: one row a day`);
  }
  await done(page, problems);
});

// clipped() lists what is cut or sticks out: the page scrolling sideways, a label wider than its
// box, a text box or a chart outside its panel.
function clipped(page) {
  return page.evaluate(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth) out.push(`the page scrolls sideways by ${doc.scrollWidth - doc.clientWidth}px`);
    const labels = '.bar-label, .bar-value, h2, .card-label, .card b, .card small, .note, .empty, .status, summary, .u-legend th, .u-legend td, label, .export button';
    for (const node of document.querySelectorAll(labels)) {
      if (!node.offsetParent) continue;
      const name = `${node.className || node.tagName} "${node.textContent.slice(0, 40)}"`;
      if (node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).display !== 'inline') out.push(`${name} is cut (${node.scrollWidth} > ${node.clientWidth})`);
      const box = node.getBoundingClientRect();
      const panel = node.closest('.panel, .card, .controls, header')?.getBoundingClientRect();
      if (panel && (box.left < panel.left - 1 || box.right > panel.right + 1)) out.push(`${name} sticks out of its panel`);
    }
    for (const canvas of document.querySelectorAll('.chart canvas')) {
      const box = canvas.getBoundingClientRect();
      const chart = canvas.closest('.chart').getBoundingClientRect();
      if (box.right > chart.right + 1 || box.left < chart.left - 1) out.push(`a chart is wider than its box (${box.width} > ${chart.width})`);
    }
    return out;
  });
}

for (const width of [360, 1280]) {
  test(`nothing is cut at ${width} px, long labels included`, async () => {
    // No Langflow event that reports success carries a runtime version: the failure rates are per
    // event type, with long labels such as "component (all values of runtime version)".
    const { page, problems } = await open({ width, height: 800, query: `?product=langflow&dimension=runtime_version&from=${daysAgo(89)}&to=${today()}` });
    const labels = await page.$$eval('#outcomes .bar-label', (all) => all.map((l) => l.textContent));
    assert.ok(labels.length > 1 && labels.every((l) => / \(all values of runtime version\)$/.test(l)), labels.join('; '));
    assert.deepEqual(await clipped(page), []);
    await page.screenshot({ path: join(shots, `dashboard-langflow-${width}.png`), fullPage: true });
    for (const product of ['agentsonar', 'axolotl']) {
      await redraw(page, () => page.selectOption('#product', product));
      assert.deepEqual(await clipped(page), [], product);
      await page.screenshot({ path: join(shots, `dashboard-${product}-${width}.png`), fullPage: true });
    }
    await done(page, problems);
  });
}

test('the public page shows the folded weekly counts the API publishes, with no token', async () => {
  const response = await fetch(`${base}/v1/public/stats?product=agentsonar`);
  assert.equal(response.status, 200, 'the dev server runs with PUBLIC_STATS');
  const answer = await response.json();
  for (const width of [360, 1280]) {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    const problems = [];
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    page.on('pageerror', (error) => problems.push(String(error)));
    strict((await page.goto(`${base}/public/?product=agentsonar`)).headers()['content-security-policy']);
    await page.waitForSelector('body[data-rendered="agentsonar"]');
    for (const { dimension, weeks } of answer.dimensions) {
      const latest = weeks.at(-1);
      const bars = await page.$$eval(`[data-dimension="${dimension}"] .bars li`, (all) => all.map((li) => [li.querySelector('.bar-label').textContent, li.querySelector('.bar-value').textContent]));
      assert.deepEqual(bars, latest.values.map((v) => [v.value, v.installs_peak.toLocaleString('en-US')]), dimension);
    }
    assert.match(await page.textContent('#folding'), new RegExp(`at least ${answer.folding.min_group_size} installs sent it on one day of that week`));
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
    await page.screenshot({ path: join(shots, `public-agentsonar-${width}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  }
});
