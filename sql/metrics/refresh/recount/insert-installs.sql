-- Purpose: recount the installs of every day in refresh_day in one statement (metrics.md "Installs"):
--          production only, each under its dynamic channel, the channel of the device's latest
--          install_update in the same app (by created_at, then arrival), else its own. The installs of
--          the days whose activities are recounted are in recount_rows already (recount/insert-rows.sql
--          described them, every install among them); only the days recounted for their installs alone
--          are read from stg.adjust, joining refresh_day on their UTC date (an equality) within the day's
--          instants. Their devices' updates are read once for all days (not once per day, which on
--          Redshift scanned every install_update once for each day).
-- Grain: one row per (day, app, os, country, channel).
-- Parameters: $1 and $2 the first and last instants (UTC) of all recounted days, to narrow the scan.
-- App and channel: written once, in refresh/fragments/app.sql and channel.sql (SqlCatalog fills them in).
INSERT INTO stg.daily_installs (day, app, os, country, channel, installs)
WITH install AS (
  SELECT created_day AS day, adid, app, os, country, channel
  FROM recount_rows
  WHERE activity_kind = 'install'
  UNION ALL
  SELECT r.day, a.adid, {app:a}, COALESCE(a.os_name, ''), COALESCE(a.country, ''), {channel:a}
  FROM stg.adjust a
  JOIN refresh_day r
    ON CAST(a.created_at AS DATE) = r.bucket AND a.created_at >= r.starts_at AND a.created_at < r.ends_at AND NOT r.activities
  WHERE a.created_at >= $1 AND a.created_at < $2
    AND a.activity_kind = 'install'
    AND COALESCE(a.environment, '') <> 'sandbox'
)
SELECT i.day, i.app, i.os, i.country, COALESCE(latest.channel, i.channel), COUNT(*)
FROM install i
LEFT JOIN (
  SELECT app, adid, channel
  FROM (
    SELECT {app:u} AS app,
           u.adid,
           {channel:u} AS channel,
           ROW_NUMBER() OVER (PARTITION BY {app:u}, u.adid
                              ORDER BY u.created_at DESC, u.id DESC) AS position
    FROM (SELECT DISTINCT adid FROM install) installed
    JOIN stg.adjust u ON u.adid = installed.adid AND u.activity_kind = 'install_update'
    WHERE COALESCE(u.environment, '') <> 'sandbox'
  ) updates
  WHERE position = 1
) latest ON latest.adid = i.adid AND latest.app = i.app
GROUP BY 1, 2, 3, 4, 5
