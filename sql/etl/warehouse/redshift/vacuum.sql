-- Purpose: occasional maintenance after a load has committed (VACUUM commits by itself and cannot run
--          in a transaction): reclaim deleted rows and re-sort. Redshift also vacuums in the background,
--          and skips a table that is already 95 % sorted.
VACUUM stg.adjust
