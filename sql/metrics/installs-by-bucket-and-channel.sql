-- Purpose: installs per bucket and dynamic channel (installs-by-channel with granularity), added up here
--          so that the service reads one row per cell of the answer, not one per day and channel.
-- Grain: one row per bucket (the day, the ISO week's Monday or the month's 1st: a bucket cut by the range
--        keeps its label) and channel that has installs in the range.
-- Parameters: $1 and $2 the first and last day (inclusive, report time zone); $3 app, $4 os, $5 country,
--             $6 channel: a value filters, NULL does not; $7 the granularity: 'day', 'week' or 'month'.
SELECT CAST(bucket AS VARCHAR(10)) AS bucket, channel, SUM(installs) AS value
FROM (
  SELECT CASE CAST($7 AS VARCHAR)
           WHEN 'week' THEN CAST(DATE_TRUNC('week', CAST(day AS TIMESTAMP)) AS DATE)
           WHEN 'month' THEN CAST(DATE_TRUNC('month', CAST(day AS TIMESTAMP)) AS DATE)
           ELSE day
         END AS bucket,
         channel, installs
  FROM stg.daily_installs
  WHERE day >= $1 AND day <= $2
    AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
    AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
    AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
    AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
) cells
GROUP BY bucket, channel
