-- Purpose: adding a work table of changes to a rollup table, step 3 of 3: write one row per touched key,
--          the sum of its old row and its changes; a key whose values all sum to zero has no row.
-- Placeholders (constants of src/etl/rollups/rollup-tables.ts): {table} the rollup table, {columns} its
--          key and value columns, {keys} the key columns, {sums} SUM of each value column, {nonzero} the
--          condition that one of them is not zero, {work} the work table.
INSERT INTO {table} ({columns})
SELECT {keys}, {sums}
FROM {work}
GROUP BY {keys}
HAVING {nonzero}
