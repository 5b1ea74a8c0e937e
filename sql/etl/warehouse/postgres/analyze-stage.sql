-- Purpose: give the planner the staging table's size before the merge joins it: temporary tables are
--          never analysed automatically, and a blind guess can pick a slow plan for the delete.
ANALYZE stage_adjust
