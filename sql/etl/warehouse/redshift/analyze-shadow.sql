-- Purpose: statistics for a table a repair has filled beside the live one (a window run's copy, or the
--          build), before the next statements plan on it (INSERT … SELECT leaves a new table without).
-- Placeholders: {table} the table (stg.<name>_next).
ANALYZE {table}
