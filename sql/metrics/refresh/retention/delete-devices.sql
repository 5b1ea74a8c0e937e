-- Purpose: forget the cohorts of the devices in retention_device (retention/insert-devices.sql finds
--          them again from the warehouse as it is now).
-- Parameters: none.
DELETE FROM stg.cohort_device
WHERE adid IN (SELECT adid FROM retention_device)
