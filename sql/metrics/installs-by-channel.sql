-- Purpose: installs per dynamic channel over a range (metrics.md "Installs by channel"): the answer without
--          granularity, and the channels (and their order) of the answer with one.
-- Grain: one row per channel that has installs in the range; the service orders them, largest first.
-- Parameters: $1 and $2 the first and last day (inclusive, report time zone); $3 app, $4 os, $5 country,
--             $6 channel: a value filters, NULL does not.
SELECT channel, SUM(installs) AS value
FROM stg.daily_installs
WHERE day >= $1 AND day <= $2
  AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
  AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
  AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
  AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
GROUP BY channel
