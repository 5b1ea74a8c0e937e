-- Purpose: the days of installs whose dynamic channel this load may have changed: installs of devices
--          with an install_update among the rows the load brought (by the merge's own bounds).
-- Grain: one row per day (YYYY-MM-DD text). A device with installs in several apps adds the days of
--        all of them: a few more days to recount, never one too few.
-- Parameters: $1 the extract's id bound (rows after it were loaded), $2 the window's first instant (UTC;
--             far in the future outside window mode);
--             {report_timezone} the report time zone, a quoted literal (RefreshQueries fills it in).
SELECT DISTINCT CAST(CAST((i.created_at AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE) AS VARCHAR(10)) AS day
FROM stg.adjust i
WHERE i.activity_kind = 'install'
  AND i.adid IN (
    SELECT u.adid
    FROM stg.adjust u
    WHERE u.activity_kind = 'install_update'
      AND (u.id > $1 OR u.created_at >= $2)
  )
