-- Purpose: the devices active on the days in refresh_day whose activities are recounted (metrics.md "Active": an install, session,
--          reattribution, reinstall or reattribution_reinstall that day; production only), with the
--          dimension values of their activities (a device seen in two countries that day is in both).
--          The activities join refresh_day on their UTC date (an equality), within the day's instants.
-- Grain: one row per (day, adid, app, os, country, channel).
-- App and channel: written once, in refresh/fragments/app.sql and channel.sql (SqlCatalog fills them in).
-- Parameters: $1 and $2 the first and last instants (UTC) of all refreshed days, to narrow the scan.
INSERT INTO stg.active_device (day, adid, app, os, country, channel)
SELECT DISTINCT r.day,
       a.adid,
       {app:a},
       COALESCE(a.os_name, ''),
       COALESCE(a.country, ''),
       {channel:a}
FROM stg.adjust a
JOIN refresh_day r
  ON CAST(a.created_at AS DATE) = r.bucket AND a.created_at >= r.starts_at AND a.created_at < r.ends_at AND r.activities
WHERE a.created_at >= $1 AND a.created_at < $2
  AND a.activity_kind IN ('install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall')
  AND a.adid IS NOT NULL
  AND COALESCE(a.environment, '') <> 'sandbox'
