-- Purpose: a work table of activities described as the rollups count them: an arrival load's own rows
--          (load_rows, which delta/load-rows.sql fills) or the activities a recount counts again
--          (recount_rows, which recount/insert-rows.sql fills; the counts, the active devices and the
--          devices whose active days may change read it instead of scanning the wide stg.adjust again
--          each). A temporary table of the merge's session. Text columns as wide as the rollup columns
--          they feed.
-- Placeholders: {work} the table's name, load_rows or recount_rows (src/etl/rollups/delta.ts and
--               recount.ts name it).
CREATE TEMP TABLE {work} (
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
