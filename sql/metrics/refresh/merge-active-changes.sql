-- Purpose: write the added-up active-window changes back, one row per day, scope and values (after
--          delete-active-changes.sql removed the old ones of the same days).
-- Grain: one row per (day, scope, app, os, country, channel) whose changes are not all zero.
-- Parameters: none.
INSERT INTO stg.active_change (day, scope, app, os, country, channel, dau, wau, mau)
SELECT day, scope, app, os, country, channel, SUM(dau), SUM(wau), SUM(mau)
FROM stg.active_change_work
GROUP BY day, scope, app, os, country, channel
HAVING SUM(dau) <> 0 OR SUM(wau) <> 0 OR SUM(mau) <> 0
