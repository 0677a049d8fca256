// stores.js: which D1 database holds which raw events. One database (binding DB) is the default
// and always holds the rollups, counters and budgets. EVENT_ROUTES in wrangler.toml can send raw
// events to further D1 bindings, per product or per month of occurred_at, so storage grows past
// one database's 10 GB (docs/SCALING.md):
//
//   EVENT_ROUTES = "product=axon -> EVENTS_AXON; month>=2027-01 -> EVENTS_2027"
//
// Rules are tried in order and the first match wins; an event no rule matches goes to DB. A rule's
// condition is "*", or one or more of product=a|b, month>=YYYY-MM and month<YYYY-MM joined by "&".
// Because a rule looks only at the product and the month, every (product, day) lives in exactly
// one database, so a day's rollup read from it is exact.

import { coreDescription } from './core.js';
import { HttpError } from './http.js';

export const MAIN_BINDING = 'DB';

// rowChunkBytes() is the largest JSON array a regrouped chunk or a queue message carries: the size
// of the core's own row chunks (kMaxRowChunkBytes in wasm/include/phonehome/core.h, read from the
// core's description), under a queue message's 128 KB.
export function rowChunkBytes() {
  return coreDescription().max_row_chunk_bytes;
}

export class RoutesError extends Error {}

function monthStart(text, rule) {
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) throw new RoutesError(`EVENT_ROUTES: "${rule}": a month is written YYYY-MM`);
  return Date.UTC(Number(match[1]), month - 1, 1);
}

function parseCondition(text, rule) {
  const condition = { products: null, from: -Infinity, before: Infinity };
  if (text === '*') return condition;
  for (const term of text.split('&').map((t) => t.trim())) {
    let match;
    if ((match = /^product\s*=\s*([a-z0-9_.|-]+)$/.exec(term))) {
      condition.products = new Set(match[1].split('|').filter(Boolean));
    } else if ((match = /^month\s*>=\s*(\S+)$/.exec(term))) {
      condition.from = monthStart(match[1], rule);
    } else if ((match = /^month\s*<\s*(\S+)$/.exec(term))) {
      condition.before = monthStart(match[1], rule);
    } else {
      throw new RoutesError(`EVENT_ROUTES: "${rule}": a condition is *, product=a|b, month>=YYYY-MM or month<YYYY-MM`);
    }
  }
  return condition;
}

// parseRoutes() reads EVENT_ROUTES; it throws RoutesError naming the rule it cannot read.
export function parseRoutes(text = '') {
  const routes = [];
  for (const rule of text.split(';').map((r) => r.trim()).filter(Boolean)) {
    const match = /^(.+?)\s*->\s*([A-Za-z_][A-Za-z0-9_]*)$/.exec(rule);
    if (!match) throw new RoutesError(`EVENT_ROUTES: "${rule}": write <condition> -> <D1 binding>`);
    routes.push({ ...parseCondition(match[1].trim(), rule), binding: match[2] });
  }
  return routes;
}

const parsed = new Map();
function routesOf(text) {
  if (!parsed.has(text)) parsed.set(text, parseRoutes(text));
  return parsed.get(text);
}

// routeOf() names the binding that stores a row.
export function routeOf(routes, product, occurredAt) {
  for (const r of routes) {
    if ((r.products === null || r.products.has(product)) && occurredAt >= r.from && occurredAt < r.before) return r.binding;
  }
  return MAIN_BINDING;
}

// eventStores() is the list of databases holding raw events ({ binding, db }, DB first) and the
// routes that choose between them. A route naming a binding the Worker lacks is a deployment
// error, answered 500 with the reason in the log.
export function eventStores(env, settings) {
  let routes;
  try {
    routes = routesOf(settings.eventRoutes);
  } catch (error) {
    console.error(`phonehome: ${error.message}`);
    throw new HttpError(500, 'misconfigured', 'the collector is misconfigured: its operator has been told in the log');
  }
  const bindings = [MAIN_BINDING, ...new Set(routes.map((r) => r.binding).filter((b) => b !== MAIN_BINDING))];
  const missing = bindings.filter((b) => !env[b]);
  if (missing.length) {
    console.error(`phonehome: EVENT_ROUTES names D1 bindings this Worker lacks: ${missing.join(', ')}`);
    throw new HttpError(500, 'misconfigured', 'the collector is misconfigured: its operator has been told in the log');
  }
  return { routes, stores: bindings.map((binding) => ({ binding, db: env[binding] })) };
}

// utf8Length() is the UTF-8 size of a string: chunk limits are in bytes, JavaScript counts UTF-16 units.
export function utf8Length(text) {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { bytes += 2; i++; } // a pair: 4 bytes
    else bytes += 2; // 3 bytes, a lone surrogate too (encoded as U+FFFD)
  }
  return bytes;
}

// packBySize() cuts `items` into consecutive packs whose sizes (sizeOf) add up, with `overhead`,
// to at most `limit`, and that hold at most `maxItems` each. An item larger than the limit gets a
// pack of its own. Row chunks, queue sends and the consumer's transactions are all cut this way.
export function packBySize(items, sizeOf, limit, { overhead = 0, maxItems = Infinity } = {}) {
  const packs = [];
  let pack = [];
  let total = overhead;
  for (const item of items) {
    const size = sizeOf(item);
    if (pack.length && (pack.length === maxItems || total + size > limit)) {
      packs.push(pack);
      pack = [];
      total = overhead;
    }
    pack.push(item);
    total += size;
  }
  if (pack.length) packs.push(pack);
  return packs;
}

// splitByStore() sorts row chunks (from the core: { rowsJson, firstRow }) by the database that
// stores them. Without routes every chunk goes to DB untouched; with routes each row is read and
// the rows of each database are regrouped into chunks that keep each row's request-wide index
// (`rowIndexes`), so duplicate verdicts still find their row.
export function splitByStore(chunks, routes, maxBytes) {
  if (routes.length === 0) return new Map([[MAIN_BINDING, chunks]]);
  maxBytes ??= rowChunkBytes();
  const groups = new Map();
  for (const chunk of chunks) {
    const rows = JSON.parse(chunk.rowsJson);
    rows.forEach((row, i) => {
      const binding = routeOf(routes, row.product, row.occurred_at);
      if (!groups.has(binding)) groups.set(binding, []);
      const json = JSON.stringify(row);
      groups.get(binding).push({ json, bytes: utf8Length(json), index: (chunk.firstRow ?? 0) + i });
    });
  }
  const out = new Map();
  for (const [binding, rows] of groups) {
    // Each row costs its bytes and a comma; the brackets are the overhead.
    out.set(binding, packBySize(rows, (row) => row.bytes + 1, maxBytes, { overhead: 2 })
      .map((pack) => ({ rowsJson: `[${pack.map((row) => row.json).join(',')}]`, rowIndexes: pack.map((row) => row.index) })));
  }
  return out;
}

// mergeChunks() joins row chunks into fewer, larger ones of at most maxBytes (the consumer writes
// a batch of up to 100 messages with a handful of statements, not one per message).
export function mergeChunks(chunks, maxBytes) {
  const filled = chunks.filter((chunk) => chunk.rowsJson.length > 2);
  return packBySize(filled, (chunk) => chunk.bytes ?? utf8Length(chunk.rowsJson), maxBytes, { overhead: 2 })
    .map((pack) => ({ rowsJson: `[${pack.map((chunk) => chunk.rowsJson.slice(1, -1)).join(',')}]` }));
}
