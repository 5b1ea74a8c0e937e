-- Purpose: the devices of a full build's cohorts: every device with a production install.
-- Parameters: none.
INSERT INTO retention_device (adid)
SELECT DISTINCT adid
FROM stg.adjust
WHERE activity_kind = 'install'
  AND adid IS NOT NULL
  AND COALESCE(environment, '') <> 'sandbox'
