// storage.js: D1 writes. Every accepted row of a request is written in one batch(), which D1 runs
// as one transaction: either all of them are stored or none is, so a retry after a failure is
// always safe, and the dedup key makes it land once.
//
// The core hands rows over as JSON arrays of at most 96 KiB, each bound as the single parameter
// of one statement and unpacked by SQLite's json_each(): any request stays far inside D1's limits
// of 100 bound parameters and 100 KB of SQL per statement, and a 1 MiB body needs about 25
// statements of the 50 a free-plan invocation may run.

import { dayOf } from './days.js';
import { noteStored } from './live-signal.js';
import { MAIN_BINDING, splitByStore } from './stores.js';

// The events columns, in schema.sql's order; the core writes each row as an object with these keys.
export const ROW_COLUMNS = [
  'event_id', 'product', 'event', 'install_id', 'session_id', 'version', 'os', 'arch',
  'runtime', 'runtime_version', 'occurred_at', 'received_at', 'time_source', 'properties',
];

// installKey() is the name an install's counter goes by in install_writes: 64 bits of two
// MurmurHash3 (x86, 32-bit) passes over the id's UTF-8, as 16 hex digits. The counters never hold
// the id itself; a hash that runs in the isolate, synchronously, costs a relay's request of 1,000
// installs microseconds where one SHA-256 digest per install would cost milliseconds. It is no
// secret: whoever holds an install id can find its counter, so forget deletes it too. Changing it
// only orphans the current day's counters.
export function installKey(installId) {
  // Encoded into a reused buffer: a new array per install would cost more than the hash.
  if (installId.length * 3 > scratch.length) scratch = new Uint8Array(installId.length * 3);
  const bytes = scratch.subarray(0, utf8.encodeInto(installId, scratch).written);
  return hex32(murmur3(bytes, 0x7068_6f6e)) + hex32(murmur3(bytes, 0x6568_6f6d));
}

const utf8 = new TextEncoder();
let scratch = new Uint8Array(256);
const hex32 = (n) => n.toString(16).padStart(8, '0');
const rotl = (x, r) => (x << r) | (x >>> (32 - r));
const mix = (k) => Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);

// murmur3() is MurmurHash3_x86_32 of `bytes` (a Uint8Array), as an unsigned 32-bit number.
export function murmur3(bytes, seed) {
  let h = seed | 0;
  const tail = bytes.length & ~3;
  for (let i = 0; i < tail; i += 4) {
    h ^= mix(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    h = (Math.imul(rotl(h, 13), 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let i = bytes.length - 1; i >= tail; i--) k = (k << 8) | bytes[i];
  if (bytes.length & 3) h ^= mix(k);
  h ^= bytes.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// installsOfResult() is installsOf() of a request, as the core counted it (install_key.h): no row
// is parsed and no install hashed here, on the request's path.
export function installsOfResult(result) {
  return { rows: new Map(Object.entries(JSON.parse(result.installCountsJson))), json: result.installCountsJson, idsJson: result.rowInstallsJson };
}

// installsOf() reads row chunks once: `rows` per install key (rows without an install id are
// under none), and `idsJson`, every row's [event_id, install key or null], which the transaction
// uses to count the rows it really inserted. It parses the rows and hashes each install once
// (for 1,000 events 1-2.5 ms, a third to a half of the core's own time), so the request path takes
// the core's counts instead (installsOfResult()); the queue consumer, which gets rows alone, uses
// this. A pattern over the text would be cheaper, but a nested field's keys could fool it.
export function installsOf(chunks) {
  const rows = new Map();
  const keys = new Map();
  const ids = [];
  for (const chunk of chunks) {
    for (const row of JSON.parse(chunk.rowsJson)) {
      // A row that is not an object (only a queue message not of ours) is left for SQL to refuse.
      const id = row?.install_id;
      let key = null;
      if (typeof id === 'string') {
        key = keys.get(id);
        if (key === undefined) keys.set(id, key = installKey(id));
        rows.set(key, (rows.get(key) ?? 0) + 1);
      }
      ids.push([row?.event_id ?? null, key]);
    }
  }
  // The keys are hex digits: nothing in them needs escaping.
  const json = `{${Array.from(rows, ([key, n]) => `"${key}":${n}`).join(',')}}`;
  return { rows, json, idsJson: JSON.stringify(ids) };
}

// The day's counters before this request: rows written, and how many of the request's installs
// (?2: {key: rows}) it would take past their share (?3).
const SELECT_BUDGET = `SELECT (SELECT coalesce(max(rows), 0) FROM write_budget WHERE day = ?1) AS rows,
  (SELECT count(*) FROM json_each(?2) AS i LEFT JOIN install_writes AS w ON w.day = ?1 AND w.install = i.key
   WHERE coalesce(w.rows, 0) + i.value > ?3) AS installs_over`;

// Which rows of a chunk the table already holds: their verdicts become "duplicate".
const SELECT_STORED = `SELECT r.key AS row FROM json_each(?1) AS r
  JOIN events AS e ON e.event_id = json_extract(r.value, '$.event_id')`;

// The columns an insert writes: the row's, and the UTC day of its occurred_at, which the events
// table keeps for its day index (schema.sql checks that it is right).
export const INSERT_COLUMNS = [...ROW_COLUMNS, 'day'];

// The columns of a row, read from one json_each() element.
const ROW_VALUES = `SELECT ${ROW_COLUMNS.map((c) => `json_extract(r.value, '$.${c}')`).join(', ')},
  json_extract(r.value, '$.occurred_at') / 86400000 FROM json_each(?1) AS r`;

// fits() is the guard every write of a request repeats inside the transaction, so two requests
// racing past a limit cannot both write: the day's rows plus this request's (?count) within the
// budget, and no install of the request ({key: rows}) past its share. The counters change only
// in the transaction's last statements, so every guard sees the same state, and the request is
// stored whole or not at all.
const fits = (day, count, budget, installs, share) => `
  (SELECT coalesce(max(rows), 0) FROM write_budget WHERE day = ${day}) + ${count} <= ${budget}
  AND NOT EXISTS (SELECT 1 FROM json_each(${installs}) AS i LEFT JOIN install_writes AS w ON w.day = ${day} AND w.install = i.key
                  WHERE coalesce(w.rows, 0) + i.value > ${share})`;

const INSERT_ROWS = `INSERT INTO events (${INSERT_COLUMNS.join(', ')}) ${ROW_VALUES}
  WHERE ${fits('?2', '?3', '?4', '?5', '?6')}
  ON CONFLICT (event_id) DO NOTHING`;

// Rows whose budget was settled elsewhere: reserved in DB (event stores), or acknowledged already
// (queue mode: refusing them now would lose them).
const INSERT_ROWS_UNGUARDED = `INSERT INTO events (${INSERT_COLUMNS.join(', ')}) ${ROW_VALUES} WHERE true
  ON CONFLICT (event_id) DO NOTHING`;

// The counters count the rows this request really inserted, not its duplicates: a retry after a
// lost answer costs neither the budget nor its install's share again. They are this request's
// ids (?2: [[event_id, install key], …]) that are now stored with its received_at (?3); a
// refused request inserted none, so these need no guard. (A duplicate stored by another request
// in the same millisecond would be counted: harmless, and rarer than a retry.)
const COUNT_WRITTEN = `INSERT INTO write_budget (day, rows)
  SELECT ?1, n FROM (SELECT count(*) AS n FROM json_each(?2) AS p
    JOIN events AS e ON e.event_id = json_extract(p.value, '$[0]') AND e.received_at = ?3) WHERE n > 0
  ON CONFLICT (day) DO UPDATE SET rows = rows + excluded.rows`;

const COUNT_INSTALL_WRITES = `INSERT INTO install_writes (day, install, rows)
  SELECT ?1, json_extract(p.value, '$[1]') AS install, count(*) FROM json_each(?2) AS p
    JOIN events AS e ON e.event_id = json_extract(p.value, '$[0]') AND e.received_at = ?3
  WHERE json_extract(p.value, '$[1]') IS NOT NULL GROUP BY install
  ON CONFLICT (day, install) DO UPDATE SET rows = rows + excluded.rows`;

// With event stores, DB reserves the request's rows before the stores write (conservatively: all
// of them, duplicates too), then its installs' rows, only if that reservation was made (changes()
// of the statement just before).
const RESERVE_ROWS = `INSERT INTO write_budget (day, rows) SELECT ?1, ?2
  WHERE ${fits('?1', '?2', '?3', '?4', '?5')}
  ON CONFLICT (day) DO UPDATE SET rows = rows + excluded.rows`;

const RESERVE_INSTALL_ROWS = `INSERT INTO install_writes (day, install, rows)
  SELECT ?1, i.key, i.value FROM json_each(?2) AS i WHERE changes() > 0
  ON CONFLICT (day, install) DO UPDATE SET rows = rows + excluded.rows`;

// Per day, product, event and code, rejection counts keep at most this many versions on rows of
// their own; counts of further versions go to the row of version '' (unknown), so totals stay
// exact and the table holds at most MAX_REJECTION_VERSIONS + 1 rows per day, product, event and
// code. The version of a rejected event is the sender's to choose (any semver, "1.0.0-<random>"):
// without a cap every rejected event could add a row, budget spent or not. The releases in the
// field that send one kind of bad event on one day are a handful; 20 leaves room for a long tail
// and pre-releases, and keeps a day of the reference catalogue under 5,000 rows (12 events × 17
// event codes × 21) however it is flooded.
export const MAX_REJECTION_VERSIONS = 20;

// addRejections() is the statement that adds rejection counts (rows { day, product, event, code,
// version, n } of the SELECT `entries`) to rejections_daily, within the cap. A version keeps a row
// of its own when it has one already, or when its rank among the statement's new versions of its
// day, product, event and code (largest counts first) is within the room left there: the cap less
// the versions stored before the statement (its SELECT reads the table it inserts into, so SQLite
// runs it to completion first). The ranking keeps the bound within one statement, however many new
// versions it brings. The room is read once per key and stops counting at the cap, so a key that
// holds more (rows written before the cap) costs no more: a flood of rejected events, which spends
// no budget, must not spend D1's rows read either.
const addRejections = (entries) => `INSERT INTO rejections_daily (day, product, event, code, version, count)
  WITH entry AS (${entries}),
  summed AS (SELECT day, product, event, code, version, sum(n) AS n FROM entry GROUP BY day, product, event, code, version),
  room AS (SELECT day, product, event, code, ${MAX_REJECTION_VERSIONS} - (SELECT count(*) FROM (SELECT 1 FROM rejections_daily AS d
      WHERE d.day = s.day AND d.product = s.product AND d.event = s.event AND d.code = s.code AND d.version != ''
      LIMIT ${MAX_REJECTION_VERSIONS})) AS free
    FROM summed AS s GROUP BY day, product, event, code),
  judged AS MATERIALIZED (SELECT s.*, s.version = '' OR EXISTS (SELECT 1 FROM rejections_daily AS d WHERE d.day = s.day AND d.product = s.product
      AND d.event = s.event AND d.code = s.code AND d.version = s.version) AS known
    FROM summed AS s),
  ranked AS (SELECT j.*, known OR row_number() OVER (PARTITION BY day, product, event, code, known ORDER BY n DESC, version) <= free AS kept
    FROM judged AS j LEFT JOIN room USING (day, product, event, code))
  SELECT day, product, event, code, CASE WHEN kept THEN version ELSE '' END AS kept_version, sum(n) FROM ranked
  WHERE true GROUP BY day, product, event, code, kept_version
  ON CONFLICT (day, product, event, code, version) DO UPDATE SET count = count + excluded.count`;

// Per day, product and event, rejected-event shapes (the core's: keys and JSON types, no value)
// keep at most this many shapes on rows of their own; counts of further shapes go to OTHER_SHAPE,
// so totals stay exact. A shape is the sender's to choose (any set of safe keys), so without a cap
// every rejected event could add a row; the releases that send one wrong event on one day send a
// handful of shapes.
export const MAX_REJECTED_SHAPES = 50;
export const OTHER_SHAPE = '{"…":"other"}';

// addShapes() is the statement that adds shape counts (rows { day, product, event, code, version,
// shape, n } of the SELECT `entries`; entries without a shape, events that were no object, are
// left out) to rejected_shapes_daily. It runs just after addRejections() over the same entries in
// the same transaction, and keeps a version exactly when rejections_daily kept it (the row is
// there now), so both tables cap versions alike. Shapes are capped as addRejections() caps
// versions: a shape keeps its rows when the day, product and event hold it already, or when its
// rank among the statement's new shapes (largest counts first) is within the room left. Unlike
// addRejections(), telling whether a shape is known reads the day, product and event's rows (the
// primary key puts version and code before shape): at most (MAX_REJECTED_SHAPES + 1) × 21 versions
// × the event's codes, and in practice a handful.
const addShapes = (entries) => `INSERT INTO rejected_shapes_daily (day, product, event, version, code, shape, count)
  WITH entry AS (${entries}),
  versioned AS (SELECT e.day, e.product, e.event, e.code, e.shape, e.n,
      CASE WHEN EXISTS (SELECT 1 FROM rejections_daily AS d WHERE d.day = e.day AND d.product = e.product AND d.event = e.event
        AND d.code = e.code AND d.version = e.version) THEN e.version ELSE '' END AS version
    FROM entry AS e WHERE e.shape IS NOT NULL),
  summed AS (SELECT day, product, event, code, version, shape, sum(n) AS n FROM versioned GROUP BY day, product, event, code, version, shape),
  shapes AS (SELECT day, product, event, shape, sum(n) AS n FROM summed GROUP BY day, product, event, shape),
  room AS (SELECT day, product, event, ${MAX_REJECTED_SHAPES} - (SELECT count(*) FROM (SELECT DISTINCT d.shape FROM rejected_shapes_daily AS d
      WHERE d.day = s.day AND d.product = s.product AND d.event = s.event AND d.shape != '${OTHER_SHAPE}'
      LIMIT ${MAX_REJECTED_SHAPES})) AS free
    FROM shapes AS s GROUP BY day, product, event),
  judged AS MATERIALIZED (SELECT s.*, EXISTS (SELECT 1 FROM rejected_shapes_daily AS d WHERE d.day = s.day AND d.product = s.product
      AND d.event = s.event AND d.shape = s.shape) AS known
    FROM shapes AS s),
  ranked AS (SELECT j.day, j.product, j.event, j.shape,
      known OR row_number() OVER (PARTITION BY day, product, event, known ORDER BY n DESC, shape) <= free AS kept
    FROM judged AS j LEFT JOIN room USING (day, product, event))
  SELECT s.day, s.product, s.event, s.version, s.code, CASE WHEN r.kept THEN s.shape ELSE '${OTHER_SHAPE}' END AS kept_shape, sum(s.n)
  FROM summed AS s JOIN ranked AS r USING (day, product, event, shape)
  WHERE true GROUP BY s.day, s.product, s.event, s.version, s.code, kept_shape
  ON CONFLICT (day, product, event, version, code, shape) DO UPDATE SET count = count + excluded.count`;

// Rejection counts of one request, from the core (no event data), added to the day's counters, and
// their shapes. The guard keeps a refused request, and its retries, from counting more than once.
const REQUEST_REJECTIONS = `SELECT ?1 AS day, json_extract(r.value, '$.product') AS product,
    json_extract(r.value, '$.event') AS event, json_extract(r.value, '$.code') AS code, json_extract(r.value, '$.version') AS version,
    json_extract(r.value, '$.shape') AS shape, json_extract(r.value, '$.count') AS n
  FROM json_each(?2) AS r
  WHERE ${fits('?1', '?3', '?4', '?5', '?6')}`;
const COUNT_REJECTIONS = addRejections(REQUEST_REJECTIONS);
const COUNT_SHAPES = addShapes(REQUEST_REJECTIONS);

// BudgetRefused is a request the day's counters cannot take (nothing of it was written): `used`
// rows were written before it, and `installOver` says whether one of its installs would pass its
// share. ingest.js turns it into the answer (docs/PROTOCOL.md).
export class BudgetRefused extends Error {
  constructor(day, used, installOver) {
    super(`the daily write budget of day ${day} cannot take the request`);
    this.day = day;
    this.used = used;
    this.installOver = installOver;
  }
}

// limitsOf() is the guard's parameters: with no share given (a caller that only knows the budget)
// installs are not limited apart.
function limitsOf({ budget, share = null, installs }) {
  return { budget, share: share ?? budget, installsJson: share === null ? '{}' : installs.json };
}

// storeRows() writes a request's row chunks atomically and returns the indexes (request-wide) of
// rows that were already stored. It throws BudgetRefused when the day's counters cannot take them
// (then nothing was written), and D1's own error when D1 fails (then nothing was written either).
// With budget null nothing is checked or counted here (the caller settled it). `installs` is
// installsOf(chunks), when the caller has it already.
export async function storeRows(db, chunks, rowCount, { budget, share = null, installs, rejectionsJson = '[]', now = Date.now() }) {
  const day = dayOf(now);
  const guarded = budget !== null;
  if (guarded) installs ??= installsOf(chunks);
  const limits = guarded ? limitsOf({ budget, share, installs }) : null;
  const statements = guarded ? [db.prepare(SELECT_BUDGET).bind(day, limits.installsJson, limits.share)] : [];
  if (rejectionsJson !== '[]') {
    const guard = guarded ? [rowCount, limits.budget, limits.installsJson, limits.share] : [0, Number.MAX_SAFE_INTEGER, '{}', 0];
    for (const sql of [COUNT_REJECTIONS, COUNT_SHAPES]) statements.push(db.prepare(sql).bind(day, rejectionsJson, ...guard));
  }
  const firstChunk = statements.length;
  for (const chunk of chunks) {
    statements.push(db.prepare(SELECT_STORED).bind(chunk.rowsJson));
    statements.push(guarded
      ? db.prepare(INSERT_ROWS).bind(chunk.rowsJson, day, rowCount, limits.budget, limits.installsJson, limits.share)
      : db.prepare(INSERT_ROWS_UNGUARDED).bind(chunk.rowsJson));
  }
  if (guarded) {
    statements.push(db.prepare(COUNT_WRITTEN).bind(day, installs.idsJson, now));
    if (installs.rows.size) statements.push(db.prepare(COUNT_INSTALL_WRITES).bind(day, installs.idsJson, now));
  }
  const results = await db.batch(statements);
  if (guarded) {
    const { rows: used, installs_over: over = 0 } = results[0].results[0];
    if (used + rowCount > budget || over > 0) throw new BudgetRefused(day, used, over > 0);
  }
  const stored = [];
  chunks.forEach((chunk, i) => {
    for (const { row } of results[firstChunk + 2 * i].results) stored.push(chunk.rowIndexes ? chunk.rowIndexes[row] : chunk.firstRow + row);
  });
  if (stored.length < rowCount) noteStored(now); // some rows were new
  return stored;
}

const REFUND_ROWS = 'UPDATE write_budget SET rows = max(0, rows - ?2) WHERE day = ?1';
const REFUND_INSTALL_ROWS = `UPDATE install_writes SET rows = max(0, rows - coalesce((SELECT i.value FROM json_each(?2) AS i WHERE i.key = install), 0))
  WHERE day = ?1 AND install IN (SELECT i.key FROM json_each(?2) AS i)`;

// storeRequestRows() is storeRows() over the event stores (stores.js). With routes, the request's
// rows are first counted against the budget and its installs' shares in DB (one budget for the
// whole account, as D1's free-plan row limit is), then each database takes its share in its own
// transaction. If one fails, the counts are given back and the client retries: rows that did
// land answer "duplicate". Rejections are counted once every share is stored, so a retry cannot
// count them twice.
export async function storeRequestRows(env, { routes }, result, options) {
  const byStore = splitByStore(result.chunks, routes);
  if (byStore.size === 1 && byStore.has(MAIN_BINDING)) {
    return storeRows(env[MAIN_BINDING], result.chunks, result.rowCount, options);
  }
  const main = env[MAIN_BINDING];
  const day = dayOf(options.now ?? Date.now());
  const installs = options.installs ?? installsOfResult(result);
  const limits = limitsOf({ ...options, installs });
  const [state] = await main.batch([
    main.prepare(SELECT_BUDGET).bind(day, limits.installsJson, limits.share),
    main.prepare(RESERVE_ROWS).bind(day, result.rowCount, limits.budget, limits.installsJson, limits.share),
    main.prepare(RESERVE_INSTALL_ROWS).bind(day, limits.installsJson),
  ]);
  const { rows: used, installs_over: over = 0 } = state.results[0];
  if (used + result.rowCount > limits.budget || over > 0) throw new BudgetRefused(day, used, over > 0);
  let stored;
  try {
    stored = await Promise.all([...byStore].map(([binding, chunks]) => storeRows(env[binding], chunks,
      chunks.reduce((n, c) => n + c.rowIndexes.length, 0), { budget: null, now: options.now })));
  } catch (error) {
    await main.batch([main.prepare(REFUND_ROWS).bind(day, result.rowCount), main.prepare(REFUND_INSTALL_ROWS).bind(day, limits.installsJson)])
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

// Rejection counts of queued messages, and their shapes, are added once per message: each entry
// carries its day and its message's receipt, and the receipts are recorded in the same transaction.
const QUEUED_REJECTIONS = `SELECT json_extract(r.value, '$.day') AS day, json_extract(r.value, '$.product') AS product,
    json_extract(r.value, '$.event') AS event, json_extract(r.value, '$.code') AS code, json_extract(r.value, '$.version') AS version,
    json_extract(r.value, '$.shape') AS shape, json_extract(r.value, '$.count') AS n
  FROM json_each(?1) AS r
  WHERE NOT EXISTS (SELECT 1 FROM queue_receipts WHERE receipt = json_extract(r.value, '$.receipt'))`;
const COUNT_QUEUED_REJECTIONS = addRejections(QUEUED_REJECTIONS);
const COUNT_QUEUED_SHAPES = addShapes(QUEUED_REJECTIONS);

const RECORD_RECEIPTS = `INSERT INTO queue_receipts (receipt, day)
  SELECT json_extract(r.value, '$.receipt'), json_extract(r.value, '$.day') FROM json_each(?1) AS r WHERE true
  ON CONFLICT (receipt) DO NOTHING`;

// Per install, the rows of ?ids ([[event_id, install key], …]) an insert would add: those not
// stored yet, each once however often its message came. Read in the same transaction just before
// the insert, this is exactly what the insert adds.
const newInstallRows = (ids) => `SELECT json_extract(p.value, '$[1]') AS install, count(DISTINCT json_extract(p.value, '$[0]')) AS rows
  FROM json_each(${ids}) AS p
  WHERE json_extract(p.value, '$[1]') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM events AS e WHERE e.event_id = json_extract(p.value, '$[0]'))
  GROUP BY install`;

const COUNT_NEW_INSTALL_ROWS = `INSERT INTO install_writes (day, install, rows)
  SELECT ?1, install, rows FROM (${newInstallRows('?2')}) WHERE true
  ON CONFLICT (day, install) DO UPDATE SET rows = rows + excluded.rows`;

const ADD_INSTALL_ROWS = `INSERT INTO install_writes (day, install, rows)
  SELECT ?1, i.key, i.value FROM json_each(?2) AS i WHERE true
  ON CONFLICT (day, install) DO UPDATE SET rows = rows + excluded.rows`;

export const queued = {
  // insertRows() writes rows whose budget is counted apart (the statement's meta.changes).
  insertRows: (db, rowsJson) => db.prepare(INSERT_ROWS_UNGUARDED).bind(rowsJson),
  // insertAndCountRows() writes rows into DB and counts them, per install too, in the same
  // transaction. The install counts go first: changes() must follow the insert.
  insertAndCountRows: (db, day, rowsJson) => [
    db.prepare(COUNT_NEW_INSTALL_ROWS).bind(day, installsOf([{ rowsJson }]).idsJson),
    db.prepare(INSERT_ROWS_UNGUARDED).bind(rowsJson),
    db.prepare(COUNT_INSERTED_ROWS).bind(day),
  ],
  // newInstallRows() reads, before another database's insert, what it will add per install
  // (results: { install, rows }), to be counted in DB with addInstallRows().
  newInstallRows: (db, rowsJson) => db.prepare(newInstallRows('?1')).bind(installsOf([{ rowsJson }]).idsJson),
  addInstallRows: (db, day, installsJson) => db.prepare(ADD_INSTALL_ROWS).bind(day, installsJson),
  // addRows() counts rows another database took.
  addRows: (db, day, rows) => db.prepare(ADD_ROWS).bind(day, rows),
  // countRejections() adds entries ({ day, receipt, product, event, code, version, shape?, count })
  // once per receipt: two statements, the counts then their shapes, to run in this order before
  // recordReceipts().
  countRejections: (db, entriesJson) => [COUNT_QUEUED_REJECTIONS, COUNT_QUEUED_SHAPES].map((sql) => db.prepare(sql).bind(entriesJson)),
  // recordReceipts() marks messages ({ receipt, day }) as counted.
  recordReceipts: (db, receiptsJson) => db.prepare(RECORD_RECEIPTS).bind(receiptsJson),
};

// Installs that have written their share today (queue mode keeps them out until the day ends).
// Bounded: past a thousand, the budget itself is the limit that matters.
const SELECT_SPENT_INSTALLS = 'SELECT install FROM install_writes WHERE day = ?1 AND rows >= ?2 LIMIT 1000';

// readBudget() reads the day's counters (queue mode checks them now and then): rows written, and
// the keys of installs at their share.
export async function readBudget(db, day, share) {
  const [budget, spent] = await db.batch([db.prepare(SELECT_BUDGET).bind(day, '{}', share), db.prepare(SELECT_SPENT_INSTALLS).bind(day, share)]);
  return { rows: budget.results[0]?.rows ?? 0, spentInstalls: new Set(spent.results.map((r) => r.install)) };
}

// countRejections() records the rejections of a request that stored nothing, and their shapes,
// in one transaction.
export async function countRejections(db, rejectionsJson, { budget, now = Date.now() }) {
  const day = dayOf(now);
  await db.batch([COUNT_REJECTIONS, COUNT_SHAPES].map((sql) => db.prepare(sql).bind(day, rejectionsJson, 0, budget, '{}', 0)));
}

// logLostRejectionCounts() reports rejection counts that could not be recorded: they cost a count,
// never the client's answer. D1's and the queue's errors name no event data.
export function logLostRejectionCounts(error) {
  console.error(`phonehome: counting rejections failed: ${error?.message ?? error}`);
}

const FORGET_EVENTS = 'DELETE FROM events WHERE install_id = ?1';
const FORGET_COUNTERS = 'DELETE FROM install_writes WHERE install = ?1';

// forgetInstall() deletes every event of one install from every event store, and in DB, in the
// same transaction, its write counters (which hold a hash of the id, but one anybody holding the
// id can compute); returns how many events went. `forms` are the spellings the core says the id is
// stored under (ph_forget: [{ install_id, install_key }, …]): one statement each, in one batch per
// store. No forms: nothing can be stored under the id, nothing is deleted.
export async function forgetInstall(stores, forms) {
  if (forms.length === 0) return 0;
  const results = await Promise.all(stores.map(async ({ binding, db }) => {
    const statements = forms.map((form) => db.prepare(FORGET_EVENTS).bind(form.install_id));
    if (binding === MAIN_BINDING) statements.push(...forms.map((form) => db.prepare(FORGET_COUNTERS).bind(form.install_key)));
    const done = await db.batch(statements);
    return done.slice(0, forms.length).reduce((n, result) => n + result.meta.changes, 0);
  }));
  return results.reduce((n, changes) => n + changes, 0);
}
