-- Purpose: a table beside the live ones goes: before a repair builds (whatever a repair killed midway
--          left), after a failed one, and the live table a swap replaced (src/etl/warehouse/shadow-tables.ts).
-- Placeholders: {table} the table (stg.<name>_next, or stg.<name>_old inside the swap).
DROP TABLE IF EXISTS {table}
