// queue.js: queue mode (docs/SCALING.md). The ingest route hands accepted rows to a Cloudflare
// Queue and answers once the queue holds them; this Worker's queue() handler writes them to D1 in
// large batches. Queue mode is on when wrangler.toml binds INGEST_QUEUE.
//
// A message is text: one line of JSON header, then the rows JSON of one core chunk (at most
// 96 KiB, so under the 128 KB message limit):
//   {"v":1,"day":20414,"receipt":"…"}\n[{"event_id":…},…]
// day is the UTC day the request arrived (its write budget); receipt is present when the message
// carries rejection counts ("rejections" in the header), which must be added exactly once.

import { dayOf } from './maintenance.js';
import { queuedRejectionStatements, queuedRowStatements, rowsWrittenToday } from './storage.js';
import { MAIN_BINDING, mergeChunks, splitByStore, utf8Length } from './stores.js';

const MESSAGE_VERSION = 1;
// sendBatch() takes at most 100 messages and 256 KB in one call.
const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 250_000;
// The consumer binds at most this many bytes of rows per statement (D1 takes 1 MB per value;
// fewer, larger statements keep a 100-message batch well inside the 50 queries of an invocation).
const CONSUMER_STATEMENT_BYTES = 900_000;

export class QueueUnavailable extends Error {}

// encodeMessage() builds one message body.
function encodeMessage(header, rowsJson) {
  return `${JSON.stringify({ v: MESSAGE_VERSION, ...header })}\n${rowsJson}`;
}

// decodeMessage() reads one message body; null when it is not one of ours.
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
  if (header.rejections !== undefined && (typeof header.rejections !== 'string' || typeof header.receipt !== 'string')) return null;
  const rowsJson = body.slice(newline + 1);
  if (!rowsJson.startsWith('[') || !rowsJson.endsWith(']')) return null;
  return { day: header.day, rejectionsJson: header.rejections ?? null, receipt: header.receipt ?? null, rowsJson };
}

// enqueueRequest() sends a request's rows (and its rejection counts) to the queue. It throws
// QueueUnavailable when a send fails; sends that did succeed are harmless on the client's retry,
// as the event ids make the rows land once.
export async function enqueueRequest(queue, result, receivedAt) {
  const day = dayOf(receivedAt);
  const rejections = result.rejectionsJson !== '[]' ? { rejections: result.rejectionsJson, receipt: crypto.randomUUID() } : {};
  const bodies = result.chunks.length
    ? result.chunks.map((chunk, i) => encodeMessage(i === 0 ? { day, ...rejections } : { day }, chunk.rowsJson))
    : [encodeMessage({ day, ...rejections }, '[]')];
  const sends = [];
  let batch = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = utf8Length(body);
    if (batch.length && (batch.length === SEND_BATCH_MESSAGES || bytes + size > SEND_BATCH_BYTES)) {
      sends.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ body, contentType: 'text' });
    bytes += size;
  }
  sends.push(batch);
  try {
    await Promise.all(sends.map((messages) => queue.sendBatch(messages)));
  } catch (error) {
    throw new QueueUnavailable(`sending to the queue failed: ${error?.message ?? error}`);
  }
}

// The budget as queue mode sees it: read from D1 at most once per BUDGET_READ_MS per isolate, in
// the background, so that answering never waits on D1. The budget is therefore soft here: it can
// be overshot by what arrives in that window.
const BUDGET_READ_MS = 30_000;
const budgetReading = { day: -1, rows: 0, readAt: -Infinity, pending: false };

// queuedBudgetSpent() says whether the day's budget was spent at the last reading, and starts a
// new reading when that one is old.
export function queuedBudgetSpent(db, ctx, budget, now) {
  const day = dayOf(now);
  if (budgetReading.day !== day) Object.assign(budgetReading, { day, rows: 0, readAt: -Infinity });
  if (now - budgetReading.readAt > BUDGET_READ_MS && !budgetReading.pending) {
    budgetReading.pending = true;
    ctx.waitUntil(rowsWrittenToday(db, day).then(
      (rows) => { if (budgetReading.day === day) Object.assign(budgetReading, { rows, readAt: now }); },
      () => { /* D1 unreachable: keep accepting, the queue holds the events */ },
    ).finally(() => { budgetReading.pending = false; }));
  }
  return budgetReading.rows >= budget;
}

// retryDelaySeconds() is the backoff before a message's next attempt: doubling from base, capped.
// `attempts` counts deliveries so far (1 on the first).
export function retryDelaySeconds(attempts, { base, cap }) {
  return Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
}

// writeGroup() writes the messages of one group: every database's share of their rows, and in DB
// their rejection counts and the consumer's progress, each database in one transaction.
async function writeGroup(env, stores, group, progress) {
  const byStore = new Map();
  const mainStatements = [];
  const main = env[MAIN_BINDING];
  // Rows are counted against the budget of the day their request arrived.
  const byDay = new Map();
  for (const m of group) byDay.set(m.decoded.day, [...(byDay.get(m.decoded.day) ?? []), m]);
  for (const [day, messages] of byDay) {
    const chunks = messages.map((m) => ({ rowsJson: m.decoded.rowsJson })).filter((c) => c.rowsJson.length > 2);
    for (const [binding, storeChunks] of splitByStore(chunks, stores.routes, CONSUMER_STATEMENT_BYTES)) {
      if (!byStore.has(binding)) byStore.set(binding, []);
      const db = env[binding];
      for (const chunk of mergeChunks(storeChunks, CONSUMER_STATEMENT_BYTES)) byStore.get(binding).push(...queuedRowStatements(db, day, chunk.rowsJson));
    }
  }
  // One message may come twice in a batch (a replay of dead letters): its counts go in once.
  const withRejections = new Map();
  for (const { decoded } of group) if (decoded.rejectionsJson) withRejections.set(decoded.receipt, decoded);
  if (withRejections.size) mainStatements.push(...queuedRejectionStatements(main, [...withRejections.values()]));
  mainStatements.push(progress(main, group));
  byStore.set(MAIN_BINDING, [...(byStore.get(MAIN_BINDING) ?? []), ...mainStatements]);
  const settled = await Promise.allSettled([...byStore].map(([binding, statements]) => env[binding].batch(statements)));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
}

// Per-minute consumer progress in DB (queue_minutely): what was written and how long it waited.
const RECORD_PROGRESS = `INSERT INTO queue_minutely (minute, batches, messages, redelivered, max_lag_ms, total_lag_ms, backlog)
  VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)
  ON CONFLICT (minute) DO UPDATE SET batches = batches + 1, messages = messages + excluded.messages,
    redelivered = redelivered + excluded.redelivered, max_lag_ms = max(max_lag_ms, excluded.max_lag_ms),
    total_lag_ms = total_lag_ms + excluded.total_lag_ms, backlog = excluded.backlog`;

// Messages of one group share one transaction per database: at most this many bytes of rows.
const GROUP_BYTES = 4 * CONSUMER_STATEMENT_BYTES;

// consumeBatch() is the queue() handler's work. Messages are written in groups; each group is
// acknowledged once all of its writes committed, and retried with backoff otherwise. After a
// failure the rest of the batch is retried without being tried: D1 is most likely down, and
// hammering it would only slow its recovery. A message that is not ours is retried too, so that
// it ends in the dead-letter queue rather than being dropped.
export async function consumeBatch(batch, env, settings, stores, now = Date.now) {
  const backoff = { base: settings.queueRetryBaseSeconds, cap: settings.queueRetryMaxSeconds };
  const retry = (message) => message.retry({ delaySeconds: retryDelaySeconds(message.attempts, backoff) });
  const groups = [];
  let bytes = Infinity;
  for (const message of batch.messages) {
    const decoded = decodeMessage(message.body);
    if (!decoded) {
      console.error(`phonehome: queue message ${message.id} is not a phonehome message: retried until it is dead-lettered`);
      retry(message);
      continue;
    }
    const size = decoded.rowsJson.length;
    if (bytes + size > GROUP_BYTES) {
      groups.push([]);
      bytes = 0;
    }
    groups.at(-1).push({ message, decoded });
    bytes += size;
  }
  const backlog = batch.metadata?.metrics?.backlogCount ?? null;
  const progress = (db, group) => {
    const at = now();
    const lags = group.map(({ message }) => Math.max(0, at - new Date(message.timestamp).getTime()));
    return db.prepare(RECORD_PROGRESS).bind(Math.floor(at / 60_000), group.length,
      group.filter(({ message }) => message.attempts > 1).length, Math.max(...lags), lags.reduce((a, b) => a + b, 0), backlog);
  };
  const summary = { written: 0, retried: 0 };
  let failure = null;
  for (const group of groups) {
    if (!failure) {
      try {
        await writeGroup(env, stores, group, progress);
        for (const { message } of group) message.ack();
        summary.written += group.length;
        continue;
      } catch (error) {
        failure = error;
        console.error(`phonehome: writing ${group.length} queued messages failed, retrying them with backoff: ${error?.message ?? error}`);
      }
    }
    for (const { message } of group) retry(message);
    summary.retried += group.length;
  }
  return summary;
}
