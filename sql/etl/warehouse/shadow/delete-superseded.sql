-- Purpose: the swap, inside its one transaction, after the repair's own record (record-load.sql): the
--          records of the loads that landed beside the repair go, because the repair's record must be the
--          latest by run id (the next load resumes from it, and the data's version is the latest load that
--          changed it) while its id is older than theirs; their rows are in the repaired warehouse (its
--          catch-up loaded them).
-- Parameters: $1 the repair's run id.
DELETE FROM stg.load
WHERE run_id > $1
