-- Purpose: drop the run's staging table once the merge has committed, so the pooled connection can
--          stage the next run.
DROP TABLE IF EXISTS stage_adjust
