// public.js: the optional public page (/public/, off unless PUBLIC_STATS names dimensions): a
// transparency page like Go telemetry's, showing per finished week, for each product, how many
// installs (events, for products without install ids) each value of the chosen dimensions had,
// folded exactly as the stats API folds (fold.js), without CI for products that declare a ci column
// (cells.js; there is no switch: the page is the same for everyone). No token; the answer is
// cached for an hour.

import { Cells, CI_NOT_DECLARED } from './cells.js';
import { dayOf, dayString } from './days.js';
import { productStats } from './fields.js';
import { HttpError, jsonBody } from './http.js';
import { decide, hasInstallIds, label, OTHER, weekOf } from './fold.js';

const WEEKS = 12;
const MAX_AGE_SECONDS = 3600;

function disabled() {
  return new HttpError(404, 'not_found', 'the public page is off: its maintainer has not set PUBLIC_STATS');
}

// publicPage() serves the page's static files (assets/public/, through `pageFile`) when it is on.
export async function publicPage(request, env, settings, pageFile) {
  if (settings.publicStats.length === 0) throw disabled();
  if (!env.ASSETS) throw new HttpError(404, 'not_found', "the public page is served as static assets: wrangler.toml needs the [assets] table of phonehome's template");
  return pageFile(env, request);
}

// publicStats() answers GET /v1/public/stats?product=: the last WEEKS finished weeks. Anyone may ask,
// so answers are kept in the Cache API for MAX_AGE_SECONDS, one per product whatever else the query
// holds: D1 is read at most once an hour per product and data centre.
export async function publicStats(request, env, settings, catalogue, stores, ctx) {
  if (settings.publicStats.length === 0) throw disabled();
  if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'this route accepts GET', { allow: 'GET, HEAD' });
  const url = new URL(request.url);
  const name = url.searchParams.get('product') ?? catalogue.products[0]?.product;
  const product = catalogue.products.find((p) => p.product === name);
  if (!product) throw new HttpError(400, 'invalid_stats_request', `product must be one of: ${catalogue.products.map((p) => p.product).join(', ')}`);
  const cache = globalThis.caches?.default;
  const key = new Request(new URL(`/v1/public/stats?product=${encodeURIComponent(product.product)}`, request.url).toString());
  const hit = await cache?.match(key);
  if (hit) return hit;
  // Top fields (free-form identifiers) are never published, only the catalogue's dimensions.
  const available = productStats(catalogue, product).dimensions.filter((d) => !d.top).map((d) => d.name);
  const dimensions = settings.publicStats.filter((d) => available.includes(d));
  const measure = hasInstallIds(product) ? 'installs' : 'events';
  const lastWeek = weekOf(dayOf(Date.now())) - 7;
  const from = lastWeek - 7 * (WEEKS - 1);
  const to = lastWeek + 6;
  // Finished days only: the answer does not change within the hour it is cached.
  const cells = new Cells({ db: env.DB, catalogue, stores: stores.stores, settings, now: Date.now() });
  const answer = {
    product: product.product, title: product.title, from: dayString(from), to: dayString(to),
    folding: { measure, min_group_size: settings.minGroupSize, unit: 'week' }, ci: cells.ciOf(product.product),
    dimensions: [],
  };
  for (const dimension of dimensions) {
    const span = { product: product.product, dimension, from, to: Math.min(to, cells.today - 1) };
    const rows = await cells.read({ ...span, event: '*' });
    // Without a ci column the decision reads the very rows shown: not twice.
    const decisionRows = cells.ciOf(product.product) === CI_NOT_DECLARED ? rows : await cells.decisionCells(span);
    const keep = decide(decisionRows, { measure, minimum: settings.minGroupSize });
    // Per day and shown value first ("other" sums its values), then per week: the peak of daily
    // installs (a lower bound of the week's distinct installs), or the sum of events.
    const daily = new Map();
    for (const r of rows) {
      const value = keep(r.day, r.value) ? label(r.value) : OTHER;
      const key = `${r.day}\u0000${value}`;
      const d = daily.get(key) ?? { day: r.day, value, count: 0 };
      d.count += measure === 'installs' ? r.installs : r.events;
      daily.set(key, d);
    }
    const weeks = new Map();
    for (const { day, value, count } of daily.values()) {
      const week = weekOf(day);
      if (!weeks.has(week)) weeks.set(week, new Map());
      const values = weeks.get(week);
      values.set(value, measure === 'installs' ? Math.max(values.get(value) ?? 0, count) : (values.get(value) ?? 0) + count);
    }
    answer.dimensions.push({
      dimension,
      weeks: [...weeks].sort((a, b) => a[0] - b[0]).map(([week, values]) => ({
        week: dayString(week),
        values: [...values].sort((a, b) => (a[0] === OTHER) - (b[0] === OTHER) || b[1] - a[1])
          .map(([value, count]) => ({ value, [measure === 'installs' ? 'installs_peak' : 'events']: count })),
      })),
    });
  }
  const response = jsonBody(JSON.stringify(answer), 200, { 'cache-control': `public, max-age=${MAX_AGE_SECONDS}` });
  if (cache) ctx?.waitUntil(cache.put(key, response.clone()));
  return response;
}
