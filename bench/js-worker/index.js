// index.js: phonehome's single-event route written as a plain JavaScript Worker: the reference
// ingest of bench/js-reference/ (JSON.parse, ajv validators compiled at build time, normalization
// in JavaScript, JSON.stringify), then phonehome's own D1 writes. The alternative a maintainer
// would weigh phonehome against, served for benchmarks only.
import catalogue from '../../build/wasm/generated/catalogue.json';
import { createReference } from '../js-reference/ingest.mjs';
import { validators } from '../js-reference/generated/validators.mjs';
import { storeRows } from '../../worker/storage.js';

const reference = createReference(catalogue, validators);
const ROUTE = /^\/v1\/([a-z0-9_-]+)\/([a-z0-9_-]+)$/;
let requestNumber = 0;

export default {
  async fetch(request, env) {
    const route = ROUTE.exec(new URL(request.url).pathname);
    if (request.method !== 'POST' || route === null) return new Response('not found', { status: 404 });
    const body = new Uint8Array(await request.arrayBuffer());
    const receivedAt = Date.now();
    const result = reference.ingest({ product: route[1], event: route[2], body, receivedAt, nonce: [receivedAt >>> 0, requestNumber++] });
    if (result.rowCount > 0) {
      await storeRows(env.DB, [{ rowsJson: result.rowsJson, firstRow: 0 }], result.rowCount,
        { budget: Number(env.DAILY_WRITE_BUDGET), now: receivedAt });
    }
    return new Response(result.response, { status: result.rowCount > 0 ? 200 : 400, headers: { 'content-type': 'application/json' } });
  },
};
