-- Purpose: session lengths per day they count for (metrics.md "Session duration"): the total seconds (total) and
--          how many lengths (samples), so that buckets and ranges take the weighted mean, never a mean of means.
-- Grain: one row per day that has session lengths; the service leaves the other days null.
-- Parameters: $1 and $2 the first and last day (inclusive, report time zone); $3 app, $4 os, $5 country,
--             $6 channel: a value filters, NULL does not.
SELECT CAST(day AS VARCHAR(10)) AS day, SUM(session_seconds) AS total, SUM(sessions) AS samples
FROM stg.daily_counts
WHERE day >= $1 AND day <= $2
  AND sessions > 0
  AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
  AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
  AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
  AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
GROUP BY day
