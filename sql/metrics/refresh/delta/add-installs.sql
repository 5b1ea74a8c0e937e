-- Purpose: how an arrival load moves stg.daily_installs, into its work table. An install counts on its
--          own day under its dynamic channel: the channel of the latest install_update of the same app
--          and device (by created_at, then arrival), else its own. So for every (app, device) with an
--          install or install_update among the load's rows, each of its installs the warehouse held
--          before counts -1 under the channel it had then (the latest update that was not new), and each
--          of its installs now counts +1 under the channel it has now; the other devices' installs do not
--          move. Reads only those devices' installs and updates (stg.adjust's partial index by adid).
-- Grain: one row per (day, app, os, country, channel) whose installs change.
-- Parameters: none; {report_timezone} the report time zone, a quoted literal (RefreshQueries fills
--             it in).
-- App and channel: written once, in refresh/fragments/app.sql and channel.sql (SqlCatalog fills them in).
INSERT INTO installs_work (day, app, os, country, channel, installs)
WITH touched AS (
  SELECT DISTINCT app, adid
  FROM load_rows
  WHERE activity_kind IN ('install', 'install_update') AND adid IS NOT NULL
),
attribution AS (
  SELECT a.id,
         a.activity_kind,
         a.created_at,
         t.app,
         a.adid,
         COALESCE(a.os_name, '') AS os,
         COALESCE(a.country, '') AS country,
         {channel:a} AS channel,
         CASE WHEN n.id IS NULL THEN 0 ELSE 1 END AS is_new
  FROM touched t
  JOIN stg.adjust a ON a.adid = t.adid AND {app:a} = t.app
  LEFT JOIN load_rows n ON n.id = a.id
  WHERE a.activity_kind IN ('install', 'install_update')
    AND COALESCE(a.environment, '') <> 'sandbox'
),
updates AS (
  SELECT app, adid, channel, is_new,
         ROW_NUMBER() OVER (PARTITION BY app, adid ORDER BY created_at DESC, id DESC) AS latest_now,
         ROW_NUMBER() OVER (PARTITION BY app, adid, is_new ORDER BY created_at DESC, id DESC) AS latest_of_age
  FROM attribution
  WHERE activity_kind = 'install_update'
)
SELECT day, app, os, country, channel, SUM(change)
FROM (
  SELECT CAST((i.created_at AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE) AS day, i.app, i.os, i.country,
         COALESCE(now_.channel, i.channel) AS channel, 1 AS change
  FROM attribution i
  LEFT JOIN updates now_ ON now_.app = i.app AND now_.adid = i.adid AND now_.latest_now = 1
  WHERE i.activity_kind = 'install'
  UNION ALL
  SELECT CAST((i.created_at AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE), i.app, i.os, i.country,
         COALESCE(before.channel, i.channel), -1
  FROM attribution i
  LEFT JOIN updates before ON before.app = i.app AND before.adid = i.adid AND before.is_new = 0 AND before.latest_of_age = 1
  WHERE i.activity_kind = 'install' AND i.is_new = 0
) changes
GROUP BY day, app, os, country, channel
HAVING SUM(change) <> 0
