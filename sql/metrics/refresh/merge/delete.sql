-- Purpose: adding a work table of changes to a rollup table, step 2 of 3: delete the rollup's rows of
--          the keys the changes touch (step 1 copied them into the work table).
-- Placeholders (constants of src/etl/rollups/rollup-tables.ts): {table} the rollup table, {work} the
--          work table, {match} the key columns of {table} equal to those of `changed`.
DELETE FROM {table}
USING {work} changed
WHERE {match}
