// index.js: the Worker entry. Routes requests; everything else lives in its own module.
//
// The shim never reads a client-IP header: no IP address reaches the core, D1 or a log.

import catalogue from '../build/wasm/generated/catalogue.json';
import coreModule from '../build/wasm/phonehome.wasm';
import { config } from './config.js';
import { CoreTrap, instantiateCore } from './core.js';
import { preflight, withCors } from './cors.js';
import { disclosurePage, schemaDocument } from './disclosure.js';
import { handleForget } from './forget.js';
import { errorResponse, HttpError, jsonBody, methodNotAllowed, notFound } from './http.js';
import { handleIngest } from './ingest.js';

// One core per isolate, made on first use. After a trap its memory may be inconsistent, so it is
// dropped and the next request gets a fresh instance.
let corePromise = null;
function getCore() {
  corePromise ??= instantiateCore(coreModule);
  return corePromise;
}

const EVENT_PATH = /^\/v1\/([^/]{1,64})\/([^/]{1,64})$/;

// Routes SDKs call, from servers and from browsers: CORS applies to these alone.
function ingestRoute(pathname) {
  if (pathname === '/v1/batch') return { kind: 'batch' };
  if (pathname === '/v1/forget') return { kind: 'forget' };
  const match = EVENT_PATH.exec(pathname);
  return match ? { kind: 'event', product: decodeURIComponent(match[1]), event: decodeURIComponent(match[2]) } : null;
}

async function routeIngest(request, env, settings, target) {
  if (request.method === 'OPTIONS') return preflight(request, settings);
  if (request.method !== 'POST') return methodNotAllowed(['POST', 'OPTIONS']);
  if (target.kind === 'forget') return handleForget(request, env);
  const core = await getCore();
  // An empty product tells the core the body is a batch envelope.
  const [product, event] = target.kind === 'batch' ? ['', ''] : [target.product, target.event];
  return handleIngest(request, env, core, settings, product, event);
}

async function route(request, env, settings) {
  const url = new URL(request.url);
  const target = ingestRoute(url.pathname);
  if (target) {
    try {
      return withCors(await routeIngest(request, env, settings, target), request, settings);
    } catch (error) {
      if (error instanceof HttpError) {
        return withCors(errorResponse(error.status, error.code, error.message, error.headers), request, settings);
      }
      throw error;
    }
  }
  const readOnly = request.method === 'GET' || request.method === 'HEAD';
  if (url.pathname === '/') {
    if (!readOnly) return methodNotAllowed(['GET', 'HEAD']);
    return new Response(disclosurePage(catalogue, settings), {
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
    });
  }
  if (url.pathname === '/v1/schema') {
    if (!readOnly) return methodNotAllowed(['GET', 'HEAD']);
    const core = await getCore();
    return jsonBody(JSON.stringify(schemaDocument(catalogue, core.limits, settings), null, 1), 200,
      { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' });
  }
  return notFound();
}

export default {
  async fetch(request, env) {
    try {
      return await route(request, env, config(env));
    } catch (error) {
      if (error instanceof CoreTrap || error instanceof WebAssembly.RuntimeError) corePromise = null;
      console.error(`phonehome: request failed: ${error?.name ?? 'error'}`);
      return errorResponse(500, 'internal_error', 'the request could not be processed');
    }
  },
};
