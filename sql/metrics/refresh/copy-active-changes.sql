-- Purpose: start the new active-window changes of days $1 … $2 from the current ones.
-- Parameters: $1 and $2 the first and last day (inclusive).
INSERT INTO stg.active_change_work (day, scope, app, os, country, channel, dau, wau, mau)
SELECT day, scope, app, os, country, channel, dau, wau, mau
FROM stg.active_change
WHERE day >= $1 AND day <= $2
