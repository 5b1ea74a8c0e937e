-- Purpose: recount the installs of one day (metrics.md "Installs"): production only, each under its
--          dynamic channel, the channel of the device's latest install_update in the same app (by
--          created_at, then arrival), else its own. One day per statement: its bounds are constants, so
--          the plan reads that day's installs and their devices' updates, never every install.
-- Grain: one row per (app, os, country, channel).
-- Parameters: $1 the day (YYYY-MM-DD), $2 and $3 its first instant and the next day's (UTC).
-- Channel: trimmed network_name, else the first '::' segment of tracker_name, else Organic or Unknown.
INSERT INTO stg.daily_installs (day, app, os, country, channel, installs)
SELECT CAST($1 AS DATE),
       COALESCE(a.app_name, a.app_id, a.app_token, ''),
       COALESCE(a.os_name, ''),
       COALESCE(a.country, ''),
       COALESCE(latest.channel,
                NULLIF(TRIM(a.network_name), ''),
                NULLIF(TRIM(SPLIT_PART(a.tracker_name, '::', 1)), ''),
                CASE WHEN a.is_organic THEN 'Organic' ELSE 'Unknown' END),
       COUNT(*)
FROM stg.adjust a
LEFT JOIN (
  SELECT app, adid, channel
  FROM (
    SELECT COALESCE(u.app_name, u.app_id, u.app_token, '') AS app,
           u.adid,
           COALESCE(NULLIF(TRIM(u.network_name), ''),
                    NULLIF(TRIM(SPLIT_PART(u.tracker_name, '::', 1)), ''),
                    CASE WHEN u.is_organic THEN 'Organic' ELSE 'Unknown' END) AS channel,
           ROW_NUMBER() OVER (PARTITION BY COALESCE(u.app_name, u.app_id, u.app_token, ''), u.adid
                              ORDER BY u.created_at DESC, u.id DESC) AS position
    FROM (
      SELECT DISTINCT i.adid
      FROM stg.adjust i
      WHERE i.activity_kind = 'install' AND i.created_at >= $2 AND i.created_at < $3
    ) installed
    JOIN stg.adjust u ON u.adid = installed.adid AND u.activity_kind = 'install_update'
    WHERE COALESCE(u.environment, '') <> 'sandbox'
  ) updates
  WHERE position = 1
) latest ON latest.adid = a.adid AND latest.app = COALESCE(a.app_name, a.app_id, a.app_token, '')
WHERE a.created_at >= $2 AND a.created_at < $3
  AND a.activity_kind = 'install'
  AND COALESCE(a.environment, '') <> 'sandbox'
GROUP BY 1, 2, 3, 4, 5
