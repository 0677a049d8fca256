// ingest.js: POST /v1/{product}/{event}, POST /v1/batch, the query-string GETs (query.js) and
// PostHog capture requests (posthog.js).
// Bytes go to the core, rows to D1, the core's verdicts back to the client. Every decision about
// validity belongs to the core; this file only applies the HTTP contract (docs/PROTOCOL.md).

import { readBody } from './body.js';
import { markDuplicates } from './core.js';
import { HttpError, jsonBody, secondsUntilNextUtcDay } from './http.js';
import { enqueueRequest, queuedBudget } from './queue.js';
import { BudgetRefused, countRejections, installsOfResult, logLostRejectionCounts, storeRequestRows } from './storage.js';

// A client that meets a storage failure should come back after this many seconds; nothing of its
// request was stored.
const STORAGE_RETRY_AFTER_S = 30;

// The last time D1 said the day's budget was spent (every row of it written): until
// budgetRecheckSeconds later this isolate answers requests with rows without asking D1 again.
// Only D1's own answer sets it; a request that merely did not fit does not.
const spent = { day: -1, budget: 0, at: -Infinity };

// optedOut() honours the browser's and the user's "do not track" signals on the server too. A
// header sent twice arrives as "1, 1": each value is read, and any "1" opts out.
const SAYS_ONE = /(?:^|,)\s*1\s*(?:,|$)/;
export function optedOut(request, settings) {
  return settings.honourDoNotTrack && (SAYS_ONE.test(request.headers.get('dnt') ?? '') || SAYS_ONE.test(request.headers.get('sec-gpc') ?? ''));
}

// handleIngest() answers one ingest request. `stores` are the event databases (stores.js). In
// queue mode (env.INGEST_QUEUE bound) accepted rows go to the queue instead of D1. The daily
// budget and the installs' shares apply only to requests with rows to store: a request whose
// every event was rejected gets the core's verdicts, whatever is left of the day.
// With `given` ({ body, valuesAreText }) the body is one the route made (a query string, query.js;
// a PostHog capture request, posthog.js), not the request's own.
export async function handleIngest(request, env, ctx, core, settings, stores, product, event, given = null) {
  if (optedOut(request, settings)) {
    // Nothing is read, nothing stored: the answer only says why.
    return jsonBody(JSON.stringify({ results: [], opted_out: true }), 200);
  }
  const receivedAt = Date.now();
  const budget = settings.dailyWriteBudget;
  const share = settings.installDailyShare;
  const queue = env.INGEST_QUEUE;

  const body = given ? given.body : await readBody(request, settings.maxBodyBytes);
  const sentAt = request.headers.get('x-sent-at') ?? '';
  const result = core.ingest({ product, event, body, receivedAt, sentAt, withInstalls: true, valuesAreText: Boolean(given?.valuesAreText) });
  // The HTTP status of each outcome is status.def's, read from the core (core.js).
  const status = core.httpStatus[result.outcome] ?? 500;
  if (result.rowCount === 0) {
    // Nothing to store: the rejection counters are updated after the answer, and a failure there
    // costs a count, never the client's answer. In queue mode they are not queued once the last
    // reading says the day is spent: each message costs queue operations and D1 writes.
    if (result.rejectionsJson !== '[]') {
      if (!queue) {
        ctx.waitUntil(countRejections(env.DB, result.rejectionsJson, { budget, now: receivedAt }).catch(logLostRejectionCounts));
      } else if (queuedBudget(env.DB, ctx, settings, receivedAt).rows < budget) {
        ctx.waitUntil(enqueueRequest(queue, result, receivedAt).catch(logLostRejectionCounts));
      }
    }
    return jsonBody(result.response, status);
  }

  const installs = installsOfResult(result);
  checkFitsADay(result.rowCount, installs, budget, share);
  if (queue) {
    const reading = queuedBudget(env.DB, ctx, settings, receivedAt);
    if (reading.rows >= budget) throw budgetSpent(receivedAt);
    if (reading.rows + result.rowCount > budget) throw budgetLow(receivedAt, result.rowCount, budget - reading.rows);
    if ([...installs.rows.keys()].some((key) => reading.spentInstalls.has(key))) throw installShareSpent(receivedAt, share);
    return queueRows(queue, result, status, receivedAt);
  }

  const today = Math.floor(receivedAt / 86_400_000);
  if (spent.day === today && spent.budget === budget && receivedAt - spent.at < settings.budgetRecheckSeconds * 1000) {
    throw budgetSpent(receivedAt);
  }
  let storedRows;
  try {
    storedRows = await storeRequestRows(env, stores, result, { budget, share, installs, rejectionsJson: result.rejectionsJson, now: receivedAt });
  } catch (error) {
    if (error instanceof BudgetRefused) {
      if (error.used >= budget) {
        Object.assign(spent, { day: error.day, budget, at: receivedAt });
        throw budgetSpent(receivedAt);
      }
      if (error.used + result.rowCount > budget) throw budgetLow(receivedAt, result.rowCount, budget - error.used);
      throw installShareSpent(receivedAt, share);
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

// checkFitsADay() refuses a request no day could take, whatever was written before it: more rows
// than the daily budget, or more rows of one install than its share. Retrying it as it is would
// fail every day, so the answer is a 4xx that says to send less.
function checkFitsADay(rowCount, installs, budget, share) {
  if (rowCount > budget) {
    throw new HttpError(413, 'over_daily_budget',
      `the request holds ${rowCount} events to store and the collector stores at most ${budget} a day: send fewer per request`);
  }
  const most = Math.max(0, ...installs.rows.values());
  if (most > share) {
    throw new HttpError(413, 'over_install_share',
      `the request holds ${most} events of one install and one install may store at most ${share} a day: send fewer per request`);
  }
}

// queueRows() is queue mode's end of a request: the answer is sent once the queue holds the rows.
// Verdicts stay "accepted" for rows D1 may already hold: only the consumer can tell, and it makes
// them land once.
async function queueRows(queue, result, status, receivedAt) {
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

// The day's limits, as answers (docs/PROTOCOL.md has why each status), the budget's first: it is
// the wider limit. Nothing of the request was kept, and nothing frees room before midnight UTC,
// so each says to come back then.
//   503 daily_budget_spent: no request with anything to store fits today: hold every one.
//   429 daily_budget_low: this request does not fit in what is left; smaller ones may.
//   429 install_share_spent: an install of this request has no room left for it; others may.
function budgetSpent(now) {
  return new HttpError(503, 'daily_budget_spent',
    'the collector has stored as many events as it may today; nothing from this request was kept: retry after the Retry-After delay',
    { 'retry-after': String(secondsUntilNextUtcDay(now)) });
}

function budgetLow(now, rowCount, left) {
  return new HttpError(429, 'daily_budget_low',
    `the request holds ${rowCount} events to store and only ${Math.max(0, left)} more may be stored today; nothing from this request was kept: retry it after the Retry-After delay (smaller requests may still fit today)`,
    { 'retry-after': String(secondsUntilNextUtcDay(now)) });
}

function installShareSpent(now, share) {
  return new HttpError(429, 'install_share_spent',
    `this request would take one of its installs past its share of today's events (${share} per install); nothing from this request was kept: retry after the Retry-After delay`,
    { 'retry-after': String(secondsUntilNextUtcDay(now)) });
}

