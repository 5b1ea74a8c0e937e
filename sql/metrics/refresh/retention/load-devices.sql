-- Purpose: the devices whose cohorts an arrival load may change: those it made active on a day
--          stg.active_device did not hold yet (load_active: another session that day changes no cohort),
--          and those with an install or install_update among its rows (a first install, or a new channel).
-- Parameters: none; the rows are in load_rows and load_active.
INSERT INTO retention_device (adid)
SELECT adid
FROM load_active
UNION
SELECT adid
FROM load_rows
WHERE activity_kind IN ('install', 'install_update') AND adid IS NOT NULL
