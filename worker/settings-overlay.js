// settings-overlay.js: remote SDK settings (the remote_settings table, set through the admin API)
// merged into the compiled catalogue, which is what the core enforces and the check answers.
// The catalogue files' values are the defaults; the API's values override them.

// The keys a setting row may set, on a product (row event '*') and on an event.
export const SETTING_KEYS = ['enabled', 'sample_rate', 'min_version'];
export const DEFAULT_SETTINGS = { enabled: true, sample_rate: 1, min_version: null };
export const PRODUCT_WIDE = '*';

// How long an isolate keeps its reading of remote_settings: a change reaches every isolate
// within this time (the isolate that made it, at once).
export const SETTINGS_CACHE_MS = 30_000;

// rowValues() is a row's set values as catalogue keys (SQLite keeps booleans as 0 and 1).
function rowValues(row) {
  const values = {};
  if (row.enabled !== null && row.enabled !== undefined) values.enabled = Boolean(row.enabled);
  if (row.sample_rate !== null && row.sample_rate !== undefined) values.sample_rate = row.sample_rate;
  if (row.min_version !== null && row.min_version !== undefined) values.min_version = row.min_version;
  return values;
}

// overlay() is the catalogue with remote_settings `rows` ({ product, event, enabled, sample_rate,
// min_version }, NULL = not set) merged in: a row of event '*' sets the product's keys, another
// the event's. Rows of products or events the catalogue does not declare are ignored. Only the
// products and events a row changes are copied; with no rows the catalogue itself is answered,
// so its text is byte for byte what it was.
export function overlay(catalogue, rows) {
  const byProduct = new Map();
  for (const row of rows) {
    const values = rowValues(row);
    if (Object.keys(values).length === 0) continue;
    if (!byProduct.has(row.product)) byProduct.set(row.product, new Map());
    byProduct.get(row.product).set(row.event, values);
  }
  if (byProduct.size === 0) return catalogue;
  return {
    ...catalogue,
    products: catalogue.products.map((product) => {
      const set = byProduct.get(product.product);
      if (!set) return product;
      return {
        ...product,
        ...set.get(PRODUCT_WIDE),
        events: product.events.map((event) => (set.has(event.name) ? { ...event, ...set.get(event.name) } : event)),
      };
    }),
  };
}

// effectiveSettings() is what a product's SDKs are told (the check answer's `settings`, without
// `supported`): the product's values and, under `events`, each event whose values differ.
export function effectiveSettings(product) {
  const own = Object.fromEntries(SETTING_KEYS.map((key) => [key, product[key] ?? DEFAULT_SETTINGS[key]]));
  const events = {};
  for (const event of product.events) {
    const values = Object.fromEntries(SETTING_KEYS.map((key) => [key, event[key] ?? own[key]]));
    if (SETTING_KEYS.some((key) => values[key] !== own[key])) events[event.name] = values;
  }
  return { ...own, events };
}

// The isolate's reading of remote_settings: rows, and when they were read.
let cached = { rows: [], at: -Infinity };
let pending = null;
let warned = false;

// settingsRows() is every remote_settings row, read at most once per SETTINGS_CACHE_MS per isolate.
// A database that cannot be read (or has no such table yet: migration 0003 not applied) gives the
// rows last read, or none: ingest and the check go on with the catalogue's values.
export async function settingsRows(db, now = Date.now()) {
  if (!db || now - cached.at < SETTINGS_CACHE_MS) return cached.rows;
  pending ??= db.prepare('SELECT product, event, enabled, sample_rate, min_version FROM remote_settings ORDER BY product, event').all()
    .then(({ results }) => {
      cached = { rows: results, at: Date.now() };
    }, (error) => {
      if (!warned) console.error(`phonehome: remote settings could not be read, the catalogue's apply: ${error?.message ?? error}`);
      warned = true;
      cached = { rows: cached.rows, at: Date.now() };
    })
    .finally(() => { pending = null; });
  await pending;
  return cached.rows;
}

// forgetSettingsRows() makes the next settingsRows() read D1: the admin API calls it after a change.
export function forgetSettingsRows() {
  cached = { rows: cached.rows, at: -Infinity };
}
