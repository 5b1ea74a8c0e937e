-- Purpose: how many rows the warehouse check's COPY put into the session's staging table.
-- Returns: one row.
SELECT COUNT(*) AS staged FROM stage_adjust
