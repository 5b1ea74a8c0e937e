-- Purpose: every report-time-zone day that has activities, for a full build of the rollups whose load did
--          not replace every activity (the first build after an upgrade; a rebuild or a load from the
--          first id takes the days its extract counted, full-build.ts).
-- Grain: one row per day (YYYY-MM-DD text, like the extract's days).
-- Parameters: none; {report_timezone} the report time zone, a quoted literal (RefreshQueries fills
--             it in).
SELECT DISTINCT CAST(CAST((created_at AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE) AS VARCHAR(10)) AS day
FROM stg.adjust
