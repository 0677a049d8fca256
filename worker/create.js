// create.js: createWorker({ catalogue }), the phonehome Worker for one compiled catalogue. Routes
// requests; everything else lives in its own module. `import { createWorker } from 'phonehome'`.
//
// The shim never reads a client-IP header: no IP address reaches the core, D1 or a log.

import coreModule from '../dist/phonehome.wasm';
import { MODULE_SHA256 } from '../dist/module.js';
import { config } from './config.js';
import { handleAdmin } from './admin.js';
import { handleCheck, withCheck } from './check.js';
import { handleClientReport } from './client-reports.js';
import { CatalogueError, CoreTrap, instantiateCore } from './core.js';
import { preflight, withCors } from './cors.js';
import { disclosurePage, schemaDocument } from './disclosure.js';
import { readBody } from './body.js';
import { handleForget } from './forget.js';
import { errorResponse, HttpError, jsonBody, methodNotAllowed, notFound } from './http.js';
import { handleIngest } from './ingest.js';
import { runMaintenance } from './maintenance.js';
import { captureAnswer, captureRoute, nativeEnvelope } from './posthog.js';
import { queryBody } from './query.js';
import { noteUnmatchedEvents, noteUnmatchedResponse } from './unmatched.js';
import { consumeBatch } from './queue.js';
import { publicPage, publicStats } from './public.js';
import { overlay, settingsRows } from './settings-overlay.js';
import { handleStats } from './stats.js';
import { eventStores } from './stores.js';

// Misconfigured is thrown when the catalogue the Worker was created with cannot be loaded: every
// request is answered 500 misconfigured (nothing is stored) and the reason goes to the log once.
class Misconfigured extends Error {}

// deployment() is what createWorker() holds for one catalogue: the catalogue, the core (one per
// isolate, made on first use; after a trap its memory may be inconsistent, so it is dropped and the
// next request gets a fresh instance), and the two hashes that say which code checks which rules.
function deployment(catalogue, module, moduleSha256) {
  const structural = Array.isArray(catalogue?.products) ? null
    : 'createWorker() needs { catalogue }: the compiled catalogue that `phonehome build` writes (build/catalogue.json)';
  const catalogueText = structural ? '' : JSON.stringify(catalogue);
  let corePromise = null;
  let identityPromise = null;
  let logged = false;
  // Remote settings (settings-overlay.js): the text each core has loaded, and a merged text the
  // core refused (so it is not tried again on every request).
  const loadedText = new WeakMap();
  let refusedText = null;
  const app = {
    catalogue,
    // The catalogue with the remote settings merged in: what the check answers.
    settingsCatalogue: catalogue,
    // getCore(env) also brings the core's catalogue up to date with remote_settings. A merged
    // catalogue the core refuses leaves it on the compiled one (logged once): settings are then
    // served by the check but not enforced, never a reason to refuse events.
    async getCore(env) {
      const core = await app.baseCore();
      if (!env?.DB || structural) return core;
      const merged = overlay(catalogue, await settingsRows(env.DB));
      app.settingsCatalogue = merged;
      const text = merged === catalogue ? catalogueText : JSON.stringify(merged);
      if (text === (loadedText.get(core) ?? catalogueText) || text === refusedText) return core;
      const problem = core.loadCatalogue(text);
      if (problem === null) {
        loadedText.set(core, text);
        return core;
      }
      console.error(`phonehome: the remote settings were refused by the core, the compiled catalogue's apply: ${problem}`);
      refusedText = text;
      if (core.loadCatalogue(catalogueText) !== null) app.dropCore();
      loadedText.set(core, catalogueText);
      return core;
    },
    // checkCatalogue() asks a core of its own whether it loads `text` (an admin API change is
    // checked before it is written): null, or the core's message.
    async checkCatalogue(text) {
      try {
        await instantiateCore(module, text);
        return null;
      } catch (error) {
        if (error instanceof CatalogueError) return error.message;
        throw error;
      }
    },
    baseCore() {
      corePromise ??= structural ? Promise.reject(new CatalogueError(structural)) : instantiateCore(module, catalogueText);
      return corePromise.catch((error) => {
        if (!(error instanceof CatalogueError)) {
          corePromise = null;
          throw error;
        }
        if (!logged) console.error(`phonehome: misconfigured: the catalogue was refused: ${error.message}`);
        logged = true;
        throw new Misconfigured(error.message);
      });
    },
    dropCore() { corePromise = null; },
    // The module's SHA-256 is written beside it at build time (a Worker cannot read a compiled
    // module's bytes); the catalogue's is of the exact text the core loads.
    identity() {
      identityPromise ??= crypto.subtle.digest('SHA-256', new TextEncoder().encode(catalogueText)).then((digest) => ({
        moduleSha256,
        catalogueSha256: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''),
      }));
      return identityPromise;
    },
  };
  return app;
}

const EVENT_PATH = /^\/v1\/([^/]{1,64})\/([^/]{1,64})$/;
// A bare product path means the product's default_event (catalogue/README.md). /v1/schema is a
// page of its own; the catalogue reserves the other route names.
const PRODUCT_PATH = /^\/v1\/([^/]{1,64})$/;

// Routes SDKs call, from servers and from browsers: CORS applies to these alone. Event segments
// stay encoded here; routeIngest() decodes them, so a malformed one is answered with CORS.
function ingestRoute(pathname) {
  if (pathname === '/v1/batch') return { kind: 'batch' };
  if (pathname === '/v1/forget') return { kind: 'forget' };
  const match = EVENT_PATH.exec(pathname);
  if (match) return { kind: 'event', product: match[1], event: match[2] };
  const bare = PRODUCT_PATH.exec(pathname);
  return bare && bare[1] !== 'schema' ? { kind: 'product', product: bare[1] } : null;
}

// defaultEvent() is the event a bare product path means. An unknown product is left to the core,
// which answers unknown_product.
function defaultEvent(app, product) {
  const declared = app.catalogue.products.find((p) => p.product === product);
  if (!declared) return '';
  if (!declared.default_event) {
    throw new HttpError(404, 'no_default_event', `${product} declares no default event: send to /v1/${product}/{event}`);
  }
  return declared.default_event;
}

// decodeSegment() percent-decodes one path segment. A malformed escape is the client's mistake,
// whatever the method: 400, not the URIError that would be a 500 (which SDKs retry).
function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'malformed_path',
      'the path has a malformed percent-escape: each % must start two hex digits, and the bytes they spell must be UTF-8');
  }
}

async function routeIngest(app, request, env, ctx, settings, target) {
  // An empty product tells the core the body is a batch envelope.
  let product = '';
  let event = '';
  if (target.kind === 'event') [product, event] = [decodeSegment(target.product), decodeSegment(target.event)];
  if (target.kind === 'product') product = decodeSegment(target.product);
  if (request.method === 'OPTIONS') return preflight(request, settings);
  const takesQueries = target.kind === 'event' || target.kind === 'product';
  const isQuery = takesQueries && request.method === 'GET';
  if (request.method !== 'POST' && !isQuery) return methodNotAllowed(takesQueries ? ['GET', 'POST', 'OPTIONS'] : ['POST', 'OPTIONS']);
  if (target.kind === 'product') event = defaultEvent(app, product);
  const stores = eventStores(env, settings);
  const core = await app.getCore();
  if (target.kind === 'forget') return handleForget(request, core, stores);
  // A product that declares version_check gets the check's answer in its ingest responses.
  const declared = app.settingsCatalogue.products.find((p) => p.product === product);
  if (!isQuery) return withCheck(await handleIngest(request, env, ctx, core, settings, stores, product, event), request, env, declared);
  const body = queryBody(new URL(request.url));
  const response = await withCheck(await handleIngest(request, env, ctx, core, settings, stores, product, event, { body, valuesAreText: true }), request, env, declared);
  // An answer to a GET must never be served from a cache: each one stored an event.
  response.headers.set('cache-control', 'no-store');
  return response;
}

// routeCapture() answers a PostHog capture request (posthog.js) as the native batch it stands for.
async function routeCapture(app, request, env, ctx, settings, target) {
  const product = decodeSegment(target.product);
  if (request.method === 'OPTIONS') return preflight(request, settings);
  if (request.method !== 'POST') return methodNotAllowed(['POST', 'OPTIONS']);
  const envelope = nativeEnvelope(await readBody(request, settings.maxBodyBytes), app.catalogue, product);
  const core = await app.getCore();
  const stores = eventStores(env, settings);
  const response = await handleIngest(request, env, ctx, core, settings, stores, '', '', { body: envelope.body });
  noteUnmatchedEvents(request, envelope.product, envelope.unmapped, env, ctx, settings);
  return captureAnswer(response);
}

// The version check and client reports: routes SDKs call, with CORS like the ingest routes',
// matched before the event route so that `check` and `client_report` never reach the core.
const SDK_PATH = /^\/v1\/([^/]{1,64})\/(check|client_report)$/;

async function routeSdk(app, request, env, ctx, settings, [, segment, kind]) {
  const product = decodeSegment(segment);
  if (request.method === 'OPTIONS') return preflight(request, settings, kind === 'check' ? 'GET, HEAD, OPTIONS' : 'POST, OPTIONS');
  const core = await app.getCore(env);
  if (kind === 'check') return handleCheck(request, env, ctx, settings, app.settingsCatalogue, core, product);
  return handleClientReport(request, env, ctx, settings, app.catalogue, core, product);
}

const STATS_PATH = /^\/v1\/stats\/([a-z_]{1,32})$/;
const ADMIN_PATH = /^\/v1\/admin(?:\/|$)/;

// pageFile() is a static file of the pages, or the JSON 404 every other route answers.
async function pageFile(env, request) {
  const response = await env.ASSETS.fetch(request);
  return response.status === 404 ? notFound() : response;
}

// pageHeaders() adds the pages' security headers to a static file: scripts and styles of the
// Worker's own origin only, requests to it alone, no referrer.
function pageHeaders(response) {
  const headers = new Headers(response.headers);
  headers.set('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  headers.set('referrer-policy', 'no-referrer');
  headers.set('x-content-type-options', 'nosniff');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

async function route(app, request, env, ctx, settings) {
  const url = new URL(request.url);
  // Nothing is answered from a catalogue the core refused.
  await app.getCore(env);
  const stats = STATS_PATH.exec(url.pathname);
  if (stats) return handleStats(request, env, settings, app.catalogue, eventStores(env, settings), stats[1]);
  if (url.pathname === '/v1/public/stats') return publicStats(request, env, settings, app.catalogue, eventStores(env, settings), ctx);
  if (ADMIN_PATH.test(url.pathname)) return handleAdmin(request, env, app.catalogue, url.pathname, app.checkCatalogue);
  const sdk = SDK_PATH.exec(url.pathname);
  const capture = sdk ? null : captureRoute(url.pathname);
  const target = sdk || capture ? null : ingestRoute(url.pathname);
  if (sdk || capture || target) {
    try {
      const response = sdk ? await routeSdk(app, request, env, ctx, settings, sdk)
        : capture ? await routeCapture(app, request, env, ctx, settings, capture) : await routeIngest(app, request, env, ctx, settings, target);
      return withCors(response, request, settings);
    } catch (error) {
      if (error instanceof HttpError) {
        return withCors(errorResponse(error.status, error.code, error.message, error.headers), request, settings);
      }
      throw error;
    }
  }
  const readOnly = request.method === 'GET' || request.method === 'HEAD';
  // The dashboard is static files (assets/dashboard/), through the Worker for its headers; it holds
  // no data: every number it shows comes from /v1/stats with the token.
  if (url.pathname === '/dashboard' || url.pathname.startsWith('/dashboard/')) {
    if (!readOnly) return methodNotAllowed(['GET', 'HEAD']);
    if (!env.ASSETS) return errorResponse(404, 'not_found', "the dashboard is served as static assets: wrangler.toml needs the [assets] table of phonehome's template");
    return pageHeaders(await pageFile(env, request));
  }
  if (url.pathname === '/public' || url.pathname.startsWith('/public/')) {
    if (!readOnly) return methodNotAllowed(['GET', 'HEAD']);
    return pageHeaders(await publicPage(request, env, settings, pageFile));
  }
  if (url.pathname === '/') {
    if (!readOnly) return methodNotAllowed(['GET', 'HEAD']);
    return new Response(disclosurePage(app.catalogue, settings, await app.identity()), {
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
    });
  }
  if (url.pathname === '/v1/schema') {
    if (!readOnly) return methodNotAllowed(['GET', 'HEAD']);
    const core = await app.getCore();
    return jsonBody(JSON.stringify(schemaDocument(app.catalogue, core.limits, settings, await app.identity()), null, 1), 200,
      { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' });
  }
  return notFound();
}

// createWorker() is the Worker: { fetch, queue, scheduled } for a compiled catalogue (the object
// `phonehome build` writes). `module` and `moduleSha256` are for tests that swap the core.
export function createWorker({ catalogue, module = coreModule, moduleSha256 = MODULE_SHA256 } = {}) {
  const app = deployment(catalogue, module, moduleSha256);
  return {
    async fetch(request, env, ctx) {
      try {
        const settings = config(env);
        const response = await route(app, request, env, ctx, settings);
        await noteUnmatchedResponse(request, response, env, ctx, settings);
        return response;
      } catch (error) {
        if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.headers);
        if (error instanceof Misconfigured) {
          return errorResponse(500, 'misconfigured', "the collector's catalogue is invalid: nothing was stored; its maintainer must fix it (the Worker's log says what is wrong)");
        }
        if (error instanceof CoreTrap || error instanceof WebAssembly.RuntimeError) app.dropCore();
        console.error(`phonehome: request failed: ${error?.name ?? 'error'}`);
        return errorResponse(500, 'internal_error', 'the request could not be processed');
      }
    },

    // Queue mode's consumer: writes queued rows to D1 (queue.js). A batch that cannot be written is
    // retried by the queue with backoff, then dead-lettered; nothing is acknowledged unwritten.
    async queue(batch, env) {
      const summary = await consumeBatch(batch, env, config(env));
      if (summary.retried) console.error(`phonehome: queue batch: ${summary.written} messages written, ${summary.retried} retried`);
    },

    // The daily Cron Trigger: rollups of finished days, then retention.
    async scheduled(controller, env, ctx) {
      const settings = config(env);
      ctx.waitUntil(app.getCore().then(() => runMaintenance(env, eventStores(env, settings), app.catalogue, settings, controller.scheduledTime)).then(
        (summary) => console.log(`phonehome: maintenance ${JSON.stringify(summary)}`),
        (error) => console.error(`phonehome: maintenance failed: ${error?.message ?? error}`),
      ));
    },
  };
}
