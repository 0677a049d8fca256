// storage.js: D1 writes. Every accepted row of a request is written in one batch(), which D1 runs
// as one transaction: either all of them are stored or none is, so a retry after a failure is
// always safe, and the dedup key makes it land once.
//
// The core hands rows over as JSON arrays of at most 96 KiB, each bound as the single parameter
// of one statement and unpacked by SQLite's json_each(): any request stays far inside D1's limits
// of 100 bound parameters and 100 KB of SQL per statement, and a 1 MiB body needs about 25
// statements of the 50 a free-plan invocation may run.

import { dayOf } from './maintenance.js';
import { MAIN_BINDING, splitByStore } from './stores.js';

// The events columns, in schema.sql's order; the core writes each row as an object with these keys.
export const ROW_COLUMNS = [
  'event_id', 'product', 'event', 'install_id', 'session_id', 'version', 'os', 'arch',
  'runtime', 'runtime_version', 'occurred_at', 'received_at', 'time_source', 'properties',
];

// Rows written today so far (before this batch).
const SELECT_BUDGET = 'SELECT coalesce(max(rows), 0) AS rows FROM write_budget WHERE day = ?1';

// Which rows of a chunk the table already holds: their verdicts become "duplicate".
const SELECT_STORED = `SELECT r.key AS row FROM json_each(?1) AS r
  JOIN events AS e ON e.event_id = json_extract(r.value, '$.event_id')`;

// The columns of a row, read from one json_each() element.
const ROW_VALUES = `SELECT ${ROW_COLUMNS.map((c) => `json_extract(r.value, '$.${c}')`).join(', ')} FROM json_each(?1) AS r`;

// Both writes repeat the budget check inside the transaction (the WHERE), so two requests racing
// past the budget cannot both write: ?day, ?count (rows of this request), ?budget.
const INSERT_ROWS = `INSERT INTO events (${ROW_COLUMNS.join(', ')}) ${ROW_VALUES}
  WHERE (SELECT coalesce(max(rows), 0) FROM write_budget WHERE day = ?2) + ?3 <= ?4
  ON CONFLICT (event_id) DO NOTHING`;

// Rows whose budget was settled elsewhere: reserved in DB (event stores), or acknowledged already
// (queue mode: refusing them now would lose them).
const INSERT_ROWS_UNGUARDED = `INSERT INTO events (${ROW_COLUMNS.join(', ')}) ${ROW_VALUES} WHERE true
  ON CONFLICT (event_id) DO NOTHING`;

const COUNT_ROWS = `INSERT INTO write_budget (day, rows) SELECT ?1, ?2
  WHERE (SELECT coalesce(max(rows), 0) FROM write_budget WHERE day = ?1) + ?2 <= ?3
  ON CONFLICT (day) DO UPDATE SET rows = rows + excluded.rows`;

// Rejection counts of one request, from the core (no event data), added to the day's counters.
// The budget guard keeps a refused request, and its retries, from counting more than once.
const COUNT_REJECTIONS = `INSERT INTO rejections_daily (day, product, event, code, version, count)
  SELECT ?1, json_extract(r.value, '$.product'), json_extract(r.value, '$.event'), json_extract(r.value, '$.code'),
         json_extract(r.value, '$.version'), json_extract(r.value, '$.count')
  FROM json_each(?2) AS r
  WHERE (SELECT coalesce(max(rows), 0) FROM write_budget WHERE day = ?1) + ?3 <= ?4
  ON CONFLICT (day, product, event, code, version) DO UPDATE SET count = count + excluded.count`;

export class BudgetSpent extends Error {
  constructor(day) {
    super(`the daily write budget of day ${day} is spent`);
    this.day = day;
  }
}

// storeRows() writes a request's row chunks atomically and returns the indexes (request-wide) of
// rows that were already stored. It throws BudgetSpent when the day's budget cannot take them
// (then nothing was written), and D1's own error when D1 fails (then nothing was written either).
// With budget null the budget is neither checked nor counted here (the caller settled it).
export async function storeRows(db, chunks, rowCount, { budget, rejectionsJson = '[]', now = Date.now() }) {
  const day = dayOf(now);
  const guarded = budget !== null;
  const statements = guarded ? [db.prepare(SELECT_BUDGET).bind(day)] : [];
  if (rejectionsJson !== '[]') statements.push(db.prepare(COUNT_REJECTIONS).bind(day, rejectionsJson, rowCount, budget ?? Number.MAX_SAFE_INTEGER));
  const firstChunk = statements.length;
  for (const chunk of chunks) {
    statements.push(db.prepare(SELECT_STORED).bind(chunk.rowsJson));
    statements.push(guarded ? db.prepare(INSERT_ROWS).bind(chunk.rowsJson, day, rowCount, budget) : db.prepare(INSERT_ROWS_UNGUARDED).bind(chunk.rowsJson));
  }
  if (guarded) statements.push(db.prepare(COUNT_ROWS).bind(day, rowCount, budget));
  const results = await db.batch(statements);
  if (guarded && results[0].results[0].rows + rowCount > budget) throw new BudgetSpent(day);
  const stored = [];
  chunks.forEach((chunk, i) => {
    for (const { row } of results[firstChunk + 2 * i].results) stored.push(chunk.rowIndexes ? chunk.rowIndexes[row] : chunk.firstRow + row);
  });
  return stored;
}

const REFUND_ROWS = 'UPDATE write_budget SET rows = max(0, rows - ?2) WHERE day = ?1';

// storeRequestRows() is storeRows() over the event stores (stores.js). With routes, the request's
// rows are first counted against the budget in DB (one budget for the whole account, as D1's
// free-plan row limit is), then each database takes its share in its own transaction. If one
// fails, the count is given back and the client retries: rows that did land answer "duplicate".
// Rejections are counted once every share is stored, so a retry cannot count them twice.
export async function storeRequestRows(env, { routes }, result, options) {
  const byStore = splitByStore(result.chunks, routes);
  if (byStore.size === 1 && byStore.has(MAIN_BINDING)) {
    return storeRows(env[MAIN_BINDING], result.chunks, result.rowCount, options);
  }
  const main = env[MAIN_BINDING];
  const day = dayOf(options.now ?? Date.now());
  const [used] = await main.batch([main.prepare(SELECT_BUDGET).bind(day), main.prepare(COUNT_ROWS).bind(day, result.rowCount, options.budget)]);
  if (used.results[0].rows + result.rowCount > options.budget) throw new BudgetSpent(day);
  let stored;
  try {
    stored = await Promise.all([...byStore].map(([binding, chunks]) => storeRows(env[binding], chunks,
      chunks.reduce((n, c) => n + c.rowIndexes.length, 0), { budget: null, now: options.now })));
  } catch (error) {
    await main.prepare(REFUND_ROWS).bind(day, result.rowCount).run()
      .catch((refund) => console.error(`phonehome: giving back ${result.rowCount} rows of the budget failed: ${refund?.message ?? refund}`));
    throw error;
  }
  const rejectionsJson = options.rejectionsJson ?? '[]';
  if (rejectionsJson !== '[]') {
    await countRejections(main, rejectionsJson, options).catch(logLostRejectionCounts);
  }
  return stored.flat();
}

// Queue mode: the consumer's writes. The budget counts only what an insert really added, so a
// redelivered message counts nothing twice: in DB with SQLite's changes() of the insert just
// before it in the same transaction, for other event stores from the insert's meta.changes.
const COUNT_INSERTED_ROWS = `INSERT INTO write_budget (day, rows) SELECT ?1, changes() WHERE changes() > 0
  ON CONFLICT (day) DO UPDATE SET rows = rows + excluded.rows`;

const ADD_ROWS = `INSERT INTO write_budget (day, rows) VALUES (?1, ?2)
  ON CONFLICT (day) DO UPDATE SET rows = rows + excluded.rows`;

// Rejection counts of queued messages are added once per message: each entry carries its day and
// its message's receipt, and the receipts are recorded in the same transaction.
const COUNT_QUEUED_REJECTIONS = `INSERT INTO rejections_daily (day, product, event, code, version, count)
  SELECT json_extract(r.value, '$.day'), json_extract(r.value, '$.product'), json_extract(r.value, '$.event'),
         json_extract(r.value, '$.code'), json_extract(r.value, '$.version'), json_extract(r.value, '$.count')
  FROM json_each(?1) AS r
  WHERE NOT EXISTS (SELECT 1 FROM queue_receipts WHERE receipt = json_extract(r.value, '$.receipt'))
  ON CONFLICT (day, product, event, code, version) DO UPDATE SET count = count + excluded.count`;

const RECORD_RECEIPTS = `INSERT INTO queue_receipts (receipt, day)
  SELECT json_extract(r.value, '$.receipt'), json_extract(r.value, '$.day') FROM json_each(?1) AS r WHERE true
  ON CONFLICT (receipt) DO NOTHING`;

export const queued = {
  // insertRows() writes rows whose budget is counted apart (the statement's meta.changes).
  insertRows: (db, rowsJson) => db.prepare(INSERT_ROWS_UNGUARDED).bind(rowsJson),
  // insertAndCountRows() writes rows into DB and counts them in the same transaction.
  insertAndCountRows: (db, day, rowsJson) => [db.prepare(INSERT_ROWS_UNGUARDED).bind(rowsJson), db.prepare(COUNT_INSERTED_ROWS).bind(day)],
  // addRows() counts rows another database took.
  addRows: (db, day, rows) => db.prepare(ADD_ROWS).bind(day, rows),
  // countRejections() adds entries ({ day, receipt, product, event, code, version, count }) once per receipt.
  countRejections: (db, entriesJson) => db.prepare(COUNT_QUEUED_REJECTIONS).bind(entriesJson),
  // recordReceipts() marks messages ({ receipt, day }) as counted.
  recordReceipts: (db, receiptsJson) => db.prepare(RECORD_RECEIPTS).bind(receiptsJson),
};

// rowsWrittenToday() reads the day's budget counter (queue mode checks it now and then).
export async function rowsWrittenToday(db, day) {
  return (await db.prepare(SELECT_BUDGET).bind(day).first('rows')) ?? 0;
}

// countRejections() records the rejections of a request that stored nothing.
export async function countRejections(db, rejectionsJson, { budget, now = Date.now() }) {
  const day = dayOf(now);
  await db.prepare(COUNT_REJECTIONS).bind(day, rejectionsJson, 0, budget).run();
}

// logLostRejectionCounts() reports rejection counts that could not be recorded: they cost a count,
// never the client's answer. D1's and the queue's errors name no event data.
export function logLostRejectionCounts(error) {
  console.error(`phonehome: counting rejections failed: ${error?.message ?? error}`);
}

// normalizeInstallId() spells an install id the way the core stores it: UUIDs lower case with
// dashes (the catalogue's uuid kind), anything else trimmed.
export function normalizeInstallId(value) {
  const text = value.trim();
  const hex = text.replace(/^\{(.*)\}$/, '$1').replace(/-/g, '');
  if (/^[0-9a-fA-F]{32}$/.test(hex) && /^\{?[0-9a-fA-F-]{32,36}\}?$/.test(text)) {
    const h = hex.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return text;
}

// forgetInstall() deletes every event of one install from every event store; returns how many
// rows went.
export async function forgetInstall(stores, installId) {
  const results = await Promise.all(stores.map(({ db }) => db.prepare('DELETE FROM events WHERE install_id = ?1').bind(installId).run()));
  return results.reduce((n, result) => n + result.meta.changes, 0);
}
