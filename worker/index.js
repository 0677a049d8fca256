// index.js: the Worker entry. Routes requests; everything else lives in its own module.
//
// The shim never reads a client-IP header: no IP address reaches the core, D1 or a log.

import catalogue from '../build/wasm/generated/catalogue.json';
import coreModule from '../build/wasm/phonehome.wasm';
import { CoreTrap, instantiateCore } from './core.js';
import { disclosurePage, schemaDocument } from './disclosure.js';
import { errorResponse, jsonBody, methodNotAllowed, notFound } from './http.js';
import { handleIngest } from './ingest.js';

// One core per isolate, made on first use. After a trap its memory may be inconsistent, so it is
// dropped and the next request gets a fresh instance.
let corePromise = null;
function getCore() {
  corePromise ??= instantiateCore(coreModule);
  return corePromise;
}

const INGEST_PATH = /^\/v1\/([^/]{1,64})\/([^/]{1,64})$/;

async function route(request, env) {
  const url = new URL(request.url);
  const ingest = INGEST_PATH.exec(url.pathname);
  if (ingest) {
    if (request.method !== 'POST') return methodNotAllowed(['POST']);
    return handleIngest(request, env, await getCore(), ingest[1], ingest[2]);
  }
  const readOnly = request.method === 'GET' || request.method === 'HEAD';
  if (url.pathname === '/') {
    if (!readOnly) return methodNotAllowed(['GET', 'HEAD']);
    return new Response(disclosurePage(catalogue, env), {
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
    });
  }
  if (url.pathname === '/v1/schema') {
    if (!readOnly) return methodNotAllowed(['GET', 'HEAD']);
    const core = await getCore();
    return jsonBody(JSON.stringify(schemaDocument(catalogue, core.limits, env), null, 1), 200,
      { 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' });
  }
  return notFound();
}

export default {
  async fetch(request, env) {
    try {
      return await route(request, env);
    } catch (error) {
      if (error instanceof CoreTrap || error instanceof WebAssembly.RuntimeError) corePromise = null;
      console.error(`phonehome: request failed: ${error?.name ?? 'error'}`);
      return errorResponse(500, 'internal_error', 'the request could not be processed');
    }
  },
};
