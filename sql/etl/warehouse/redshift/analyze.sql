-- Purpose: occasional maintenance after a load has committed: refresh planner statistics (Redshift
--          skips it when fewer than 10 % of the rows changed).
ANALYZE stg.adjust
