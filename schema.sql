-- schema.sql: phonehome's D1 tables. Idempotent: apply it as often as you like, locally with
--   npx wrangler d1 execute phonehome --local --file schema.sql
-- and remotely with --remote instead of --local.

-- One row per accepted event. No column holds an IP address or anything a client did not send
-- as a declared field; `properties` holds the event's other declared fields, normalized.
CREATE TABLE IF NOT EXISTS events (
  event_id        TEXT    NOT NULL PRIMARY KEY,  -- dedup key: hash of product, event, dedup fields
  product         TEXT    NOT NULL,
  event           TEXT    NOT NULL,
  install_id      TEXT,
  session_id      TEXT,
  version         TEXT,
  os              TEXT,
  arch            TEXT,
  runtime         TEXT,
  runtime_version TEXT,
  occurred_at     INTEGER NOT NULL,              -- UTC milliseconds
  received_at     INTEGER NOT NULL,              -- UTC milliseconds
  time_source     TEXT    NOT NULL,              -- client | client_corrected | server
  properties      TEXT    NOT NULL DEFAULT '{}'  -- JSON object
) WITHOUT ROWID;

-- Charts read by product, event and day; retention deletes by day.
CREATE INDEX IF NOT EXISTS events_by_product_time ON events (product, event, occurred_at);

-- POST /v1/forget deletes an install's rows without scanning the table. (Each index costs one
-- more written row per event in D1's pricing; these two are the ones the routes need.)
CREATE INDEX IF NOT EXISTS events_by_install ON events (install_id) WHERE install_id IS NOT NULL;

-- Rows written per UTC day (day = epoch milliseconds / 86400000), checked against the daily
-- write budget (DAILY_WRITE_BUDGET) inside every ingest transaction.
CREATE TABLE IF NOT EXISTS write_budget (
  day  INTEGER NOT NULL PRIMARY KEY,
  rows INTEGER NOT NULL
);
