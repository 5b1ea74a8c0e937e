-- Purpose: add (sign $4 = 1) or take away ($4 = -1) what devices contribute to the active-window
--          changes of days $1 … $2: the devices of refresh_device (every device, in a full build).
--          Run with -1 before stg.active_device changes and with 1 after, it moves the changes by
--          exactly what the refresh changed, reading only the recounted devices' days (a join, not
--          an IN list, so the planner looks the few devices up by stg.active_device's (adid, day) index).
--          A device active on day a, next active on day b, is in a window of W days from a to
--          min(a + W, b) - 1: +1 on a, -1 on min(a + W, b). The running sum of the changes up to day d
--          is then the number of devices active in the W days ending on d (DAU, WAU, MAU), exactly,
--          without COUNT(DISTINCT) per day and window. Changes are kept for each combination of
--          filters (stg.active_scope), by the values of the scope's dimensions ('' for the others).
--          A device with two rows on one day (two countries, say) needs no DISTINCT: in a scope without
--          country its first row's next day is that same day, so the row adds +1 and -1 on it, nothing.
--          The devices are counted by (day, key, next day) before their changes are spread over the three
--          windows: a next day 30 days on or later changes nothing (every window has closed by then), so
--          it counts as none, and most devices of a key and day share their next day. A full build then
--          spreads a few hundred thousand counts instead of every device-day of every scope.
-- Grain: one row per (day, scope, app, os, country, channel) with a change.
-- Parameters: $1 and $2 the first and last day whose changes are wanted; $3 the first day read
--             ($1 - 30: the last activity whose window reaches $1); $4 the sign (1 or -1).
INSERT INTO active_change_work (day, scope, app, os, country, channel, dau, wau, mau)
WITH device AS (
  SELECT day, scope, app, os, country, channel,
         LEAD(day) OVER (PARTITION BY adid, scope, app, os, country, channel ORDER BY day) AS next_day
  FROM (
    SELECT d.day,
           d.adid,
           s.scope,
           CASE WHEN s.by_app THEN d.app ELSE '' END AS app,
           CASE WHEN s.by_os THEN d.os ELSE '' END AS os,
           CASE WHEN s.by_country THEN d.country ELSE '' END AS country,
           CASE WHEN s.by_channel THEN d.channel ELSE '' END AS channel
    FROM refresh_device r
    JOIN stg.active_device d ON d.adid = r.adid
    CROSS JOIN stg.active_scope s
    WHERE d.day >= $3 AND d.day <= $2
  ) active
), counted AS (
  SELECT day, scope, app, os, country, channel,
         CASE WHEN next_day < CAST(day + INTERVAL '30 days' AS DATE) THEN next_day END AS next_day,
         COUNT(*) AS devices
  FROM device
  GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT day, scope, app, os, country, channel, $4 * SUM(dau), $4 * SUM(wau), $4 * SUM(mau)
FROM (
  SELECT day, scope, app, os, country, channel, devices AS dau, devices AS wau, devices AS mau
  FROM counted
  UNION ALL
  SELECT CASE WHEN next_day < CAST(day + INTERVAL '1 day' AS DATE) THEN next_day ELSE CAST(day + INTERVAL '1 day' AS DATE) END,
         scope, app, os, country, channel, -devices, 0, 0
  FROM counted
  UNION ALL
  SELECT CASE WHEN next_day < CAST(day + INTERVAL '7 days' AS DATE) THEN next_day ELSE CAST(day + INTERVAL '7 days' AS DATE) END,
         scope, app, os, country, channel, 0, -devices, 0
  FROM counted
  UNION ALL
  SELECT CASE WHEN next_day < CAST(day + INTERVAL '30 days' AS DATE) THEN next_day ELSE CAST(day + INTERVAL '30 days' AS DATE) END,
         scope, app, os, country, channel, 0, 0, -devices
  FROM counted
) changes
WHERE day >= $1 AND day <= $2
GROUP BY day, scope, app, os, country, channel
