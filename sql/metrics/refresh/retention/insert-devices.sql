-- Purpose: the cohorts of the devices in retention_device, from the warehouse as it is now (metrics.md
--          "Retention"): in each app, the device's first install (by created_at, then arrival; later
--          installs start no cohort), on that install's report-time-zone day, with its os and country and
--          its dynamic channel (the latest install_update of the same app and device, else its own); d1,
--          d7 and d30 are 1 when the device was active in the same app (stg.active_device, any os, country
--          or channel) on the day 1, 7 or 30 days after. Production only. Reads those devices' installs
--          and updates (stg.adjust's partial index by adid) and their active days (by adid).
-- Grain: one row per (app, adid) with an install.
-- Parameters: none; {report_timezone} the report time zone, a quoted literal (RefreshQueries fills it in).
-- App and channel: written once, in refresh/fragments/app.sql and channel.sql (SqlCatalog fills them in).
INSERT INTO stg.cohort_device (app, adid, day, os, country, channel, d1, d7, d30)
WITH attribution AS (
  SELECT a.id,
         a.activity_kind,
         a.created_at,
         {app:a} AS app,
         a.adid,
         COALESCE(a.os_name, '') AS os,
         COALESCE(a.country, '') AS country,
         {channel:a} AS channel
  FROM retention_device t
  JOIN stg.adjust a ON a.adid = t.adid
  WHERE a.activity_kind IN ('install', 'install_update')
    AND COALESCE(a.environment, '') <> 'sandbox'
),
ranked AS (
  SELECT app, adid, activity_kind, created_at, os, country, channel,
         ROW_NUMBER() OVER (PARTITION BY app, adid, activity_kind ORDER BY created_at, id) AS first_of_kind,
         ROW_NUMBER() OVER (PARTITION BY app, adid, activity_kind ORDER BY created_at DESC, id DESC) AS latest_of_kind
  FROM attribution
),
-- each (app, adid) group holds at most its first install and its latest install_update, so each MAX
-- reads one row's value: a GROUP BY rather than a join of ranked with itself, whose size no planner can
-- estimate (planned as a nested loop it took 18 s for 14,000 devices, as a merge join 0.15 s)
cohort AS (
  SELECT app,
         adid,
         CAST((MAX(CASE WHEN activity_kind = 'install' THEN created_at END) AT TIME ZONE 'UTC') AT TIME ZONE {report_timezone} AS DATE)
           AS day,
         MAX(CASE WHEN activity_kind = 'install' THEN os END) AS os,
         MAX(CASE WHEN activity_kind = 'install' THEN country END) AS country,
         COALESCE(MAX(CASE WHEN activity_kind = 'install_update' THEN channel END),
                  MAX(CASE WHEN activity_kind = 'install' THEN channel END)) AS channel
  FROM ranked
  WHERE (activity_kind = 'install' AND first_of_kind = 1)
     OR (activity_kind = 'install_update' AND latest_of_kind = 1)
  GROUP BY app, adid
  HAVING COUNT(CASE WHEN activity_kind = 'install' THEN 1 END) = 1
)
SELECT c.app,
       c.adid,
       c.day,
       c.os,
       c.country,
       c.channel,
       MAX(CASE WHEN d.day = CAST(c.day + INTERVAL '1 day' AS DATE) THEN 1 ELSE 0 END),
       MAX(CASE WHEN d.day = CAST(c.day + INTERVAL '7 days' AS DATE) THEN 1 ELSE 0 END),
       MAX(CASE WHEN d.day = CAST(c.day + INTERVAL '30 days' AS DATE) THEN 1 ELSE 0 END)
FROM cohort c
LEFT JOIN stg.active_device d
  ON d.adid = c.adid AND d.app = c.app
 AND d.day IN (CAST(c.day + INTERVAL '1 day' AS DATE), CAST(c.day + INTERVAL '7 days' AS DATE), CAST(c.day + INTERVAL '30 days' AS DATE))
GROUP BY c.app, c.adid, c.day, c.os, c.country, c.channel
