-- Purpose: a window run starts from the live warehouse: each live table copied beside it, all in one
--          snapshot (the transaction's), so the copies agree with each other and with the load record
--          copied with them (copy-last-load.sql).
-- Placeholders: {shadow} the copy (stg.<name>_next, created LIKE the live table: same columns, same
--               order); {table} the live one.
INSERT INTO {shadow}
SELECT * FROM {table}
