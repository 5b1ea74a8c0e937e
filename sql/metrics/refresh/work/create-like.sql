-- Purpose: a work table of the refresh with the columns of the rollup table it feeds: a temporary table
--          of the merge's session, created in its transaction and dropped at its end (work/drop.sql), so
--          nothing accumulates in it from one load to the next (no deleted rows on Redshift).
-- Placeholders: {work} the work table's name and {table} the rollup table, from the constants in
--               src/etl/rollups/rollup-tables.ts.
CREATE TEMP TABLE {work} (LIKE {table})
