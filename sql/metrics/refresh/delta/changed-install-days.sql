-- Purpose: the days whose installs an arrival load moved (its own installs' days, and those of installs
--          whose dynamic channel one of its install_updates changed), for the run's record.
-- Grain: one row per day (YYYY-MM-DD text).
SELECT DISTINCT CAST(day AS VARCHAR(10)) AS day
FROM installs_work
