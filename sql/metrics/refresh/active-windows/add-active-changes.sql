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
--          A device's next day in a scope is the next of its rows with the same values of the scope's
--          dimensions. Two rows of one day with the same values (two countries, in a scope without
--          country) need no DISTINCT: the first row's next day is that same day, so it would add +1 and
--          -1 on it, nothing; such rows are left out. Every row left has its next day after its own, so
--          it leaves the 1-day window the day after: DAU's changes need only the devices of each day.
--          Most devices keep one value of a dimension on every day read (one app, say, or one
--          country): in a scope whose dimensions all keep one value, the device's rows all have the
--          same values, so its next day there is its next row's day, the same in each such scope.
--          Those rows are counted once by (day, values, next day), and only those counts are taken
--          into the scopes. Likewise where some of a scope's dimensions change value for a device (it
--          was seen on two channels), its next day there depends on those dimensions alone: it is found
--          once for each set of them (a scope of stg.active_scope naming only dimensions that change
--          value for the device: `changing`), counted by (day, changing, values, next day), and those
--          counts are taken into each scope whose dimensions that change value are that set.
--          The devices are counted by (day, key, next day) before their changes are spread over the
--          three windows: a next day 30 days on or later changes nothing (every window has closed by
--          then), so it counts as none, and most devices of a key and day share their next day.
--          A row whose next day comes before $1 changes only days before $1 (its own, the day after
--          and its next day, at the latest): it is left out before the counting, so a device's earlier
--          days in the 30 read cost only their sort, however many there are (the last before $1 stays).
--          The days $1 … $2 are kept by HAVING, after the changes are added up: a WHERE on the spread
--          days made PostgreSQL guess a few hundred rows and sort millions on disk instead of hashing.
-- Grain: one row per (day, scope, app, os, country, channel) with a change.
-- Parameters: $1 and $2 the first and last day whose changes are wanted; $3 the first day read
--             ($1 - 30: the last activity whose window reaches $1); $4 the sign (1 or -1).
INSERT INTO active_change_work (day, scope, app, os, country, channel, dau, wau, mau)
WITH device AS (
  SELECT d.day, d.adid, d.app, d.os, d.country, d.channel,
         LEAD(d.day) OVER (PARTITION BY d.adid ORDER BY d.day) AS next_day,
         CASE WHEN MIN(d.app) OVER (PARTITION BY d.adid) < MAX(d.app) OVER (PARTITION BY d.adid) THEN 1 ELSE 0 END AS many_apps,
         CASE WHEN MIN(d.os) OVER (PARTITION BY d.adid) < MAX(d.os) OVER (PARTITION BY d.adid) THEN 1 ELSE 0 END AS many_oses,
         CASE WHEN MIN(d.country) OVER (PARTITION BY d.adid) < MAX(d.country) OVER (PARTITION BY d.adid) THEN 1 ELSE 0 END AS many_countries,
         CASE WHEN MIN(d.channel) OVER (PARTITION BY d.adid) < MAX(d.channel) OVER (PARTITION BY d.adid) THEN 1 ELSE 0 END AS many_channels
  FROM refresh_device r
  JOIN stg.active_device d ON d.adid = r.adid
  WHERE d.day >= $3 AND d.day <= $2
), one_value AS (
  -- the devices' rows by (day, values, next day), for the scopes whose dimensions keep one value
  SELECT day, app, os, country, channel, many_apps, many_oses, many_countries, many_channels,
         CASE WHEN next_day < CAST(day + INTERVAL '30 days' AS DATE) THEN next_day END AS next_day,
         COUNT(*) AS devices
  FROM device
  WHERE next_day IS NULL OR (next_day > day AND next_day >= $1)
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
), many_values AS (
  -- the devices' rows with their next day in each set of dimensions that change value for them; the
  -- devices that keep every value (most of them) are left out before the cross join, not by its filter
  SELECT d.day, c.scope AS changing, d.app, d.os, d.country, d.channel, d.many_apps, d.many_oses, d.many_countries, d.many_channels,
         LEAD(d.day) OVER (PARTITION BY d.adid,
                                        c.scope,
                                        CASE WHEN c.by_app THEN d.app ELSE '' END,
                                        CASE WHEN c.by_os THEN d.os ELSE '' END,
                                        CASE WHEN c.by_country THEN d.country ELSE '' END,
                                        CASE WHEN c.by_channel THEN d.channel ELSE '' END
                           ORDER BY d.day) AS next_day
  FROM device d
  CROSS JOIN stg.active_scope c
  WHERE (d.many_apps = 1 OR d.many_oses = 1 OR d.many_countries = 1 OR d.many_channels = 1)
    AND (c.by_app OR c.by_os OR c.by_country OR c.by_channel)
    AND (d.many_apps = 1 OR NOT c.by_app) AND (d.many_oses = 1 OR NOT c.by_os)
    AND (d.many_countries = 1 OR NOT c.by_country) AND (d.many_channels = 1 OR NOT c.by_channel)
), many_values_counted AS (
  SELECT day, changing, app, os, country, channel, many_apps, many_oses, many_countries, many_channels,
         CASE WHEN next_day < CAST(day + INTERVAL '30 days' AS DATE) THEN next_day END AS next_day,
         COUNT(*) AS devices
  FROM many_values
  WHERE next_day IS NULL OR (next_day > day AND next_day >= $1)
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
), counted AS (
  SELECT day, scope, app, os, country, channel, next_day, SUM(devices) AS devices
  FROM (
    SELECT v.day,
           s.scope,
           CASE WHEN s.by_app THEN v.app ELSE '' END AS app,
           CASE WHEN s.by_os THEN v.os ELSE '' END AS os,
           CASE WHEN s.by_country THEN v.country ELSE '' END AS country,
           CASE WHEN s.by_channel THEN v.channel ELSE '' END AS channel,
           v.next_day,
           v.devices
    FROM one_value v
    CROSS JOIN stg.active_scope s
    WHERE NOT ((s.by_app AND v.many_apps = 1) OR (s.by_os AND v.many_oses = 1)
            OR (s.by_country AND v.many_countries = 1) OR (s.by_channel AND v.many_channels = 1))
    UNION ALL
    SELECT m.day,
           s.scope,
           CASE WHEN s.by_app THEN m.app ELSE '' END,
           CASE WHEN s.by_os THEN m.os ELSE '' END,
           CASE WHEN s.by_country THEN m.country ELSE '' END,
           CASE WHEN s.by_channel THEN m.channel ELSE '' END,
           m.next_day,
           m.devices
    FROM many_values_counted m
    JOIN stg.active_scope c ON c.scope = m.changing
    CROSS JOIN stg.active_scope s
    WHERE c.by_app = (s.by_app AND m.many_apps = 1) AND c.by_os = (s.by_os AND m.many_oses = 1)
      AND c.by_country = (s.by_country AND m.many_countries = 1) AND c.by_channel = (s.by_channel AND m.many_channels = 1)
  ) keyed
  GROUP BY 1, 2, 3, 4, 5, 6, 7
), active AS (
  SELECT day, scope, app, os, country, channel, SUM(devices) AS devices
  FROM counted
  GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT day, scope, app, os, country, channel, $4 * SUM(dau), $4 * SUM(wau), $4 * SUM(mau)
FROM (
  SELECT day, scope, app, os, country, channel, devices AS dau, devices AS wau, devices AS mau
  FROM active
  UNION ALL
  SELECT CAST(day + INTERVAL '1 day' AS DATE), scope, app, os, country, channel, -devices, 0, 0
  FROM active
  UNION ALL
  SELECT CASE WHEN next_day < CAST(day + INTERVAL '7 days' AS DATE) THEN next_day ELSE CAST(day + INTERVAL '7 days' AS DATE) END,
         scope, app, os, country, channel, 0, -devices, 0
  FROM counted
  UNION ALL
  SELECT CASE WHEN next_day < CAST(day + INTERVAL '30 days' AS DATE) THEN next_day ELSE CAST(day + INTERVAL '30 days' AS DATE) END,
         scope, app, os, country, channel, 0, 0, -devices
  FROM counted
) changes
GROUP BY day, scope, app, os, country, channel
HAVING MIN(day) >= $1 AND MAX(day) <= $2
