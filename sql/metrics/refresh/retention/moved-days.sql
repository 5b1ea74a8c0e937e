-- Purpose: the cohort days whose numbers a refresh moves: those of the changes in retention_work that do
--          not cancel out (a device whose cohort stayed as it was adds -1 and +1).
-- Parameters: none.
SELECT CAST(day AS VARCHAR(10)) AS day
FROM retention_work
GROUP BY day, app, os, country, channel
HAVING SUM(installs) <> 0 OR SUM(d1) <> 0 OR SUM(d7) <> 0 OR SUM(d30) <> 0
