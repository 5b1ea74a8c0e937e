-- Purpose: every report-time-zone day that has activities, for a full build of the rollups.
-- Grain: one row per day (YYYY-MM-DD text, like the extract's days).
-- Parameters: $1 the report time zone (IANA name).
SELECT DISTINCT CAST(CAST((created_at AT TIME ZONE 'UTC') AT TIME ZONE $1 AS DATE) AS VARCHAR(10)) AS day
FROM stg.adjust
