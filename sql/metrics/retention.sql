-- Purpose: the cohorts of each install day (metrics.md "Retention"): their size and how many of them were
--          active 1, 7 and 30 days later; the service makes the shares and leaves out days not ended yet.
-- Grain: one row per cohort day that has installs.
-- Parameters: $1 and $2 the first and last cohort day (inclusive, report time zone); $3 app, $4 os,
--             $5 country, $6 channel (the install's dynamic channel): a value filters, NULL does not.
SELECT CAST(day AS VARCHAR(10)) AS day, SUM(installs) AS installs, SUM(d1) AS d1, SUM(d7) AS d7, SUM(d30) AS d30
FROM stg.daily_retention
WHERE day >= $1 AND day <= $2
  AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
  AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
  AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
  AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
GROUP BY day
