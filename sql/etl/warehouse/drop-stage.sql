-- Purpose: drop the run's staging table once the merge has committed or failed.
DROP TABLE IF EXISTS stage_adjust
