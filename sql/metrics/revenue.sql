-- Purpose: revenue in US dollars per day (metrics.md "Revenue (USD)"), exact to the micro-dollar; the
--          service rounds it to cents.
-- Grain: one row per day that has revenue; the service fills the other days with 0.
-- Parameters: $1 and $2 the first and last day (inclusive, report time zone); $3 app, $4 os, $5 country,
--             $6 channel: a value filters, NULL does not.
SELECT CAST(created_day AS VARCHAR(10)) AS day, SUM(revenue_usd) AS value
FROM stg.daily_counts
WHERE created_day >= $1 AND created_day <= $2
  AND revenue_usd <> 0
  AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
  AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
  AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
  AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
GROUP BY created_day
