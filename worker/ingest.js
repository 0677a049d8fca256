// ingest.js: POST /v1/{product}/{event} and POST /v1/batch. Bytes go to the core, rows to D1, the
// core's verdicts back to the client. Every decision about validity belongs to the core; this
// file only applies the HTTP contract (docs/PROTOCOL.md).

import { readBody } from './body.js';
import { markDuplicates } from './core.js';
import { HttpError, jsonBody, secondsUntilNextUtcDay } from './http.js';
import { enqueueRequest, queuedBudgetSpent } from './queue.js';
import { BudgetSpent, countRejections, logLostRejectionCounts, storeRequestRows } from './storage.js';

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
  invalid_sent_at: 400,
  too_many_events: 413,
  unknown_product: 404,
  unknown_event: 404,
  internal_error: 500,
};

// A client that meets a storage failure should come back after this many seconds; nothing of its
// request was stored.
const STORAGE_RETRY_AFTER_S = 30;

// The day whose budget this isolate has seen spent: later requests that day are answered without
// a round trip to D1.
let spentDay = -1;

// optedOut() honours the browser's and the user's "do not track" signals on the server too.
function optedOut(request, settings) {
  return settings.honourDoNotTrack && (request.headers.get('dnt') === '1' || request.headers.get('sec-gpc') === '1');
}

// handleIngest() answers one ingest request. `stores` are the event databases (stores.js). In
// queue mode (env.INGEST_QUEUE bound) accepted rows go to the queue instead of D1.
export async function handleIngest(request, env, ctx, core, settings, stores, product, event) {
  if (optedOut(request, settings)) {
    // Nothing is read, nothing stored: the answer only says why.
    return jsonBody(JSON.stringify({ results: [], opted_out: true }), 202);
  }
  const receivedAt = Date.now();
  const today = Math.floor(receivedAt / 86_400_000);
  const budget = settings.dailyWriteBudget;
  const queue = env.INGEST_QUEUE;
  if (spentDay === today || (queue && queuedBudgetSpent(env.DB, ctx, budget, receivedAt))) throw budgetSpent(receivedAt);

  const body = await readBody(request, settings.maxBodyBytes);
  const sentAt = request.headers.get('x-sent-at') ?? '';
  const result = core.ingest({ product, event, body, receivedAt, sentAt });
  const status = OUTCOME_STATUS[result.outcome] ?? 500;
  if (queue) return queueRows(queue, ctx, result, status, receivedAt);
  if (result.rowCount === 0) {
    // Nothing to store: the rejection counters are updated after the answer, and a failure there
    // costs a count, never the client's answer.
    if (result.rejectionsJson !== '[]') {
      ctx.waitUntil(countRejections(env.DB, result.rejectionsJson, { budget, now: receivedAt })
        .catch(logLostRejectionCounts));
    }
    return jsonBody(result.response, status);
  }

  let storedRows;
  try {
    storedRows = await storeRequestRows(env, stores, result, { budget, rejectionsJson: result.rejectionsJson, now: receivedAt });
  } catch (error) {
    if (error instanceof BudgetSpent) {
      spentDay = error.day;
      throw budgetSpent(receivedAt);
    }
    // The message names no data: D1 errors carry SQL, never the bound rows.
    console.error(`phonehome: storing ${result.rowCount} rows failed: ${error?.message ?? error}`);
    throw new HttpError(503, 'storage_unavailable',
      'the events could not be stored; nothing from this request was kept: retry later',
      { 'retry-after': String(STORAGE_RETRY_AFTER_S) });
  }
  markDuplicates(result, storedRows);
  return jsonBody(result.response, status);
}

// queueRows() is queue mode's end of a request: the answer is sent once the queue holds the rows.
// Verdicts stay "accepted" for rows D1 may already hold: only the consumer can tell, and it makes
// them land once.
async function queueRows(queue, ctx, result, status, receivedAt) {
  if (result.rowCount === 0) {
    // Rejection counts alone: as in direct mode, their fate never changes the client's answer.
    if (result.rejectionsJson !== '[]') {
      ctx.waitUntil(enqueueRequest(queue, result, receivedAt)
        .catch(logLostRejectionCounts));
    }
    return jsonBody(result.response, status);
  }
  try {
    await enqueueRequest(queue, result, receivedAt, {
      // Once the rows are queued, a failure to queue the rejection counts costs those counts, never
      // the client's answer: a retry would count them twice.
      onRejectionsFailed: logLostRejectionCounts,
    });
  } catch (error) {
    console.error(`phonehome: queueing ${result.rowCount} rows failed: ${error?.message ?? error}`);
    throw new HttpError(503, 'queue_unavailable',
      'the events could not be queued: retry later; events of this request that were queued are stored once',
      { 'retry-after': String(STORAGE_RETRY_AFTER_S) });
  }
  return jsonBody(result.response, status);
}

function budgetSpent(now) {
  return new HttpError(503, 'daily_budget_spent',
    'the collector has stored as many events as it may today; nothing from this request was kept: retry after the Retry-After delay',
    { 'retry-after': String(secondsUntilNextUtcDay(now)) });
}

