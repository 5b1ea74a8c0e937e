-- Purpose: statistics for a table a repair has filled beside the live one (a window run's copy, or the
--          build), before the next statements plan on it: a new table has none, and autovacuum comes a
--          minute later. Samples, so a second or so even at ten million rows.
-- Placeholders: {table} the table (stg.<name>_next).
ANALYZE {table}
