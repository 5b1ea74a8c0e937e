-- Purpose: the work table of an arrival load's own rows as the rollups count them (delta/load-rows.sql
--          fills it). A temporary table of the merge's session. Text columns as wide as the rollup
--          columns they feed.
CREATE TEMP TABLE load_rows (
  id              BIGINT       NOT NULL,
  adid            VARCHAR(64),
  activity_kind   VARCHAR(64)  NOT NULL,
  created_day     DATE         NOT NULL,
  length_day      DATE         NOT NULL,
  app             VARCHAR(256) NOT NULL,
  os              VARCHAR(32)  NOT NULL,
  country         VARCHAR(16)  NOT NULL,
  channel         VARCHAR(256) NOT NULL,
  registrations   INTEGER      NOT NULL,
  session_seconds BIGINT       NOT NULL,
  sessions        INTEGER      NOT NULL,
  activities      INTEGER      NOT NULL,
  revenue_usd     DECIMAL(24, 6) NOT NULL
)
