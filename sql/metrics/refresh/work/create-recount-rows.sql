-- Purpose: the work table of the activities a recount counts again (those of the days in refresh_day whose
--          activities are recounted), each described once as the rollups count it: the counts, the
--          active devices and the devices whose active days may change read it instead of scanning the
--          wide stg.adjust again each. A temporary table of the merge's session.
CREATE TEMP TABLE recount_rows (
  adid            VARCHAR(64),
  created_day     DATE           NOT NULL,
  length_day      DATE           NOT NULL,
  app             VARCHAR(256)   NOT NULL,
  os              VARCHAR(32)    NOT NULL,
  country         VARCHAR(16)    NOT NULL,
  channel         VARCHAR(256)   NOT NULL,
  registrations   INTEGER        NOT NULL,
  session_seconds BIGINT         NOT NULL,
  sessions        INTEGER        NOT NULL,
  activities      INTEGER        NOT NULL,
  revenue_usd     DECIMAL(24, 6) NOT NULL
)
