// queue.js: queue mode (docs/SCALING.md). The ingest route hands accepted rows to a Cloudflare
// Queue and answers once the queue holds them; this Worker's queue() handler writes them to D1 in
// large batches. Queue mode is on when wrangler.toml binds INGEST_QUEUE.
//
// A message is text: one line of JSON header, then a JSON array, at most 96 KiB, so that a
// message stays under the 128 KB limit:
//   {"v":1,"kind":"rows","day":20414}\n[{"event_id":…},…]            rows of one core chunk
//   {"v":1,"kind":"rejections","day":20414,"receipt":"…"}\n[{…},…]   rejection counts
// day is the UTC day the request arrived (its write budget). A receipt makes a message's
// rejection counts land once, however often it is delivered.

import { dayOf } from './days.js';
import { queued, readBudget } from './storage.js';
import { eventStores, MAIN_BINDING, mergeChunks, packBySize, rowChunkBytes, splitByStore, utf8Length } from './stores.js';

const MESSAGE_VERSION = 1;
const MAX_MESSAGE_BYTES = 128_000;
// sendBatch() takes at most 100 messages and 256 KB in one call.
const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 250_000;
// The consumer binds at most this many bytes per statement (D1 takes 2 MB per value; fewer,
// larger statements keep a batch well inside the 50 queries of a free-plan invocation).
const CONSUMER_STATEMENT_BYTES = 900_000;
// One transaction takes messages of at most this many characters in all (about 36 full messages,
// or 100 small ones): large enough to batch, small enough that a failure retries little.
const GROUP_CHARACTERS = 4 * CONSUMER_STATEMENT_BYTES;

function encodeMessage(header, json) {
  const body = `${JSON.stringify({ v: MESSAGE_VERSION, ...header })}\n${json}`;
  if (utf8Length(body) > MAX_MESSAGE_BYTES) throw new Error(`a queue message of ${utf8Length(body)} bytes: over the 128 KB limit`);
  return body;
}

// decodeMessage() reads one message body: { kind, day, receipt, json }, or null when it is not one
// of ours.
export function decodeMessage(body) {
  if (typeof body !== 'string') return null;
  const newline = body.indexOf('\n');
  if (newline < 0) return null;
  let header;
  try {
    header = JSON.parse(body.slice(0, newline));
  } catch {
    return null;
  }
  if (header?.v !== MESSAGE_VERSION || !Number.isInteger(header.day)) return null;
  if (header.kind !== 'rows' && !(header.kind === 'rejections' && typeof header.receipt === 'string' && header.receipt !== '')) return null;
  const json = body.slice(newline + 1);
  if (!json.startsWith('[') || !json.endsWith(']')) return null;
  return { kind: header.kind, day: header.day, receipt: header.receipt ?? null, json };
}

// rejectionMessages() splits a request's rejection counts into messages of at most 96 KiB.
function rejectionMessages(rejectionsJson, day) {
  if (rejectionsJson === '[]') return [];
  const entries = JSON.parse(rejectionsJson).map((entry) => {
    const json = JSON.stringify(entry);
    return { rowsJson: `[${json}]`, bytes: utf8Length(json) + 2 };
  });
  return mergeChunks(entries, rowChunkBytes())
    .map((chunk) => encodeMessage({ kind: 'rejections', day, receipt: crypto.randomUUID() }, chunk.rowsJson));
}

async function sendAll(queue, bodies) {
  const batches = packBySize(bodies, utf8Length, SEND_BATCH_BYTES, { maxItems: SEND_BATCH_MESSAGES });
  await Promise.all(batches.map((batch) => queue.sendBatch(batch.map((body) => ({ body, contentType: 'text' })))));
}

// enqueueRequest() sends a request's rows, then its rejection counts, to the queue. If sending the
// rows fails, it throws: nothing was counted, and the client's retry stores each row once (event
// ids). The counts go once the rows are safe; with `onRejectionsFailed`, a failure to send them
// is reported there instead of thrown.
export async function enqueueRequest(queue, result, receivedAt, { onRejectionsFailed } = {}) {
  const day = dayOf(receivedAt);
  await sendAll(queue, result.chunks.map((chunk) => encodeMessage({ kind: 'rows', day }, chunk.rowsJson)));
  const counts = sendAll(queue, rejectionMessages(result.rejectionsJson, day));
  await (onRejectionsFailed ? counts.catch(onRejectionsFailed) : counts);
}

// The budget as queue mode sees it: read from D1 in the background at most once per
// budgetRecheckSeconds per isolate, so that answering never waits on D1. The consumer counts what
// it writes, per install too, and never refuses what was acknowledged; the producer refuses
// against the last reading. The budget and the shares are therefore soft here: they can be
// overshot by what arrives between readings (and what waits in the queue), and while D1 cannot be
// read the last reading stands.
const budgetReading = { day: -1, share: 0, rows: 0, spentInstalls: new Set(), readAt: -Infinity, pending: false };

// queuedBudget() is the day's last reading ({ rows, spentInstalls }), and starts a new reading
// when that one is old.
export function queuedBudget(db, ctx, settings, now) {
  const day = dayOf(now);
  const share = settings.installDailyShare;
  if (budgetReading.day !== day || budgetReading.share !== share) {
    Object.assign(budgetReading, { day, share, rows: 0, spentInstalls: new Set(), readAt: -Infinity });
  }
  if (now - budgetReading.readAt >= settings.budgetRecheckSeconds * 1000 && !budgetReading.pending) {
    budgetReading.pending = true;
    ctx.waitUntil(readBudget(db, day, share).then(
      (reading) => { if (budgetReading.day === day) Object.assign(budgetReading, reading, { readAt: now }); },
      () => { /* D1 unreachable: keep accepting, the queue holds the events */ },
    ).finally(() => { budgetReading.pending = false; }));
  }
  return budgetReading;
}

// retryDelaySeconds() is the backoff before a message's next attempt: doubling from base, capped.
// `attempts` counts deliveries so far (1 on the first).
export function retryDelaySeconds(attempts, { base, cap }) {
  return Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
}

// statementsOf() builds one group's writes: per event database, its rows; in DB also the budget,
// the installs' counters, the rejection counts and the consumer's progress. Rows for other
// databases are counted in DB once those have committed (`otherInserts`): from their inserts'
// meta.changes, and per install from what a read just before each insert found new.
function statementsOf(env, routes, group) {
  const perStore = new Map([[MAIN_BINDING, []]]);
  const otherInserts = [];
  const byDay = new Map();
  for (const { decoded } of group) {
    if (decoded.kind !== 'rows' || decoded.json.length <= 2) continue;
    if (!byDay.has(decoded.day)) byDay.set(decoded.day, []);
    byDay.get(decoded.day).push({ rowsJson: decoded.json });
  }
  for (const [day, chunks] of byDay) {
    for (const [binding, storeChunks] of splitByStore(chunks, routes, CONSUMER_STATEMENT_BYTES)) {
      if (!perStore.has(binding)) perStore.set(binding, []);
      const statements = perStore.get(binding);
      for (const chunk of mergeChunks(storeChunks, CONSUMER_STATEMENT_BYTES)) {
        if (binding === MAIN_BINDING) {
          statements.push(...queued.insertAndCountRows(env[binding], day, chunk.rowsJson));
        } else {
          statements.push(queued.newInstallRows(env[binding], chunk.rowsJson));
          otherInserts.push({ binding, index: statements.length, day });
          statements.push(queued.insertRows(env[binding], chunk.rowsJson));
        }
      }
    }
  }
  // One message may come twice in a batch (a replay of dead letters): its counts go in once.
  const rejections = new Map();
  for (const { decoded } of group) if (decoded.kind === 'rejections') rejections.set(decoded.receipt, decoded);
  const main = env[MAIN_BINDING];
  const entries = [...rejections.values()].map((m) => {
    const json = JSON.stringify(JSON.parse(m.json).map((entry) => ({ ...entry, day: m.day, receipt: m.receipt })));
    return { rowsJson: json };
  });
  for (const chunk of mergeChunks(entries, CONSUMER_STATEMENT_BYTES)) perStore.get(MAIN_BINDING).push(...queued.countRejections(main, chunk.rowsJson));
  if (rejections.size) {
    perStore.get(MAIN_BINDING).push(queued.recordReceipts(main, JSON.stringify([...rejections.values()].map((m) => ({ receipt: m.receipt, day: m.day })))));
  }
  return { perStore, otherInserts };
}

// A message whose content cannot be turned into statements (rows that are not objects, say).
class DataError extends Error {}

// writeGroup() writes one group, each database in one transaction: DB first (its rows, the
// rejection counts, the consumer's progress), then the other event databases, then one small
// statement in DB that counts their rows. Every step is idempotent on redelivery, so a failure
// after DB committed costs at most that last count.
async function writeGroup(env, routes, group, progress) {
  let plan;
  try {
    plan = statementsOf(env, routes, group);
  } catch (error) {
    throw new DataError(`a message could not be read: ${error?.name ?? 'error'}`);
  }
  const { perStore, otherInserts } = plan;
  const main = env[MAIN_BINDING];
  await main.batch([...perStore.get(MAIN_BINDING), progress(main, group)]);
  perStore.delete(MAIN_BINDING);
  if (perStore.size === 0) return;
  const results = new Map(await Promise.all([...perStore].map(async ([binding, statements]) => [binding, await env[binding].batch(statements)])));
  const added = new Map();
  const installs = new Map();
  for (const { binding, index, day } of otherInserts) {
    added.set(day, (added.get(day) ?? 0) + (results.get(binding)[index].meta?.changes ?? 0));
    if (!installs.has(day)) installs.set(day, {});
    const perInstall = installs.get(day);
    for (const { install, rows } of results.get(binding)[index - 1].results ?? []) perInstall[install] = (perInstall[install] ?? 0) + rows;
  }
  const counts = [...added].filter(([, rows]) => rows > 0).map(([day, rows]) => queued.addRows(main, day, rows));
  for (const [day, perInstall] of installs) if (Object.keys(perInstall).length) counts.push(queued.addInstallRows(main, day, JSON.stringify(perInstall)));
  if (counts.length) await main.batch(counts);
}

// isDataError() tells a write the data itself makes fail (a constraint, a value too big, JSON that
// cannot be read), which will fail again, from D1 being down or busy, which will pass later.
function isDataError(error) {
  return error instanceof DataError || error instanceof SyntaxError || /SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)|constraint failed|malformed JSON|too big|too large/i.test(error?.message ?? '');
}

// describe() is an error for the log. A SyntaxError from JSON.parse quotes the text it could not
// read, which may be event data: only its kind is logged.
function describe(error) {
  return error instanceof SyntaxError ? 'SyntaxError (unreadable JSON in a message)' : (error?.message ?? String(error));
}

// Per-minute consumer progress in DB (queue_minutely): what was written and how long it waited.
const RECORD_PROGRESS = `INSERT INTO queue_minutely (minute, batches, messages, redelivered, max_lag_ms, total_lag_ms, backlog)
  VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)
  ON CONFLICT (minute) DO UPDATE SET batches = batches + 1, messages = messages + excluded.messages,
    redelivered = redelivered + excluded.redelivered, max_lag_ms = max(max_lag_ms, excluded.max_lag_ms),
    total_lag_ms = total_lag_ms + excluded.total_lag_ms, backlog = excluded.backlog`;

// Halving a group to find a bad message may cost at most this many extra writes per batch (one
// bad message among 100 needs about 14); past that, the rest of the batch is retried untried, so
// an invocation stays inside its query limit.
const ISOLATION_WRITES = 16;

// consumeBatch() is the queue() handler's work. Messages are written in groups, and each is
// acknowledged once its group committed. Anything not acknowledged is retried with backoff:
// - when D1 is down or busy, the rest of the batch is not tried (that would only slow D1's
//   recovery);
// - when the data of a group makes it fail, the group is halved until the bad messages stand
//   alone, so that they alone are retried, and end in the dead-letter queue (within
//   ISOLATION_WRITES);
// - a message that is not ours, and a batch that arrives while EVENT_ROUTES is wrong, too.
export async function consumeBatch(batch, env, settings, now = Date.now) {
  const backoff = { base: settings.queueRetryBaseSeconds, cap: settings.queueRetryMaxSeconds };
  const written = new Set();
  const summary = { written: 0, retried: 0 };
  const finish = () => {
    for (const message of batch.messages) {
      if (written.has(message)) {
        message.ack();
        summary.written++;
      } else {
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts, backoff) });
        summary.retried++;
      }
    }
    return summary;
  };

  let routes;
  try {
    routes = eventStores(env, settings).routes;
  } catch {
    return finish(); // eventStores() logged why
  }
  const readable = [];
  for (const message of batch.messages) {
    const decoded = decodeMessage(message.body);
    if (decoded) readable.push({ message, decoded });
    else console.error(`phonehome: queue message ${message.id} is not a phonehome message: retried until it is dead-lettered`);
  }
  const groups = packBySize(readable, ({ decoded }) => decoded.json.length, GROUP_CHARACTERS);

  const backlog = batch.metadata?.metrics?.backlogCount ?? null;
  const progress = (db, group) => {
    const at = now();
    const lags = group.map(({ message }) => Math.max(0, at - new Date(message.timestamp).getTime()));
    return db.prepare(RECORD_PROGRESS).bind(Math.floor(at / 60_000), group.length,
      group.filter(({ message }) => message.attempts > 1).length, Math.max(...lags), lags.reduce((a, b) => a + b, 0), backlog);
  };
  // write() returns false when D1 is down or busy, or isolation has used its allowance: then
  // nothing more is tried.
  let isolationWrites = ISOLATION_WRITES;
  const write = async (group, isolating = false) => {
    if (isolating && isolationWrites-- <= 0) return false;
    try {
      await writeGroup(env, routes, group, progress);
      for (const { message } of group) written.add(message);
      return true;
    } catch (error) {
      if (!isDataError(error)) {
        console.error(`phonehome: writing ${group.length} queued messages failed, retrying them with backoff: ${describe(error)}`);
        return false;
      }
      if (group.length === 1) {
        console.error(`phonehome: queue message ${group[0].message.id} cannot be written (${describe(error)}): retried until it is dead-lettered`);
        return true;
      }
      const half = Math.ceil(group.length / 2);
      return (await write(group.slice(0, half), true)) && write(group.slice(half), true);
    }
  };
  for (const group of groups) if (!(await write(group))) break;
  return finish();
}
