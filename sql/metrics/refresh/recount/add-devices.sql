-- Purpose: the devices whose active days the refresh may change: those active on a day of refresh_day
--          whose activities are recounted, before it (stg.active_device) or after it (the activities of those days).
--          Only their contributions to the active-window changes are recomputed.
--          The activities join refresh_day on their UTC date (an equality), within the day's instants.
-- Parameters: $1 and $2 the first and last instants (UTC) of all refreshed days, to narrow the scan.
INSERT INTO refresh_device (adid)
SELECT adid
FROM stg.active_device
WHERE day IN (SELECT day FROM refresh_day WHERE activities)
UNION
SELECT a.adid
FROM stg.adjust a
JOIN refresh_day r
  ON CAST(a.created_at AS DATE) = r.bucket AND a.created_at >= r.starts_at AND a.created_at < r.ends_at AND r.activities
WHERE a.created_at >= $1 AND a.created_at < $2
  AND a.activity_kind IN ('install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall')
  AND a.adid IS NOT NULL
  AND COALESCE(a.environment, '') <> 'sandbox'
