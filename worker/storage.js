// storage.js: writing the core's rows to D1.
//
// The core hands over all rows of a request as one JSON array, bound as a single parameter and
// unpacked by SQLite's json_each(), so any batch is one statement with one bound parameter: far
// inside D1's limits of 100 parameters and 100 KB of SQL per statement.

// The events columns, in schema.sql's order; the core writes each row as an object with these keys.
export const ROW_COLUMNS = [
  'event_id', 'product', 'event', 'install_id', 'session_id', 'version', 'os', 'arch',
  'runtime', 'runtime_version', 'occurred_at', 'received_at', 'time_source', 'properties',
];

// Which rows of this request the table already holds: their verdicts become "duplicate".
const SELECT_STORED = `SELECT r.key AS row FROM json_each(?1) AS r
  JOIN events AS e ON e.event_id = json_extract(r.value, '$.event_id')`;

const INSERT_ROWS = `INSERT INTO events (${ROW_COLUMNS.join(', ')})
  SELECT ${ROW_COLUMNS.map((c) => `json_extract(r.value, '$.${c}')`).join(', ')}
  FROM json_each(?1) AS r WHERE true
  ON CONFLICT (event_id) DO NOTHING`;

// storeRows() writes the rows atomically (D1 runs a batch as one transaction) and returns the
// indexes of rows that were already stored. It throws when D1 fails; then nothing was written.
export async function storeRows(db, rowsJson) {
  const [stored] = await db.batch([
    db.prepare(SELECT_STORED).bind(rowsJson),
    db.prepare(INSERT_ROWS).bind(rowsJson),
  ]);
  return stored.results.map((r) => r.row);
}
