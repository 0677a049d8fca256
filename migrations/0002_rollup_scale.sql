-- 0002_rollup_scale.sql: rollups and retention that hold at a million events a day (0.3).
-- events gains a `day` column, and two indexes replace events_by_time and the old
-- events_by_install. Adding a column rewrites nothing; the rows stored before it have day NULL
-- until the hourly maintenance fills them in, in short statements, before it rolls anything up
-- (worker/maintenance.js). Building the indexes reads the table once: about 2 s per million events
-- locally. Two tables of counts are new.

ALTER TABLE events ADD COLUMN day INTEGER CHECK (day IS NULL OR day = occurred_at / 86400000);

DROP INDEX IF EXISTS events_by_time;

DROP INDEX IF EXISTS events_by_install;

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
