-- Purpose: write the added-up active-window changes back, one row per day and scope (after
--          delete-active-changes.sql removed the old ones of the same days).
-- Grain: one row per (day, dimension, value) whose changes are not all zero.
-- Parameters: none.
INSERT INTO stg.active_change (day, dimension, value, dau, wau, mau)
SELECT day, dimension, value, SUM(dau), SUM(wau), SUM(mau)
FROM stg.active_change_work
GROUP BY day, dimension, value
HAVING SUM(dau) <> 0 OR SUM(wau) <> 0 OR SUM(mau) <> 0
