// browser.mjs: the dashboard tests' browser: headless Chromium (Debian's, driven by playwright-core)
// and openDashboard(), which logs in on a new page and waits for the first drawing, collecting what
// every page must not do: console errors, page errors, requests to another origin.
import { chromium } from 'playwright-core';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchChromium = () => chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });

// openDashboard() opens /dashboard/{query} of `base` with `token`. `problems` lists the console
// errors, page errors and requests to any other origin; `requests` every address asked; `response`
// is the page's own (its headers hold the Content-Security-Policy).
export async function openDashboard(browser, { base, token, width = 1280, height = 900, query = '' }) {
  const page = await browser.newPage({ viewport: { width, height } });
  const problems = [];
  const requests = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()} ${message.location().url ?? ''}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error}`));
  page.on('request', (request) => {
    const url = request.url();
    requests.push(url);
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`request to another origin: ${url}`);
  });
  const response = await page.goto(`${base}/dashboard/${query}`);
  await page.fill('#token', token);
  await page.click('#login-form button');
  await page.waitForSelector('body[data-rendered]', { timeout: 30_000 });
  return { page, problems, requests, response };
}
