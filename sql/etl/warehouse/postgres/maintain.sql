-- Purpose: occasional maintenance after a load has committed (never inside the merge: VACUUM cannot
--          run in a transaction): reclaim the rows merges deleted and refresh planner statistics.
VACUUM (ANALYZE) stg.adjust
