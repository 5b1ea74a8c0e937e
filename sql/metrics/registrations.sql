-- Purpose: registrations per day (metrics.md "Registrations": events named in REGISTRATION_EVENTS).
-- Grain: one row per day that has registrations; the service fills the other days with 0.
-- Parameters: $1 and $2 the first and last day (inclusive, report time zone); $3 app, $4 os, $5 country,
--             $6 channel: a value filters, NULL does not.
SELECT CAST(day AS VARCHAR(10)) AS day, SUM(registrations) AS value
FROM stg.daily_counts
WHERE day >= $1 AND day <= $2
  AND registrations > 0
  AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
  AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
  AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
  AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
GROUP BY day
