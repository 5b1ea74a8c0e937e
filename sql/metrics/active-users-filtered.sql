-- Purpose: the changes of the 1-, 7- and 30-day active-device counts under two filters or more, which
--          the stored changes do not cover, computed from the active devices the same way
--          (refresh/add-active-changes.sql): +1 on a device's active day a, -1 on min(a + W, b), b its next
--          active day within the filters (a device's second row on a day adds nothing). The running sum from $1 up to day d (d ≥ $1 + 29) is the
--          number of devices active in the W days ending on d.
-- Grain: one row per day with a change, in day order.
-- Parameters: $1 the first day read (the first day wanted minus 29), $2 the last day wanted;
--             $3 app, $4 os, $5 country, $6 channel (NULL: no filter).
WITH device AS (
  SELECT day, LEAD(day) OVER (PARTITION BY adid ORDER BY day) AS next_day
  FROM stg.active_device
  WHERE day >= $1 AND day <= $2
    AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
    AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
    AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
    AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
)
SELECT CAST(day AS VARCHAR(10)) AS day, SUM(dau) AS dau, SUM(wau) AS wau, SUM(mau) AS mau
FROM (
  SELECT day, 1 AS dau, 1 AS wau, 1 AS mau
  FROM device
  UNION ALL
  SELECT CASE WHEN next_day < CAST(day + INTERVAL '1 day' AS DATE) THEN next_day ELSE CAST(day + INTERVAL '1 day' AS DATE) END, -1, 0, 0
  FROM device
  UNION ALL
  SELECT CASE WHEN next_day < CAST(day + INTERVAL '7 days' AS DATE) THEN next_day ELSE CAST(day + INTERVAL '7 days' AS DATE) END, 0, -1, 0
  FROM device
  UNION ALL
  SELECT CASE WHEN next_day < CAST(day + INTERVAL '30 days' AS DATE) THEN next_day ELSE CAST(day + INTERVAL '30 days' AS DATE) END, 0, 0, -1
  FROM device
) changes
WHERE day <= $2
GROUP BY day
ORDER BY day
