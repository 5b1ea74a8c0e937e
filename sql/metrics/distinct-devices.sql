-- Purpose: the devices active on any day of a range (the "distinct" of the DAU/WAU/MAU summaries).
-- Grain: one row.
-- Parameters: $1 and $2 the first and last day (inclusive, report time zone); $3 app, $4 os, $5 country,
--             $6 channel: a value filters, NULL does not.
SELECT COUNT(DISTINCT adid) AS devices
FROM stg.active_device
WHERE day >= $1 AND day <= $2
  AND (CAST($3 AS VARCHAR) IS NULL OR app = $3)
  AND (CAST($4 AS VARCHAR) IS NULL OR os = $4)
  AND (CAST($5 AS VARCHAR) IS NULL OR country = $5)
  AND (CAST($6 AS VARCHAR) IS NULL OR channel = $6)
