-- Purpose: installs per day and dynamic channel (metrics.md "Installs by channel").
-- Grain: one row per (day, channel) that has installs; the service adds them up per bucket or range.
-- Parameters: $1 and $2 the first and last day (inclusive, report time zone); $3 app, $4 os, $5 country,
--             $6 channel: a value filters, NULL does not.
SELECT CAST(day AS VARCHAR(10)) AS day, channel, SUM(installs) AS installs
FROM stg.daily_installs
WHERE day >= $1 AND day <= $2
  AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
  AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
  AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
  AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
GROUP BY day, channel
