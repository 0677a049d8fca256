// posthog.js: the PostHog capture API (POST /batch/, /capture/, /e/ and /i/v0/e/, alone or under
// /v1/{product}/), as posthog-python, posthog-go and posthog-node call it. A request becomes the
// native batch envelope of POST /v1/batch: each captured event named by the product's catalogue
// mapping (`posthog` in catalogue/README.md), distinct_id put in its declared field, the library's
// `$` properties dropped. The core then validates, scrubs, counts and stores it like any other.

import { HttpError } from './http.js';

// The trailing slash is how every posthog client writes these paths; it also keeps them apart from
// an event of the same name (/v1/{product}/{event} never ends in /). Kelos writes //batch/ when its
// endpoint ends in /.
const ROOT_CAPTURE = /^\/+(?:batch|capture|e|i\/v0\/e)\/?$/;
const PRODUCT_CAPTURE = /^\/v1\/([^/]{1,64})\/+(?:batch|capture|e|i\/v0\/e)\/$/;

// captureRoute() is { product } (a path segment, still encoded, or '') for a capture path, else null.
export function captureRoute(pathname) {
  if (ROOT_CAPTURE.test(pathname)) return { product: '' };
  const match = PRODUCT_CAPTURE.exec(pathname);
  return match ? { product: match[1] } : null;
}

// withoutNonFinite() replaces the bare NaN, Infinity and -Infinity that Python's json.dumps writes
// for a NaN or infinite loss (allow_nan defaults to true) with null, outside strings only: the value
// is then absent, and the rest of the batch is read.
function withoutNonFinite(text) {
  if (!/NaN|Infinity/.test(text)) return text;
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') { out += c + (text[i + 1] ?? ''); i++; continue; }
      if (c === '"') inString = false;
      out += c;
      continue;
    }
    if (c === '"') { inString = true; out += c; continue; }
    const word = /^(?:-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (word) { out += 'null'; i += word[0].length - 1; continue; }
    out += c;
  }
  return out;
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

// messagesOf() is the captured events of a body: {batch: [...]}, one event, or an array of them.
function messagesOf(body) {
  if (Array.isArray(body)) return body;
  if (isObject(body) && Array.isArray(body.batch)) return body.batch;
  if (isObject(body) && typeof body.event === 'string') return [body];
  throw new HttpError(400, 'wrong_body_type', 'a PostHog capture body is {"api_key": …, "batch": [events]}, one event, or an array of events');
}

// productOf() is the catalogue product a capture request belongs to: named by its path, or by its
// project key.
function productOf(catalogue, pathProduct, apiKey) {
  if (pathProduct) {
    const named = catalogue.products.find((p) => p.product === pathProduct);
    if (!named) throw new HttpError(404, 'unknown_product', 'the catalogue declares no product of that name');
    if (!named.posthog) throw new HttpError(404, 'no_posthog_mapping', `${pathProduct} declares no PostHog events: send to /v1/${pathProduct}/{event}`);
    return named;
  }
  const keyed = typeof apiKey === 'string' ? catalogue.products.find((p) => p.posthog?.api_keys.includes(apiKey)) : undefined;
  if (!keyed) {
    throw new HttpError(400, 'unknown_api_key',
      'no product of this collector declares this PostHog project key: send to /v1/{product}/batch/, or declare the key in the catalogue');
  }
  return keyed;
}

// mappingOf() is the catalogue mapping of a captured event name: exact names first, then patterns.
function mappingOf(posthog, name) {
  if (typeof name !== 'string') return undefined;
  return posthog.events.find((m) => m.captured === name) ??
    posthog.events.find((m) => m.captured.startsWith('*') && name.length > m.captured.length - 1 && name.endsWith(m.captured.slice(1)));
}

// pathOf() is the field path a flat property fills (the catalogue's posthog.paths), as segments:
// exact names first, then "prefix_*" patterns, whose rest of the name is a map key.
function pathOf(paths, key) {
  if (!paths) return undefined;
  if (Object.hasOwn(paths, key) && !key.endsWith('*')) return paths[key].split('.');
  for (const [flat, path] of Object.entries(paths)) {
    if (flat.endsWith('*') && key.length > flat.length - 1 && key.startsWith(flat.slice(0, -1))) {
      return [...path.slice(0, -2).split('.'), key.slice(flat.length - 1)];
    }
  }
  return undefined;
}

// eventText() writes one captured event as a native event, key by key: a property that collides
// with a filled field stays beside it, and the core answers duplicate_key, as it would in JSON.
function eventText(product, message, events) {
  if (!isObject(message)) return JSON.stringify(message); // the core names what is wrong with it
  const mapping = mappingOf(product.posthog, message.event);
  // An event the mapping does not know keeps its captured name: the core answers unknown_event.
  const eventName = mapping?.event ?? String(message.event ?? '');
  const event = events.get(eventName);
  const entries = [['product', product.product], ['event', eventName]];
  const properties = isObject(message.properties) ? message.properties : {};
  // properties that are no object are named back as dropped, not ignored.
  if (message.properties !== undefined && message.properties !== null && !isObject(message.properties)) {
    entries.push(['properties', message.properties]);
  }
  const filled = new Set(Object.keys(properties));
  const fill = (field, value) => {
    if (field !== undefined && value !== undefined && value !== null) entries.push([field, value]);
  };
  if (product.posthog.distinct_id) fill(product.posthog.distinct_id, message.distinct_id);
  if (mapping?.name_field && !filled.has(mapping.name_field)) fill(mapping.name_field, message.event);
  const occurredAt = event?.fields.find((f) => f.column === 'occurred_at')?.name;
  if (occurredAt && !filled.has(occurredAt)) fill(occurredAt, message.timestamp);
  const objects = new Map(); // top-level objects the flat properties fill (paths)
  for (const [key, value] of Object.entries(properties)) {
    if (key.startsWith('$')) continue; // $lib, $geoip_disable, $os…: the library's
    const path = pathOf(product.posthog.paths, key);
    if (!path) {
      entries.push([key, value]);
      continue;
    }
    // null is an absent value (Go's nil slice): it must not leave an empty object behind.
    if (value === null) continue;
    const [head, ...rest] = path;
    if (rest.length === 0) {
      entries.push([head, value]);
      continue;
    }
    if (!objects.has(head)) {
      objects.set(head, Object.create(null));
      entries.push([head, objects.get(head)]);
    }
    let object = objects.get(head);
    for (const part of rest.slice(0, -1)) object = typeof object[part] === 'object' && object[part] !== null ? object[part] : (object[part] = Object.create(null));
    object[rest.at(-1)] = value;
  }
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
}

// nativeEnvelope() is the POST /v1/batch body a capture request stands for ({ body }), with its
// product's name and the captured names its mapping does not know ({ product, unmapped }).
export function nativeEnvelope(bytes, catalogue, pathProduct) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  }
  let body;
  try {
    body = JSON.parse(withoutNonFinite(text));
  } catch {
    throw new HttpError(400, 'malformed_json', 'the body is not JSON');
  }
  const messages = messagesOf(body);
  const first = messages[0];
  const apiKey = body.api_key ?? body.token ?? (isObject(first) ? first.api_key ?? first.properties?.token : undefined);
  const product = productOf(catalogue, pathProduct, apiKey);
  // Every event's own key, when it carries one, must be one of the same product's: a batch cannot
  // borrow a product through its first event.
  // (With the product named by its path, an event may repeat the request's own key.)
  const keyOf = (m) => (isObject(m) ? m.api_key ?? (isObject(m.properties) ? m.properties.token : undefined) : undefined);
  const allowed = (key) => product.posthog.api_keys.includes(key) || (pathProduct !== '' && key === apiKey);
  if (messages.some((m) => keyOf(m) !== undefined && !allowed(keyOf(m)))) {
    throw new HttpError(400, 'mixed_api_keys', 'the events of one request carry project keys of different products, or unknown ones: send each product its own request');
  }
  const events = new Map(product.events.map((e) => [e.name, e]));
  const sentAt = isObject(body) ? body.sentAt ?? body.sent_at : undefined;
  const head = typeof sentAt === 'string' ? `{"sent_at":${JSON.stringify(sentAt)},"events":[` : '{"events":[';
  const unmapped = messages.filter((m) => isObject(m) && !mappingOf(product.posthog, m.event)).map((m) => m.event);
  const native = new TextEncoder().encode(`${head}${messages.map((m) => eventText(product, m, events)).join(',')}]}`);
  return { body: native, product: product.product, unmapped };
}

// captureAnswer() is what posthog clients count as success (exactly 200 for posthog-python; none
// reads the body) for a request phonehome read, whatever it kept: the verdicts ride along for a
// person reading the answer, and what was rejected is counted in /v1/stats/rejections.
export async function captureAnswer(response) {
  if (response.status !== 200 && response.status !== 400) return response;
  const body = await response.json();
  if (response.status === 400 && body.error?.code !== 'all_rejected') return Response.json(body, { status: 400 });
  return Response.json({ status: 1, results: body.results ?? [] }, { status: 200 });
}
