-- Purpose: the work table of the report-time-zone days a recount (window run, or the first arrival load
--          after an upgrade) counts again: all their activities, or only their installs. One row per day
--          and UTC date it overlaps (bucket), so reads of stg.adjust join it on CAST(created_at AS DATE) =
--          bucket, an equality. A temporary table of the merge's session.
CREATE TEMP TABLE refresh_day (
  day        DATE      NOT NULL,
  bucket     DATE      NOT NULL,
  starts_at  TIMESTAMP NOT NULL,
  ends_at    TIMESTAMP NOT NULL,
  -- true: every activity of the day is recounted; false: only its installs (their channel moved)
  activities BOOLEAN   NOT NULL
)
