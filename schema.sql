-- schema.sql: phonehome's D1 tables, the whole current schema in one file, for reading. A database
-- is made and evolved by the migrations in migrations/ (wrangler's format), applied in order:
--   npx wrangler d1 migrations apply DB --local      (or --remote)
-- tests/dev/migrations.test.mjs proves that applying every migration yields exactly this schema.
-- Every statement is idempotent, so applying this file to an empty database, or to one made from
-- it, does no harm either; a database made before 0.3 takes the migrations instead.

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
  properties      TEXT    NOT NULL DEFAULT '{}', -- JSON object
  -- The UTC day of occurred_at (days since 1970-01-01), for the index below. The inserts compute
  -- it, and the CHECK refuses a wrong one. NULL only in rows stored before 0.3 (migration 0002 adds
  -- the column without copying the table): the maintenance fills those in before it rolls up.
  day             INTEGER CHECK (day IS NULL OR day = occurred_at / 86400000),
  -- Whether the event came from CI: the CI's name, 'none' for not CI, NULL when the event does not
  -- say (its product declares no ci column, or it was stored before 0.4).
  ci              TEXT,
  -- The rate remote settings kept the event at (docs/PROTOCOL.md, "Remote settings"): the stats
  -- count it 1/sample_rate times. NULL: every event was kept.
  sample_rate     REAL CHECK (sample_rate IS NULL OR (sample_rate > 0 AND sample_rate <= 1))
) WITHOUT ROWID;

-- One day's events, grouped by install, then (events without one) by session, then by event_id:
-- the rollup reads a day in short slices that never split an install or a session, so distinct
-- counts add up across slices (worker/rollup.js); retention deletes whole days; the day's count is
-- one index range. A real column, not an expression: D1's SQLite reads an index on an expression
-- only together with the table rows, 100 times slower for a count (docs/SCALING.md).
CREATE INDEX IF NOT EXISTS events_by_day ON events (day, install_id, session_id);

-- An install's events per product in time order: POST /v1/forget deletes an install's rows without
-- scanning the table, and the rollup asks "did this install send anything before this day?" with
-- one seek, however many events the install sent. (Each index costs one more written row per
-- event in D1's pricing: events without an install id write two rows, events with one three.)
CREATE INDEX IF NOT EXISTS events_by_install ON events (install_id, product, occurred_at) WHERE install_id IS NOT NULL;

-- Rows written per UTC day (day = epoch milliseconds / 86400000), checked against the daily
-- write budget (DAILY_WRITE_BUDGET) inside every ingest transaction.
CREATE TABLE IF NOT EXISTS write_budget (
  day  INTEGER NOT NULL PRIMARY KEY,
  rows INTEGER NOT NULL
);

-- Rows each install wrote per UTC day, checked against its share of the budget
-- (DAILY_INSTALL_SHARE) inside every ingest transaction, so that one runaway or forged client
-- cannot spend the whole day. `install` is a 64-bit hash of the install id (16 hex digits), never
-- the id: the daily maintenance deletes a day's rows once it is over, and POST /v1/forget deletes
-- an install's (a scan, and no index: the table holds a day or two, and an index would cost a
-- written row on every ingest). Rows without an install id are counted in write_budget alone.
CREATE TABLE IF NOT EXISTS install_writes (
  day     INTEGER NOT NULL,
  install TEXT    NOT NULL,
  rows    INTEGER NOT NULL,
  PRIMARY KEY (day, install)
) WITHOUT ROWID;

-- Daily rollups: counts of each finished UTC day, kept after the raw events are deleted
-- (ROLLUP_RETENTION_DAYS). No identifiers: only counts, per product, per event ('*' = all events
-- of the product) and per value of one dimension at a time, so distinct counts are exact for
-- every slice. dimension is 'all' (value ''), 'version', 'os', 'arch', 'runtime' or
-- 'runtime_version'; an absent value is ''.
CREATE TABLE IF NOT EXISTS rollup_daily (
  day          INTEGER NOT NULL,  -- days since 1970-01-01 (UTC)
  product      TEXT    NOT NULL,
  event        TEXT    NOT NULL,
  dimension    TEXT    NOT NULL,
  value        TEXT    NOT NULL,
  events       INTEGER NOT NULL,
  installs     INTEGER NOT NULL,  -- distinct install_id
  sessions     INTEGER NOT NULL,  -- distinct session_id
  new_installs INTEGER NOT NULL,  -- installs with no event on an earlier day still in raw storage
  successes    INTEGER NOT NULL,  -- events whose declared success field was true
  failures     INTEGER NOT NULL,  -- … false
  -- What was really stored when the cell holds sampled events (events, distinct installs, before
  -- scaling by 1/sample_rate): groups are folded on these (worker/fold.js). NULL when none of the
  -- cell's events was sampled: then they are events and installs.
  kept_events   INTEGER,
  kept_installs INTEGER,
  PRIMARY KEY (day, product, event, dimension, value)
) WITHOUT ROWID;

-- Rejected events, counted at ingest without keeping any of their data: which SDK release sends
-- what kind of bad data. version is the event's version field when it could be read, else ''.
-- The sender chooses it, so per day, product, event and code at most MAX_REJECTION_VERSIONS
-- (worker/storage.js) versions have rows of their own; the others are counted under ''.
CREATE TABLE IF NOT EXISTS rejections_daily (
  day     INTEGER NOT NULL,
  product TEXT    NOT NULL,
  event   TEXT    NOT NULL,
  code    TEXT    NOT NULL,
  version TEXT    NOT NULL,
  count   INTEGER NOT NULL,
  PRIMARY KEY (day, product, event, code, version)
) WITHOUT ROWID;

-- Which days the rollup last computed, and from how many raw events: a finished day is computed
-- again only when its count of raw events has changed (late events, forgotten installs), at most
-- once a day (worker/rollup.js). Counts only.
CREATE TABLE IF NOT EXISTS rollup_runs (
  day       INTEGER NOT NULL PRIMARY KEY,  -- days since 1970-01-01 (UTC)
  events    INTEGER NOT NULL,              -- raw events of the day the rollup counted
  rolled_at INTEGER NOT NULL               -- UTC milliseconds
);

-- What each maintenance run asked of D1 (GET /v1/stats/ingest, bench/scale.mjs), kept 7 days:
-- statements, D1's own time (in total and the longest statement), rows read and written, days
-- rolled up, events deleted, and the work left for the next run. Counts only.
CREATE TABLE IF NOT EXISTS maintenance_runs (
  started_at        INTEGER NOT NULL PRIMARY KEY,  -- UTC milliseconds
  finished_at       INTEGER NOT NULL,
  queries           INTEGER NOT NULL,
  d1_ms             INTEGER NOT NULL,
  longest_ms        INTEGER NOT NULL,
  rows_read         INTEGER NOT NULL,
  rows_written      INTEGER NOT NULL,
  rolled_up_days    INTEGER NOT NULL,
  deleted_events    INTEGER NOT NULL,
  pending_days      INTEGER NOT NULL,  -- days whose rollup waits for a later run
  retention_backlog INTEGER NOT NULL   -- 1 when events past retention remained
);

-- Requests that matched no route, method or envelope, and captured events no mapping names
-- (worker/unmatched.js): per day, method, route shape (segments that could carry data replaced by
-- placeholders) and reason. No data of the requests. At most MAX_UNMATCHED_ROUTES_PER_DAY routes a
-- day; later shapes are counted under '{other}'.
CREATE TABLE IF NOT EXISTS unmatched_daily (
  day    INTEGER NOT NULL,
  method TEXT    NOT NULL,
  route  TEXT    NOT NULL,
  reason TEXT    NOT NULL,
  count  INTEGER NOT NULL,
  PRIMARY KEY (day, method, route, reason)
) WITHOUT ROWID;

-- Queue mode (docs/SCALING.md). A queued message's rejection counts are added once: its receipt
-- (a random id, no event data) is recorded in the same transaction. Kept 15 days, longer than a
-- message can stay in a queue.
CREATE TABLE IF NOT EXISTS queue_receipts (
  receipt TEXT    NOT NULL PRIMARY KEY,
  day     INTEGER NOT NULL
) WITHOUT ROWID;

-- The queue consumer's progress per minute (minute = epoch milliseconds / 60000), for
-- /v1/stats/ingest: messages written, redeliveries among them, and how long they had waited in the
-- queue (lag, from send to commit). backlog is the queue's own count when the consumer ran.
CREATE TABLE IF NOT EXISTS queue_minutely (
  minute       INTEGER NOT NULL PRIMARY KEY,
  batches      INTEGER NOT NULL,
  messages     INTEGER NOT NULL,
  redelivered  INTEGER NOT NULL,
  max_lag_ms   INTEGER NOT NULL,
  total_lag_ms INTEGER NOT NULL,
  backlog      INTEGER
) WITHOUT ROWID;

-- rollup_daily computed again from the events that did not come from CI (ci NULL or 'none'), for
-- the stats' default view. Written only for products that declare a ci column.
CREATE TABLE IF NOT EXISTS rollup_daily_no_ci (
  day          INTEGER NOT NULL,
  product      TEXT    NOT NULL,
  event        TEXT    NOT NULL,
  dimension    TEXT    NOT NULL,
  value        TEXT    NOT NULL,
  events       INTEGER NOT NULL,
  installs     INTEGER NOT NULL,
  sessions     INTEGER NOT NULL,
  new_installs INTEGER NOT NULL,
  successes    INTEGER NOT NULL,
  failures     INTEGER NOT NULL,
  kept_events  INTEGER,
  kept_installs INTEGER,
  PRIMARY KEY (day, product, event, dimension, value)
) WITHOUT ROWID;

-- The latest release of each product, set by its maintainer through the admin API.
CREATE TABLE IF NOT EXISTS releases (
  product       TEXT    NOT NULL PRIMARY KEY,
  latest        TEXT    NOT NULL,
  download_url  TEXT,
  changelog_url TEXT,
  updated_at    INTEGER NOT NULL  -- UTC milliseconds
) WITHOUT ROWID;

-- Advisories: a message for the versions a semver range covers. Withdrawn ones are kept, marked.
CREATE TABLE IF NOT EXISTS advisories (
  product      TEXT    NOT NULL,
  id           TEXT    NOT NULL,
  range        TEXT    NOT NULL,
  level        TEXT    NOT NULL,  -- info | warning | critical
  message      TEXT    NOT NULL,
  url          TEXT,
  created_at   INTEGER NOT NULL,
  withdrawn_at INTEGER,
  PRIMARY KEY (product, id)
) WITHOUT ROWID;

-- Remote SDK settings per product (event '*') and per event; NULL = not set here (the catalogue's
-- value, or the default, applies).
CREATE TABLE IF NOT EXISTS remote_settings (
  product     TEXT    NOT NULL,
  event       TEXT    NOT NULL,
  enabled     INTEGER,
  sample_rate REAL,
  min_version TEXT,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (product, event)
) WITHOUT ROWID;

-- Every change made through the admin API: when, to what, and the change itself. Never who or
-- from where: no address, no token.
CREATE TABLE IF NOT EXISTS admin_changes (
  at      INTEGER NOT NULL,  -- UTC milliseconds
  product TEXT    NOT NULL,
  kind    TEXT    NOT NULL,  -- release | advisory | advisory_withdrawn | settings
  change  TEXT    NOT NULL   -- JSON
);

-- Version checks per day, product, version and CI ('' = not said, 'none' = not CI, else the
-- CI's name). No identifier of the caller. Versions are capped per day like rejections'.
CREATE TABLE IF NOT EXISTS checks_daily (
  day     INTEGER NOT NULL,
  product TEXT    NOT NULL,
  version TEXT    NOT NULL,
  ci      TEXT    NOT NULL,
  count   INTEGER NOT NULL,
  PRIMARY KEY (day, product, version, ci)
) WITHOUT ROWID;

-- Events an SDK reports it dropped itself, per day, product, SDK version and reason.
CREATE TABLE IF NOT EXISTS client_reports_daily (
  day     INTEGER NOT NULL,
  product TEXT    NOT NULL,
  version TEXT    NOT NULL,
  reason  TEXT    NOT NULL,
  count   INTEGER NOT NULL,
  PRIMARY KEY (day, product, version, reason)
) WITHOUT ROWID;

-- Rejected events' shapes: their keys and JSON types, never a value, per day, product, event,
-- version and rejection code. Shapes are capped per day, product and event.
CREATE TABLE IF NOT EXISTS rejected_shapes_daily (
  day     INTEGER NOT NULL,
  product TEXT    NOT NULL,
  event   TEXT    NOT NULL,
  version TEXT    NOT NULL,
  code    TEXT    NOT NULL,
  shape   TEXT    NOT NULL,  -- JSON object: key → JSON type
  count   INTEGER NOT NULL,
  PRIMARY KEY (day, product, event, version, code, shape)
) WITHOUT ROWID;
