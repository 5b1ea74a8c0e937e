-- Purpose: the work table of the devices whose cohorts a refresh recomputes (retention/*.sql). A
--          temporary table of the merge's session.
CREATE TEMP TABLE retention_device (
  adid VARCHAR(64) NOT NULL
)
