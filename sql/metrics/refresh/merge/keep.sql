-- Purpose: adding a work table of changes to a rollup table, step 1 of 3: copy into the work table the
--          rollup's current rows of every key the changes touch (an equality join on the whole key), so
--          that step 3's sums are the new values. Only those keys are read and rewritten: a load costs
--          what it changes, not the rows of the days it touches.
-- Placeholders (constants of src/etl/rollups/rollup-tables.ts): {work} the work table, {table} the
--          rollup table, {columns} its key and value columns, {existing} the same columns of `existing`,
--          {keys} its key columns, {match} the key columns of `existing` equal to those of `touched`.
INSERT INTO {work} ({columns})
SELECT {existing}
FROM {table} existing
JOIN (SELECT DISTINCT {keys} FROM {work}) touched ON {match}
