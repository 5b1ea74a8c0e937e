-- Purpose: empty stg.cohort_device before a full build of the rollups (inside the merge transaction, so
--          readers see the old rollups until the new ones commit; no TRUNCATE, which commits on Redshift).
-- Parameters: none.
DELETE FROM stg.cohort_device
