// validator.mjs: `import { createValidator } from 'phonehome/check'`. Runs request bodies through
// the exact core the Worker runs (dist/phonehome.wasm, loaded with the same catalogue text) and
// answers what the Worker would: each event's verdict and the row it would store. Nothing is
// stored, and nothing leaves the process. docs/CHECK.md.
import { config } from '../worker/config.js';
import { CatalogueError, CoreTrap, createCore, importsFor } from '../worker/core.js';
import { CatalogueProblems, readCatalogue } from './compiled.mjs';
import { coreModule } from './core.mjs';

export { CatalogueError, CatalogueProblems };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// startCore() instantiates the core and loads the catalogue into it, synchronously, so that a
// core thrown away after a trap is replaced within the next check(). A refused catalogue is a
// CatalogueError with the core's message, which names the place (products[1] (axon).events[0]…).
export function startCore(module, catalogueText) {
  const core = createCore(new WebAssembly.Instance(module, importsFor(module)));
  const refused = core.loadCatalogue(catalogueText);
  if (refused !== null) throw new CatalogueError(refused);
  return core;
}

function bytesOf(body) {
  if (typeof body === 'string') return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  const text = JSON.stringify(body);
  if (text === undefined) throw new TypeError('body must be a string, a Uint8Array, or a JSON value');
  return encoder.encode(text);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function parsed(bytes) {
  try {
    return { value: JSON.parse(decoder.decode(bytes)) };
  } catch {
    return null;
  }
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const nameOf = (value, key) => (isObject(value) && typeof value[key] === 'string' ? value[key] : null);

// route() is the request the Worker would get: with a product (and event) a POST to
// /v1/{product}/{event}; without, a batch envelope: a body that is one already is sent as it is,
// a single event or an array of events is wrapped into one, byte for byte. Anything else goes to
// the core as it is, which answers what it would answer /v1/batch (malformed_json, …).
// `labels` name each event's product and event, for reports.
function route(bytes, product, event, products) {
  const json = parsed(bytes);
  if (product) {
    if (!event) {
      const declared = products.get(product);
      if (declared && !declared.default_event) throw new TypeError(`${product} declares no default event: name the event too`);
      event = declared?.default_event ?? '';
    }
    const count = Array.isArray(json?.value) ? json.value.length : 1;
    return { product, event, body: bytes, labels: Array.from({ length: count }, () => ({ product, event })) };
  }
  if (event) throw new TypeError('an event was named without its product');
  const value = json?.value;
  const labelsOf = (events) => events.map((e) => ({ product: nameOf(e, 'product'), event: nameOf(e, 'event') }));
  if (isObject(value) && 'events' in value) {
    return { product: '', event: '', body: bytes, labels: Array.isArray(value.events) ? labelsOf(value.events) : [] };
  }
  if (isObject(value)) {
    return { product: '', event: '', body: concat(encoder.encode('{"events":['), bytes, encoder.encode(']}')), labels: labelsOf([value]) };
  }
  if (Array.isArray(value)) {
    return { product: '', event: '', body: concat(encoder.encode('{"events":'), bytes, encoder.encode('}')), labels: labelsOf(value) };
  }
  return { product: '', event: '', body: bytes, labels: [] };
}

// createValidator({ catalogue, maxBodyBytes }): `catalogue` is a source folder, a compiled
// catalogue file, or the compiled document; `maxBodyBytes` the Worker's MAX_BODY_BYTES (default
// that of worker/config.js). Throws CatalogueProblems (its `problems` name the file and the field)
// or CatalogueError (the core refused the compiled catalogue; the message names the place).
export async function createValidator({ catalogue = 'catalogue', maxBodyBytes = config({}).maxBodyBytes } = {}) {
  const compiled = readCatalogue(catalogue);
  const { module, sha256: moduleSha256 } = coreModule();
  let core = startCore(module, compiled.text);
  const products = new Map(compiled.doc.products.map((p) => [p?.product, p]));

  // check() answers one request body as the Worker would. `product` (and `event`, else the
  // product's default_event) posts it to /v1/{product}/{event}; without them it is a batch.
  // `sentAt` is the X-Sent-At header; `receivedAt` the server's clock (ms).
  function check(body, { product = '', event = '', sentAt = '', receivedAt = Date.now() } = {}) {
    const bytes = bytesOf(body);
    // The Worker refuses a body past MAX_BODY_BYTES before the core sees it.
    if (bytes.length > maxBodyBytes) {
      return {
        outcome: 'body_too_large', httpStatus: 413, events: [],
        error: { code: 'body_too_large', message: `the body is larger than ${maxBodyBytes} bytes once decompressed` },
      };
    }
    const request = route(bytes, product, event, products);
    core ??= startCore(module, compiled.text);
    let result;
    let httpStatus;
    try {
      httpStatus = core.httpStatus;
      result = core.ingest({ product: request.product, event: request.event, body: request.body, receivedAt, sentAt });
    } catch (error) {
      // A trapped core's memory may be inconsistent: the next check gets a fresh one.
      if (error instanceof CoreTrap || error instanceof WebAssembly.RuntimeError) core = null;
      throw error;
    }
    const answer = JSON.parse(decoder.decode(result.response));
    const rows = result.chunks.flatMap((chunk) => JSON.parse(chunk.rowsJson));
    let accepted = 0;
    const events = (answer.results ?? []).map((verdict) => {
      const label = request.labels[verdict.index] ?? { product: null, event: null };
      const out = { index: verdict.index, status: verdict.status, product: label.product, event: label.event };
      if (verdict.code !== undefined) Object.assign(out, { code: verdict.code, field: verdict.path ?? null, message: verdict.message });
      if (verdict.dropped) out.dropped = verdict.dropped;
      if (verdict.unknown_values) out.unknown_values = verdict.unknown_values;
      // The core writes the rows of accepted events in request order.
      if (verdict.status === 'accepted') out.row = rows[accepted++];
      return out;
    });
    const report = { outcome: result.outcome, httpStatus: httpStatus[result.outcome] ?? 500, events };
    // A request refused whole (malformed_json, unknown_product, …) has no verdicts: the reason.
    if (!answer.results && answer.error) report.error = { code: answer.error.code, message: answer.error.message };
    return report;
  }

  return {
    check,
    catalogue: compiled.doc,
    catalogueSha256: compiled.sha256,
    moduleSha256,
    limits: { max_body_bytes: maxBodyBytes, ...core.limits },
  };
}
