// dashboard.test.mjs: the maintainer dashboard as a maintainer meets it. scripts/dev serves the
// Worker with its own local D1, scripts/seed-demo fills it, and headless Chromium (Debian's,
// driven by playwright-core) logs in with the token and draws every chart from real data, with no
// console error. Screenshots go to the build folder (PHONEHOME_SCREENSHOTS).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { root, startDev } from '../../scripts/lib/dev-server.mjs';

const TOKEN = 'dashboard-test-token';
const shots = process.env.PHONEHOME_SCREENSHOTS ?? join(root, 'build/screenshots');
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dev;
let base;
let browser;

before(async () => {
  dev = await startDev({ env: { STATS_TOKEN: TOKEN }, label: 'dashboard' });
  base = dev.url;
  const env = dev.env;
  const seeded = execFileSync(join(root, 'scripts/seed-demo'), ['--scale', '0.4', '--url', base], { env, encoding: 'utf8' });
  assert.match(seeded, /summary: \d+ events generated over 120 days/);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  dev?.stop();
});

async function openDashboard(viewport) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${base}/dashboard`);
  await page.fill('#token', TOKEN);
  await page.click('#login-form button');
  await page.waitForSelector('body[data-rendered]', { timeout: 30_000 });
  return { page, errors };
}

const chartPoints = (page) => page.$$eval('[data-chart]', (charts) => Object.fromEntries(charts.map((c) => [c.id, Number(c.dataset.points)])));

test('a wrong token is refused on the page itself', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/dashboard`);
  await page.fill('#token', 'not-the-token');
  await page.click('#login-form button');
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  assert.equal(await page.isHidden('#dashboard'), true);
  await page.close();
});

test('the seeded product draws every chart with data and no console error', async () => {
  const { page, errors } = await openDashboard({ width: 1280, height: 1800 });
  assert.equal(await page.$eval('#product', (s) => s.value), 'agentsonar');
  const points = await chartPoints(page);
  for (const chart of ['chart-installs', 'chart-versions', 'chart-os', 'chart-arch', 'chart-runtime', 'chart-events', 'chart-rejections']) {
    assert.ok(points[chart] > 0, `${chart} has no data: ${JSON.stringify(points)}`);
  }
  assert.ok(await page.$('#chart-versions polygon[data-series="0.5.0"]'), 'version adoption shows the latest release');
  assert.match(await page.textContent('#chart-rejections'), /wrong_type/);
  assert.notEqual(await page.textContent('#card-installs'), '–');
  await page.screenshot({ path: join(shots, 'dashboard-agentsonar.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a product with success fields shows its failure rates', async () => {
  const { page, errors } = await openDashboard({ width: 1280, height: 1800 });
  await page.selectOption('#product', 'langflow');
  await page.waitForFunction(() => document.body.dataset.rendered === 'langflow');
  const points = await chartPoints(page);
  assert.ok(points['chart-outcomes'] > 0, JSON.stringify(points));
  assert.ok(points['chart-events'] > 0);
  await page.screenshot({ path: join(shots, 'dashboard-langflow.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the dashboard is readable on a phone', async () => {
  const { page, errors } = await openDashboard({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: join(shots, 'dashboard-phone.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
