-- Purpose: recount the installs of every day in refresh_day in one statement (metrics.md "Installs"):
--          production only, each under its dynamic channel, the channel of the device's latest
--          install_update in the same app (by created_at, then arrival), else its own. The installs of
--          those days join refresh_day on their UTC date (an equality) within the day's instants; their
--          devices' updates are read once for all days (not once per day, which on Redshift scanned
--          every install_update once for each day).
-- Grain: one row per (day, app, os, country, channel).
-- Parameters: $1 and $2 the first and last instants (UTC) of all recounted days, to narrow the scan.
-- App and channel: written once, in refresh/fragments/app.sql and channel.sql (SqlCatalog fills them in).
INSERT INTO stg.daily_installs (day, app, os, country, channel, installs)
SELECT r.day,
       {app:a},
       COALESCE(a.os_name, ''),
       COALESCE(a.country, ''),
       COALESCE(latest.channel, {channel:a}),
       COUNT(*)
FROM stg.adjust a
JOIN refresh_day r
  ON CAST(a.created_at AS DATE) = r.bucket AND a.created_at >= r.starts_at AND a.created_at < r.ends_at
LEFT JOIN (
  SELECT app, adid, channel
  FROM (
    SELECT {app:u} AS app,
           u.adid,
           {channel:u} AS channel,
           ROW_NUMBER() OVER (PARTITION BY {app:u}, u.adid
                              ORDER BY u.created_at DESC, u.id DESC) AS position
    FROM (
      SELECT DISTINCT i.adid
      FROM stg.adjust i
      JOIN refresh_day d
        ON CAST(i.created_at AS DATE) = d.bucket AND i.created_at >= d.starts_at AND i.created_at < d.ends_at
      WHERE i.activity_kind = 'install' AND i.created_at >= $1 AND i.created_at < $2
    ) installed
    JOIN stg.adjust u ON u.adid = installed.adid AND u.activity_kind = 'install_update'
    WHERE COALESCE(u.environment, '') <> 'sandbox'
  ) updates
  WHERE position = 1
) latest ON latest.adid = a.adid AND latest.app = {app:a}
WHERE a.created_at >= $1 AND a.created_at < $2
  AND a.activity_kind = 'install'
  AND COALESCE(a.environment, '') <> 'sandbox'
GROUP BY 1, 2, 3, 4, 5
