-- 0003_version_health.sql: the version-health loop (0.4). Events say whether they came from CI and
-- at what rate they were kept; rollups are kept a second time without CI; and the tables of the
-- version check (releases, advisories, remote settings and their change log), of check counts, of
-- client drop reports and of rejected-event shapes are new. Adding columns rewrites nothing: rows
-- stored before this have ci NULL (the event did not say) and sample_rate NULL (kept at rate 1).

ALTER TABLE events ADD COLUMN ci TEXT;

ALTER TABLE events ADD COLUMN sample_rate REAL CHECK (sample_rate IS NULL OR (sample_rate > 0 AND sample_rate <= 1));

-- What a rollup cell really stored when it holds sampled events (its events and distinct installs
-- before scaling), for folding; NULL in every cell without a sampled event, rows before this included.
ALTER TABLE rollup_daily ADD COLUMN kept_events INTEGER;

ALTER TABLE rollup_daily ADD COLUMN kept_installs INTEGER;

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
