-- Purpose: a table beside the live ones goes: before a repair builds (whatever a repair killed midway
--          left), after a failed one, and after the swap's commit, with the live tables it replaced
--          (src/etl/warehouse/shadow-tables.ts). Never inside a transaction.
-- Placeholders: {table} the table (stg.<name>_next, or stg.<name>_old, a live table the swap replaced).
DROP TABLE IF EXISTS {table}
