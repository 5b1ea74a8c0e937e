-- Purpose: merge step 1 (a rebuild, or a load without a resume point) on the stand-in, before
--          truncate-rows.sql: how many rows the merge replaces (the load record counts the new ones).
SELECT count(*) AS row_count
FROM stg.adjust
