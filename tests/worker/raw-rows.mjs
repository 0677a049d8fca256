// raw-rows.mjs: events rows written straight into the local D1, for tests that need days of raw
// events faster, or of other shapes, than ingest would store them. `day` is derived as the insert
// of worker/storage.js derives it.
export async function insertRaw(worker, rows) {
  for (let i = 0; i < rows.length; i += 500) {
    await worker.execute(`INSERT INTO events (event_id, product, event, install_id, session_id, version, os, arch, runtime, runtime_version,
        occurred_at, received_at, time_source, properties, day)
      SELECT json_extract(value, '$.event_id'), json_extract(value, '$.product'), json_extract(value, '$.event'), json_extract(value, '$.install_id'),
        json_extract(value, '$.session_id'), json_extract(value, '$.version'), json_extract(value, '$.os'), json_extract(value, '$.arch'),
        json_extract(value, '$.runtime'), json_extract(value, '$.runtime_version'), json_extract(value, '$.occurred_at'),
        json_extract(value, '$.received_at'), json_extract(value, '$.time_source'), json_extract(value, '$.properties'),
        json_extract(value, '$.occurred_at') / 86400000
      FROM json_each(?1)`, [JSON.stringify(rows.slice(i, i + 500))]);
  }
}
