-- Purpose: empty one rollup table before a full build counts everything again (inside the merge
--          transaction, so readers see the old rollups until the new ones commit; no TRUNCATE, which
--          commits on Redshift).
-- Placeholders: {table} the rollup table, one run per table of ROLLUP_TABLES
--               (src/etl/rollups/rollup-tables.ts).
-- Parameters: none.
DELETE FROM {table}
