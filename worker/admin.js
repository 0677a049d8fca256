// admin.js: the maintainers' API for the version check (docs/PROTOCOL.md, "Admin API"), behind the
// STATS_TOKEN bearer token: a product's release, advisories and remote SDK settings. Every change
// is appended to admin_changes with its time and the change itself, and never who made it or from
// where: no address, no token.
//
//   GET    /v1/admin/{product}                  release, advisories (withdrawn too), settings, last 50 changes
//   PUT    /v1/admin/{product}/release          {"latest", "download_url"?, "changelog_url"?}
//   PUT    /v1/admin/{product}/advisories/{id}  {"range", "level", "message", "url"?}
//   DELETE /v1/admin/{product}/advisories/{id}  withdraws it (kept, marked)
//   PUT    /v1/admin/{product}/settings         {"enabled"?, "sample_rate"?, "min_version"?, "events"?: {"e": {…}}}

import { requireToken } from './auth.js';
import { readBody } from './body.js';
import { HttpError, jsonBody, methodNotAllowed, notFound, shown } from './http.js';
import { formatVersion, parseRange, parseVersion } from './semver.js';
import { effectiveSettings, forgetSettingsRows, overlay, PRODUCT_WIDE, SETTING_KEYS } from './settings-overlay.js';

export const MAX_ADMIN_BODY_BYTES = 64 * 1024;
export const ADVISORY_LEVELS = ['info', 'warning', 'critical'];
export const MAX_MESSAGE_LENGTH = 1000;
export const MAX_URL_LENGTH = 2048;
export const CHANGES_SHOWN = 50;
// An advisory id: GHSA-xxxx-xxxx-xxxx, CVE-2026-1234, or a name of the maintainer's.
const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function invalid(message) {
  return new HttpError(400, 'invalid_admin_request', message);
}

// readJsonObject() is the request's body as a JSON object, or a 400 saying why not.
async function readJsonObject(request) {
  const bytes = await readBody(request, MAX_ADMIN_BODY_BYTES);
  let value;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid('the body is not JSON in UTF-8');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('the body must be a JSON object');
  return value;
}

// onlyKeys() refuses a key outside `allowed`, naming it.
function onlyKeys(object, allowed, where) {
  const unknown = Object.keys(object).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw invalid(`${where}${shown(unknown)} is not a key here: the keys are ${allowed.join(', ')}`);
}

// readSemver() is a version field in its written form (without `v`), or a 400 naming the field.
function readSemver(value, field) {
  if (typeof value !== 'string') throw invalid(`${field} must be a version string (semver, for example 1.4.0)`);
  const { version, problem } = parseVersion(value);
  if (problem) throw invalid(`${field} ${shown(value)} ${problem}`);
  return formatVersion(version);
}

// readUrl() is an optional link: absent or null is null; else an absolute https (or http) URL.
function readUrl(value, field) {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) throw invalid(`${field} must be a URL of at most ${MAX_URL_LENGTH} characters, or null`);
  let url;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${field} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${field} must be an https URL`);
  if (url.username || url.password) throw invalid(`${field} must not carry credentials`);
  return url.href;
}

function readRelease(body) {
  onlyKeys(body, ['latest', 'download_url', 'changelog_url'], '');
  return {
    latest: readSemver(body.latest, 'latest'),
    download_url: readUrl(body.download_url, 'download_url'),
    changelog_url: readUrl(body.changelog_url, 'changelog_url'),
  };
}

function readAdvisory(body) {
  onlyKeys(body, ['range', 'level', 'message', 'url'], '');
  if (typeof body.range !== 'string') throw invalid('range must be a semver range string (for example <1.4.0 or >=1.0.0 <1.2.3)');
  const { problem } = parseRange(body.range);
  if (problem) throw invalid(`range ${shown(body.range)} ${problem}`);
  if (!ADVISORY_LEVELS.includes(body.level)) throw invalid(`level must be one of: ${ADVISORY_LEVELS.join(', ')}`);
  // eslint-disable-next-line no-control-regex
  if (typeof body.message !== 'string' || body.message.trim() === '' || body.message.length > MAX_MESSAGE_LENGTH || /[\u0000-\u001f\u007f]/.test(body.message)) {
    throw invalid(`message must be text of 1 to ${MAX_MESSAGE_LENGTH} characters on one line`);
  }
  return { range: body.range.trim(), level: body.level, message: body.message, url: readUrl(body.url, 'url') };
}

// readSettingValues() checks one level of settings: each key absent (unchanged), null (cleared:
// the catalogue's value applies) or a value.
function readSettingValues(object, where) {
  const values = {};
  if (object.enabled !== undefined) {
    if (object.enabled !== null && typeof object.enabled !== 'boolean') throw invalid(`${where}enabled must be true, false or null`);
    values.enabled = object.enabled;
  }
  if (object.sample_rate !== undefined) {
    const rate = object.sample_rate;
    // At least one in a thousand, as the catalogue's: a kept event counts 1/rate times.
    if (rate !== null && (typeof rate !== 'number' || !(rate >= 0.001 && rate <= 1))) throw invalid(`${where}sample_rate must be a number from 0.001 to 1, or null`);
    values.sample_rate = rate;
  }
  if (object.min_version !== undefined) values.min_version = object.min_version === null ? null : readSemver(object.min_version, `${where}min_version`);
  return values;
}

// readSettings() is the change a settings PUT asks for: { [event or '*']: values }.
function readSettings(body, declared) {
  onlyKeys(body, [...SETTING_KEYS, 'events'], '');
  const change = {};
  const own = readSettingValues(body, '');
  if (Object.keys(own).length) change[PRODUCT_WIDE] = own;
  if (body.events !== undefined) {
    if (body.events === null || typeof body.events !== 'object' || Array.isArray(body.events)) throw invalid('events must be an object: event name → settings');
    for (const [name, values] of Object.entries(body.events)) {
      if (!declared.events.some((e) => e.name === name)) {
        throw invalid(`events.${shown(name)} is not an event of ${declared.product}: the events are ${declared.events.map((e) => e.name).join(', ')}`);
      }
      if (values === null || typeof values !== 'object' || Array.isArray(values)) throw invalid(`events.${name} must be an object of settings`);
      onlyKeys(values, SETTING_KEYS, `events.${name}.`);
      const read = readSettingValues(values, `events.${name}.`);
      if (Object.keys(read).length) change[name] = read;
    }
  }
  if (Object.keys(change).length === 0) throw invalid(`nothing to change: give at least one of ${SETTING_KEYS.join(', ')}, at the top or under events`);
  return change;
}

const LOG_CHANGE = 'INSERT INTO admin_changes (at, product, kind, change) VALUES (?1, ?2, ?3, ?4)';

async function productState(db, declared) {
  const product = declared.product;
  const [release, advisories, settings, changes] = await db.batch([
    db.prepare('SELECT latest, download_url, changelog_url, updated_at FROM releases WHERE product = ?1').bind(product),
    db.prepare('SELECT id, range, level, message, url, created_at, withdrawn_at FROM advisories WHERE product = ?1 ORDER BY created_at, id').bind(product),
    db.prepare('SELECT product, event, enabled, sample_rate, min_version, updated_at FROM remote_settings WHERE product = ?1 ORDER BY event').bind(product),
    db.prepare(`SELECT at, kind, change FROM admin_changes WHERE product = ?1 ORDER BY at DESC, rowid DESC LIMIT ${CHANGES_SHOWN}`).bind(product),
  ]);
  const iso = (ms) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  const rows = settings.results;
  const stored = (row) => ({ enabled: row.enabled === null ? null : Boolean(row.enabled), sample_rate: row.sample_rate, min_version: row.min_version, updated_at: iso(row.updated_at) });
  const merged = overlay({ products: [declared] }, rows).products[0];
  const r = release.results[0];
  return {
    product,
    release: r ? { ...r, updated_at: iso(r.updated_at) } : null,
    advisories: advisories.results.map((a) => ({ ...a, created_at: iso(a.created_at), withdrawn_at: iso(a.withdrawn_at) })),
    settings: {
      // What the API set (null: the catalogue's value applies), and what SDKs are told.
      product: rows.find((row) => row.event === PRODUCT_WIDE) ? stored(rows.find((row) => row.event === PRODUCT_WIDE)) : null,
      events: Object.fromEntries(rows.filter((row) => row.event !== PRODUCT_WIDE).map((row) => [row.event, stored(row)])),
      effective: effectiveSettings(merged),
    },
    changes: changes.results.map((c) => ({ at: iso(c.at), kind: c.kind, change: JSON.parse(c.change) })),
  };
}

async function putRelease(db, declared, body) {
  const release = readRelease(body);
  const now = Date.now();
  await db.batch([
    db.prepare(`INSERT INTO releases (product, latest, download_url, changelog_url, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
      ON CONFLICT (product) DO UPDATE SET latest = excluded.latest, download_url = excluded.download_url,
        changelog_url = excluded.changelog_url, updated_at = excluded.updated_at`)
      .bind(declared.product, release.latest, release.download_url, release.changelog_url, now),
    db.prepare(LOG_CHANGE).bind(now, declared.product, 'release', JSON.stringify(release)),
  ]);
  return { release };
}

// putAdvisory() adds or replaces an advisory; one withdrawn before is in force again.
async function putAdvisory(db, declared, id, body) {
  const advisory = readAdvisory(body);
  const now = Date.now();
  await db.batch([
    db.prepare(`INSERT INTO advisories (product, id, range, level, message, url, created_at, withdrawn_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)
      ON CONFLICT (product, id) DO UPDATE SET range = excluded.range, level = excluded.level, message = excluded.message,
        url = excluded.url, withdrawn_at = NULL`)
      .bind(declared.product, id, advisory.range, advisory.level, advisory.message, advisory.url, now),
    db.prepare(LOG_CHANGE).bind(now, declared.product, 'advisory', JSON.stringify({ id, ...advisory })),
  ]);
  return { advisory: { id, ...advisory } };
}

async function withdrawAdvisory(db, declared, id) {
  const now = Date.now();
  const [found] = await db.batch([
    db.prepare('SELECT withdrawn_at FROM advisories WHERE product = ?1 AND id = ?2').bind(declared.product, id),
  ]);
  if (found.results.length === 0) throw new HttpError(404, 'unknown_advisory', `${declared.product} has no advisory ${shown(id)}`);
  if (found.results[0].withdrawn_at !== null) return { withdrawn: id, withdrawn_at: new Date(found.results[0].withdrawn_at).toISOString() };
  await db.batch([
    db.prepare('UPDATE advisories SET withdrawn_at = ?3 WHERE product = ?1 AND id = ?2 AND withdrawn_at IS NULL').bind(declared.product, id, now),
    db.prepare(LOG_CHANGE).bind(now, declared.product, 'advisory_withdrawn', JSON.stringify({ id })),
  ]);
  return { withdrawn: id, withdrawn_at: new Date(now).toISOString() };
}

// A settings row takes the values named (?4, ?6, ?8 say which; null clears one) and keeps the
// others, in one statement, so two changes at once cannot undo each other; a row left with no
// value is then deleted.
const SET_SETTINGS = `INSERT INTO remote_settings (product, event, enabled, sample_rate, min_version, updated_at)
  VALUES (?1, ?2, ?3, ?5, ?7, ?9)
  ON CONFLICT (product, event) DO UPDATE SET
    enabled = CASE WHEN ?4 THEN excluded.enabled ELSE enabled END,
    sample_rate = CASE WHEN ?6 THEN excluded.sample_rate ELSE sample_rate END,
    min_version = CASE WHEN ?8 THEN excluded.min_version ELSE min_version END,
    updated_at = excluded.updated_at`;
const DROP_EMPTY_SETTINGS = `DELETE FROM remote_settings WHERE product = ?1 AND event = ?2
  AND enabled IS NULL AND sample_rate IS NULL AND min_version IS NULL`;

// rowsAfter() is every remote_settings row as `change` would leave them (SET_SETTINGS and
// DROP_EMPTY_SETTINGS, in JavaScript): what the core is asked to load before anything is written.
function rowsAfter(rows, product, change) {
  const next = rows.map((row) => ({ ...row }));
  for (const [event, values] of Object.entries(change)) {
    let row = next.find((r) => r.product === product && r.event === event);
    if (!row) next.push(row = { product, event, enabled: null, sample_rate: null, min_version: null });
    for (const key of SETTING_KEYS) {
      if (values[key] !== undefined) row[key] = key === 'enabled' && values[key] !== null ? Number(values[key]) : values[key];
    }
  }
  return next.filter((r) => SETTING_KEYS.some((key) => r[key] !== null && r[key] !== undefined));
}

// putSettings() applies a settings change, and logs it, in one transaction. A core of its own
// loads the catalogue the change would make first: the core refuses some versions semver accepts
// (one that reads as an address or a phone number), and a setting it refuses is a 400 here, never
// a catalogue every request would then be refused with.
async function putSettings(db, declared, body, catalogue, checkCatalogue) {
  const change = readSettings(body, declared);
  const rows = (await db.prepare('SELECT product, event, enabled, sample_rate, min_version FROM remote_settings').all()).results;
  const problem = await checkCatalogue(JSON.stringify(overlay(catalogue, rowsAfter(rows, declared.product, change))));
  if (problem !== null) throw invalid(`the core refuses these settings: ${problem}`);
  const now = Date.now();
  const statements = [];
  for (const [event, values] of Object.entries(change)) {
    const named = (key) => (values[key] !== undefined ? 1 : 0);
    const enabled = values.enabled === undefined || values.enabled === null ? null : Number(values.enabled);
    statements.push(db.prepare(SET_SETTINGS).bind(declared.product, event, enabled, named('enabled'), values.sample_rate ?? null,
      named('sample_rate'), values.min_version ?? null, named('min_version'), now));
    statements.push(db.prepare(DROP_EMPTY_SETTINGS).bind(declared.product, event));
  }
  const logged = { ...change[PRODUCT_WIDE] };
  const events = Object.fromEntries(Object.entries(change).filter(([event]) => event !== PRODUCT_WIDE));
  if (Object.keys(events).length) logged.events = events;
  statements.push(db.prepare(LOG_CHANGE).bind(now, declared.product, 'settings', JSON.stringify(logged)));
  await db.batch(statements);
  // This isolate serves the change at once; the others within SETTINGS_CACHE_MS.
  forgetSettingsRows();
  return { settings: logged };
}

// segmentOf() decodes one path segment; a malformed escape is a 400 like the ingest routes'.
function segmentOf(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'malformed_path', 'the path has a malformed percent-escape');
  }
}

// handleAdmin() answers /v1/admin/…; `catalogue` is the compiled one (products and events).
// `checkCatalogue(text)` loads a catalogue into a core of its own: null, or the core's message.
export async function handleAdmin(request, env, catalogue, pathname, checkCatalogue) {
  await requireToken(request, env);
  const parts = pathname.split('/').slice(3).map(segmentOf); // after '', 'v1', 'admin'
  if (parts.length === 0 || parts[0] === '' || parts.length > 3) return notFound();
  const declared = catalogue.products.find((p) => p.product === parts[0]);
  if (!declared) throw new HttpError(404, 'unknown_product', `unknown product ${shown(parts[0])}: the products are ${catalogue.products.map((p) => p.product).join(', ')}`);
  const db = env.DB;
  const method = request.method;
  const answer = (value) => jsonBody(JSON.stringify(value), 200, { 'cache-control': 'no-store' });
  if (parts.length === 1) {
    if (method !== 'GET') return methodNotAllowed(['GET']);
    return answer(await productState(db, declared));
  }
  if (parts.length === 2 && parts[1] === 'release') {
    if (method !== 'PUT') return methodNotAllowed(['PUT']);
    return answer(await putRelease(db, declared, await readJsonObject(request)));
  }
  if (parts.length === 2 && parts[1] === 'settings') {
    if (method !== 'PUT') return methodNotAllowed(['PUT']);
    return answer(await putSettings(db, declared, await readJsonObject(request), catalogue, checkCatalogue));
  }
  if (parts.length === 3 && parts[1] === 'advisories') {
    const id = parts[2];
    if (method !== 'PUT' && method !== 'DELETE') return methodNotAllowed(['PUT', 'DELETE']);
    if (!ADVISORY_ID.test(id)) throw invalid(`advisory id ${shown(id)} must be 1 to 64 of [A-Za-z0-9._-], starting with a letter or digit`);
    if (method === 'DELETE') return answer(await withdrawAdvisory(db, declared, id));
    return answer(await putAdvisory(db, declared, id, await readJsonObject(request)));
  }
  return notFound();
}
