-- Purpose: the devices whose cohorts a recount may change: those whose active days it recomputes
--          (refresh_device), those with a cohort on one of its days, and those with an install or
--          install_update on one of its days, before or after it. The activities join refresh_day on their
--          UTC date (an equality), within the day's instants.
-- Parameters: $1 and $2 the first and last instants (UTC) of all refreshed days, to narrow the scan.
INSERT INTO retention_device (adid)
SELECT adid
FROM refresh_device
UNION
SELECT adid
FROM stg.cohort_device
WHERE day IN (SELECT day FROM refresh_day)
UNION
SELECT a.adid
FROM stg.adjust a
JOIN refresh_day r
  ON CAST(a.created_at AS DATE) = r.bucket AND a.created_at >= r.starts_at AND a.created_at < r.ends_at
WHERE a.created_at >= $1 AND a.created_at < $2
  AND a.activity_kind IN ('install', 'install_update')
  AND a.adid IS NOT NULL
  AND COALESCE(a.environment, '') <> 'sandbox'
