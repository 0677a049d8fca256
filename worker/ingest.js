// ingest.js: POST /v1/{product}/{event}. Bytes go to the core, rows go to D1, the core's verdicts
// go back to the client. Every decision about validity belongs to the core.

import { markDuplicates } from './core.js';
import { errorResponse, jsonBody } from './http.js';
import { storeRows } from './storage.js';

// The HTTP status of each request outcome the core can return (status.def, scope "request").
export const OUTCOME_STATUS = {
  ok: 202,
  all_rejected: 400,
  malformed_json: 400,
  invalid_utf8: 400,
  number_overflow: 400,
  too_deep: 400,
  wrong_body_type: 400,
  empty_batch: 400,
  too_many_events: 413,
  unknown_product: 404,
  unknown_event: 404,
  invalid_sent_at: 400,
  internal_error: 500,
};

// A client that meets 503 should come back after this many seconds; nothing was stored.
const STORAGE_RETRY_AFTER_S = 30;

export async function handleIngest(request, env, core, product, event) {
  const receivedAt = Date.now();
  const body = new Uint8Array(await request.arrayBuffer());
  const sentAt = request.headers.get('x-sent-at') ?? '';
  const result = core.ingest({ product, event, body, receivedAt, sentAt });
  const status = OUTCOME_STATUS[result.outcome] ?? 500;

  if (result.rowCount > 0) {
    let storedRows;
    try {
      storedRows = await storeRows(env.DB, result.rowsJson);
    } catch (error) {
      // The message names no data: D1 errors carry SQL, never the bound rows.
      console.error(`phonehome: storing ${result.rowCount} rows failed: ${error?.message ?? error}`);
      return errorResponse(503, 'storage_unavailable',
        'events could not be stored; nothing from this request was kept, retry later',
        { 'retry-after': String(STORAGE_RETRY_AFTER_S) });
    }
    markDuplicates(result, storedRows);
  }
  return jsonBody(result.response, status);
}
