-- Purpose: statistics for the rows the merge has just loaded, before the rollups read them in the same
--          transaction (autovacuum cannot see them yet): without it a first load plans the rollup
--          recount for a table of one row, with nested loops over millions. PostgreSQL runs ANALYZE
--          inside a transaction; it samples, so it costs a second or so even at ten million rows.
-- Parameters: none.
ANALYZE stg.adjust
