-- Purpose: how many devices enter and leave the 1-, 7- and 30-day active windows on each day from $1 to
--          $2, for all apps ($3 false: app NULL) or per app ($3 true). A device active on day a, next active
--          on day b, is counted by a window of W days from a to min(a + W, b) - 1: +1 on a, -1 on
--          min(a + W, b). The running sum of the changes up to day d is then the number of devices active
--          in the W days ending on d: DAU, WAU, MAU, exact, without COUNT(DISTINCT) per day and window.
-- Grain: one row per (day, app); days without changes have no row.
-- Parameters: $1 and $2 the first and last day whose changes are recomputed; $3 per app (boolean);
--             $4 the first day read ($1 - 30: the last activity whose window reaches $1).
-- Reads only stg.active_device, so the activities' rules (active kinds, production) are applied once.
INSERT INTO stg.active_change (day, app, dau, wau, mau)
SELECT day, app, SUM(dau), SUM(wau), SUM(mau)
FROM (
  SELECT CASE edge.kind
           WHEN 'enter' THEN device.day
           WHEN 'leave_day' THEN CAST(device.day + INTERVAL '1 day' AS DATE)
           WHEN 'leave_week' THEN CASE WHEN device.next_day < CAST(device.day + INTERVAL '7 days' AS DATE) THEN device.next_day
                                       ELSE CAST(device.day + INTERVAL '7 days' AS DATE) END
           ELSE CASE WHEN device.next_day < CAST(device.day + INTERVAL '30 days' AS DATE) THEN device.next_day
                     ELSE CAST(device.day + INTERVAL '30 days' AS DATE) END
         END AS day,
         device.app,
         CASE edge.kind WHEN 'enter' THEN 1 WHEN 'leave_day' THEN -1 ELSE 0 END AS dau,
         CASE edge.kind WHEN 'enter' THEN 1 WHEN 'leave_week' THEN -1 ELSE 0 END AS wau,
         CASE edge.kind WHEN 'enter' THEN 1 WHEN 'leave_month' THEN -1 ELSE 0 END AS mau
  FROM (
    SELECT day, adid, app, LEAD(day) OVER (PARTITION BY app, adid ORDER BY day) AS next_day
    FROM (
      SELECT DISTINCT day, adid, CASE WHEN $3 THEN app END AS app
      FROM stg.active_device
      WHERE day >= $4 AND day <= $2
    ) active
  ) device
  CROSS JOIN (
    SELECT 'enter' AS kind UNION ALL SELECT 'leave_day' UNION ALL SELECT 'leave_week' UNION ALL SELECT 'leave_month'
  ) edge
) changes
WHERE day >= $1 AND day <= $2
GROUP BY day, app
