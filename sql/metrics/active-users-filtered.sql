-- Purpose: DAU, WAU or MAU changes for filters the stored changes do not cover (os, country, channel, or
--          app with another filter), from the active devices: a device active on day a, next active on
--          day b (within the filter), is in the W-day window from a to min(a + W, b) - 1; +1 on a, -1 on
--          min(a + W, b). The running sum up to day d (from $1) is the count of the W days ending on d.
-- Grain: one row per day with a change.
-- Parameters: $1 the first day read (the first day wanted minus W - 1), $2 the last day wanted;
--             $3 app, $4 os, $5 country, $6 channel (NULL: no filter); $7 W: 1, 7 or 30.
WITH device AS (
  SELECT day,
         LEAD(day) OVER (PARTITION BY adid ORDER BY day) AS next_day,
         CASE CAST($7 AS INTEGER)
           WHEN 1 THEN CAST(day + INTERVAL '1 day' AS DATE)
           WHEN 7 THEN CAST(day + INTERVAL '7 days' AS DATE)
           ELSE CAST(day + INTERVAL '30 days' AS DATE)
         END AS leave_day
  FROM (
    SELECT DISTINCT day, adid
    FROM stg.active_device
    WHERE day >= $1 AND day <= $2
      AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
      AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
      AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
      AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
  ) active
)
SELECT CAST(day AS VARCHAR(10)) AS day, SUM(change) AS change
FROM (
  SELECT day, 1 AS change
  FROM device
  UNION ALL
  SELECT CASE WHEN next_day < leave_day THEN next_day ELSE leave_day END, -1
  FROM device
) changes
WHERE day <= $2
GROUP BY day
